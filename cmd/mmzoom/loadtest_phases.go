package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmzoom/mmzoom/sim/zoomsim"
	"github.com/mmzoom/mmzoom/zoom"
)

// replicasCPU is the CPU time the replicas have used so far, together (0 where /proc cannot tell).
func replicasCPU(replicas []*process) time.Duration {
	var sum time.Duration
	for _, p := range replicas {
		if d, err := p.cpu(); err == nil {
			sum += d
		}
	}
	return sum
}

// selfCPU is the CPU time the harness has used so far.
func selfCPU() time.Duration {
	d, _ := cpuTime("self")
	return d
}

// startedMeeting is a meeting a measured start opened.
type startedMeeting struct {
	id   int64
	uuid string
}

// startRound has every user run /zoom start at the same moment, or spread evenly over spread, as Mattermost
// calls mmzoom (the slash command's form, with the team's command token), spread over the replicas. With
// rep, it records the latencies and outcomes and returns the meetings opened.
func startRound(ctx context.Context, client *http.Client, w *loadWorld, replicas []*process, spread time.Duration, rep *loadReport) ([]startedMeeting, error) {
	var mu sync.Mutex
	var durations []time.Duration
	var opened []startedMeeting
	var wg sync.WaitGroup
	gate := make(chan struct{})
	var failures atomic.Int64
	var firstErr atomic.Value
	for i, u := range w.users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := w.chans[i]
			form := url.Values{"token": {w.command.Token}, "team_id": {w.team.ID}, "team_domain": {w.team.Name},
				"channel_id": {ch.ID}, "channel_name": {ch.Name}, "user_id": {u.ID}, "user_name": {u.Username},
				"command": {"/zoom"}, "text": {"start Load"}, "response_url": {w.mmURL + "/hooks/commands/" + strconv.Itoa(i)},
				"trigger_id": {"t"}}.Encode()
			<-gate
			if spread > 0 {
				// User i starts i/n of the way through the spread: a steady rate instead of a burst.
				time.Sleep(spread * time.Duration(i) / time.Duration(len(w.users)))
			}
			began := time.Now()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, replicas[i%len(replicas)].url+"/mattermost/command", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := client.Do(req)
			var out struct {
				Text         string `json:"text"`
				GotoLocation string `json:"goto_location"`
			}
			if err == nil {
				err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("HTTP %d", resp.StatusCode)
				}
			}
			took := time.Since(began)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				failures.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				if rep != nil {
					rep.StartErrors++
				}
			case out.GotoLocation == "" && strings.Contains(out.Text, "Zoom"):
				// "Zoom is taking a while …": the start budget ran out; the answer follows later.
				if rep != nil {
					rep.StartLate++
				}
			case out.GotoLocation == "":
				failures.Add(1)
				firstErr.CompareAndSwap(nil, "no meeting: "+out.Text)
				if rep != nil {
					rep.StartErrors++
				}
			default:
				durations = append(durations, took)
				if m, ok := meetingOf(w.zoom, out.GotoLocation); ok {
					opened = append(opened, m)
				}
			}
		}()
	}
	close(gate)
	wg.Wait()
	if rep == nil && failures.Load() > 0 {
		return nil, fmt.Errorf("%d of %d warm-up starts failed, e.g. %v", failures.Load(), len(w.users), firstErr.Load())
	}
	if rep != nil {
		rep.Starts = summarize(durations)
	}
	return opened, nil
}

// meetingOf finds the meeting a host start link (…/s/{id}?zak=…) opens.
func meetingOf(z *zoomsim.Server, startURL string) (startedMeeting, bool) {
	u, err := url.Parse(startURL)
	if err != nil {
		return startedMeeting{}, false
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(u.Path, "/s/"), 10, 64)
	if err != nil {
		return startedMeeting{}, false
	}
	m, ok := z.Meeting(id)
	return startedMeeting{id: id, uuid: m.UUID}, ok
}

