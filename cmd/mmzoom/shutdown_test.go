package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sqlite"
	"github.com/mmzoom/mmzoom/zoom"
)

// terminate sends SIGTERM, as an orchestrator stopping a replica does, and returns the exit status.
func (c *child) terminate() int {
	c.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
	err := c.cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	default:
		c.t.Fatal(err)
		return -1
	}
}

// queueDepth reads the queue's depth from /readyz.
func queueDepth(url string) (int, error) {
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Queue struct {
			Depth int `json:"depth"`
		} `json:"queue"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, err
	}
	return out.Queue.Depth, nil
}

// TestSIGTERMDuringABurstLosesNothingAcknowledged sends a burst of signed participant_joined webhooks to a
// real mmzoom process from 16 senders and sends it SIGTERM in the middle. mmzoom must stop cleanly (exit 0,
// requests in flight finished, the database closed last). Like Zoom, the test then delivers again every
// event it did not hear 200 for, to the restarted process. Every card must count every participant: an
// acknowledged event lost in the shutdown would never be delivered again, and its card would count one
// short.
func TestSIGTERMDuringABurstLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a separate mmzoom process through a burst of webhooks")
	}
	dir := t.TempDir()
	ctx := context.Background()
	w, err := startWorld(ctx, demoSetup{kind: meeting.KindS2S, dir: dir, external: true, logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	w.Zoom.SetDailyLimit(-1)
	cfgFile := filepath.Join(dir, "mmzoom.json")
	if err := os.WriteFile(cfgFile, []byte(`{"retry_max_backoff":"2s","log_level":"info"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	mm := &child{t: t, env: w.Config.environ(cfgFile), url: w.MMZoomURL, logs: &syncBuffer{}}
	if err := mm.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if mm.cmd.ProcessState == nil {
			mm.kill()
		}
	})

	const meetings, joins = 50, 40
	type target struct {
		id   int64
		uuid string
		post string
	}
	var targets []target
	for i := range meetings {
		ch := w.Mattermost.AddChannel(mmsim.Channel{TeamID: w.Team.ID, Type: "O", Name: fmt.Sprintf("burst-%d", i),
			DisplayName: fmt.Sprintf("Burst %d", i)}, w.Alice.ID)
		res, err := w.Mattermost.ExecuteCommand(ctx, w.Alice.ID, ch.ID, w.Team.ID, "", fmt.Sprintf("/zoom start Burst %d", i))
		posts := w.Mattermost.Posts(ch.ID)
		if err != nil || res.Error != "" || len(posts) != 1 {
			t.Fatalf("start %d: %v %+v", i, err, res)
		}
		id, _ := strconv.ParseInt(posts[0].Props[meeting.PropMeetingID].(string), 10, 64)
		if err := w.Zoom.StartMeeting(ctx, id); err != nil {
			t.Fatal(err)
		}
		m, _ := w.Zoom.Meeting(id)
		targets = append(targets, target{id: id, uuid: m.UUID, post: posts[0].ID})
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := w.Zoom.WaitDeliveries(wctx); err != nil {
		t.Fatal(err)
	}

	// The burst: each meeting gains 40 participants, one event each.
	joinedAt := time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	var events [][]byte
	for _, tg := range targets {
		for j := range joins {
			events = append(events, fmt.Appendf(nil, `{"event":"meeting.participant_joined","event_ts":%d,"payload":{"account_id":"simAccount",`+
				`"object":{"id":"%d","uuid":%q,"host_id":"h","topic":"Burst","type":1,"participant":{"user_id":"u%d-%d",`+
				`"user_name":"P%d","id":"","participant_uuid":"p%d-%d","join_time":%q,"email":""}}}}`,
				time.Now().UnixMilli(), tg.id, tg.uuid, tg.id, j, j, tg.id, j, joinedAt))
		}
	}
	client := &http.Client{Timeout: 30 * time.Second}
	deliver := func(body []byte) int {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, w.MMZoomURL+"/zoom/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("x-zm-request-timestamp", ts)
		req.Header.Set("x-zm-signature", zoom.Signature(w.Config.WebhookSecret, ts, body))
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	acked := make([]bool, len(events))
	var nacked atomic.Int64
	var term sync.Once
	exited := make(chan int, 1)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if deliver(events[i]) == http.StatusOK {
					acked[i] = true
					// SIGTERM a quarter of the way through, while the other senders keep sending.
					if nacked.Add(1) == int64(len(events)/4) {
						term.Do(func() { go func() { exited <- mm.terminate() }() })
					}
				}
			}
		}()
	}
	for i := range events {
		next <- i
	}
	close(next)
	wg.Wait()
	if code := <-exited; code != 0 {
		t.Fatalf("mmzoom exited with status %d after SIGTERM:\n%s", code, mm.logs.String())
	}
	var missed []int
	for i, ok := range acked {
		if !ok {
			missed = append(missed, i)
		}
	}
	if len(missed) == 0 {
		t.Fatal("every event was acknowledged before mmzoom stopped: the SIGTERM did not fall within the burst")
	}
	// The stop went in order, the database last.
	logs := mm.logs.String()
	last := -1
	for _, step := range []string{"mmzoom stopping", "requests done; stopping the queue", "mmzoom stopped; closing the database", "database closed"} {
		at := strings.Index(logs, step)
		if at < 0 || at < last {
			t.Fatalf("shutdown step %q missing or out of order:\n%s", step, logs)
		}
		last = at
	}

	// Zoom delivers again what it did not hear 200 for.
	mm.logs = &syncBuffer{}
	if err := mm.start(); err != nil {
		t.Fatal(err)
	}
	for _, i := range missed {
		if got := deliver(events[i]); got != http.StatusOK {
			t.Fatalf("delivering event %d again: %d", i, got)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := queueDepth(w.MMZoomURL)
		if err == nil && d == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queue did not drain (depth %d, %v)", d, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The host counts too: Zoom reports the host joining once the meeting started (delivered above).
	const want = joins + 1
	for _, tg := range targets {
		p, _ := w.Mattermost.Post(tg.post)
		if n, _ := p.Props[meeting.PropParticipants].(float64); n != want {
			t.Errorf("meeting %d: the card shows %v participants, want %d", tg.id, p.Props[meeting.PropParticipants], want)
		}
	}
	if code := mm.terminate(); code != 0 {
		t.Fatalf("second stop: exit status %d", code)
	}

	// And the database agrees with the cards.
	box, err := seal.NewBox(w.Config.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(ctx, strings.TrimPrefix(w.Config.Database, "sqlite://"), box, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, tg := range targets {
		cards, err := store.CardsByMeeting(ctx, tg.id)
		if err != nil || len(cards) != 1 || cards[0].Participants != want {
			t.Errorf("meeting %d: stored cards %+v %v, want one with %d participants", tg.id, cards, err, want)
		}
	}
	t.Logf("%d events, %d acknowledged before SIGTERM took effect, %d delivered again after the restart", len(events), len(events)-len(missed), len(missed))
}