// participantEvents builds n meeting.participant_joined bodies spread over the meetings (as Zoom sends
// them), each with its own participant.
func participantEvents(w *loadWorld, meetings []startedMeeting, n int) [][]byte {
	if len(meetings) == 0 {
		meetings = []startedMeeting{{id: 81000000000, uuid: "none"}}
	}
	at := time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	out := make([][]byte, n)
	for i := range out {
		m := meetings[i%len(meetings)]
		out[i] = fmt.Appendf(nil, `{"event":"meeting.participant_joined","event_ts":%d,"payload":{"account_id":"loadAccountID",`+
			`"object":{"id":"%d","uuid":%q,"host_id":"h","topic":"Load","type":1,"participant":{"user_id":"lt%d",`+
			`"user_name":"Participant %d","id":"","participant_uuid":"lt-%d","join_time":%q,"email":""}}}}`,
			time.Now().UnixMilli(), m.id, m.uuid, i, i, i, at)
	}
	return out
}

// ingest sends every event once, signed as Zoom signs it, from senders concurrent senders spread over urls,
// and measures each request.
func ingest(ctx context.Context, client *http.Client, urls []string, events [][]byte, senders int, secret string) ingestResult {
	next := make(chan int)
	var mu sync.Mutex
	var durations []time.Duration
	acked := 0
	var wg sync.WaitGroup
	began := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			ok := 0
			for i := range next {
				body := events[i]
				ts := strconv.FormatInt(time.Now().Unix(), 10)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, urls[i%len(urls)]+"/zoom/webhook", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json; charset=utf-8")
				req.Header.Set("x-zm-request-timestamp", ts)
				req.Header.Set("x-zm-signature", zoom.Signature(secret, ts, body))
				t := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t))
				if resp.StatusCode == http.StatusOK {
					ok++
				}
			}
			mu.Lock()
			durations = append(durations, mine...)
			acked += ok
			mu.Unlock()
		}()
	}
	for i := range events {
		next <- i
	}
	close(next)
	wg.Wait()
	return ingestResult{Sent: len(events), Acked: acked, Elapsed: time.Since(began), Latency: summarize(durations), samples: durations}
}

// appliedLimit bounds how long waitApplied waits for the replicas' queue to run dry.
const appliedLimit = 2 * time.Minute

// waitApplied waits until the replicas' queue (one database, so any replica's /readyz) has no due work
// left: every acknowledged event applied.
func waitApplied(ctx context.Context, client *http.Client, replicaURL string) error {
	deadline := time.Now().Add(appliedLimit)
	for {
		var ready struct {
			Queue *struct {
				Due int `json:"due"`
			} `json:"queue"`
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, replicaURL+"/readyz", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("reading the queue from /readyz: %w", err)
		}
		err = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&ready)
		resp.Body.Close()
		if err != nil || ready.Queue == nil {
			return fmt.Errorf("/readyz answered %s without the queue (%v)", resp.Status, err)
		}
		if ready.Queue.Due == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the replicas still had %d due jobs %v after the webhooks were acknowledged", ready.Queue.Due, appliedLimit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond): // each look counts the queue: not so often that it loads the replica
		}
	}
}

// histogramTotals reads a replica's /metrics and returns the sum and count of each series of its request
// and upstream call histograms, keyed by name{labels}, so that a report can say where a start's time went.
func histogramTotals(client *http.Client, replicaURL string) (sums, counts map[string]float64, err error) {
	resp, err := client.Get(replicaURL + "/metrics")
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, nil, err
	}
	sums, counts = map[string]float64{}, map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		for _, name := range []string{"mmzoom_upstream_request_duration_seconds", "mmzoom_http_request_duration_seconds"} {
			for suffix, into := range map[string]map[string]float64{"_sum": sums, "_count": counts} {
				rest, ok := strings.CutPrefix(line, name+suffix+"{")
				if !ok {
					continue
				}
				labels, value, ok := strings.Cut(rest, "} ")
				if v, err := strconv.ParseFloat(value, 64); ok && err == nil {
					into[name+"{"+labels+"}"] = v
				}
			}
		}
	}
	return sums, counts, nil
}

// meansBetween is the mean of each series over what happened between two readings of histogramTotals.
func meansBetween(sums0, counts0, sums1, counts1 map[string]float64) map[string]time.Duration {
	out := map[string]time.Duration{}
	for k, n := range counts1 {
		if d := n - counts0[k]; d > 0 {
			out[k] = time.Duration((sums1[k] - sums0[k]) / d * float64(time.Second))
		}
	}
	return out
}
