package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/postgres/pgtest"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// roundRobin is a plain load balancer: each request goes to the next replica, and to the one after it when
// a replica cannot be reached (killed).
type roundRobin struct {
	backends []string
	next     atomic.Uint64
	client   *http.Client
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	start := rr.next.Add(1)
	for i := range rr.backends {
		b := rr.backends[(start+uint64(i))%uint64(len(rr.backends))]
		req, err := http.NewRequestWithContext(r.Context(), r.Method, b+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := rr.client.Do(req)
		if err != nil {
			continue
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	http.Error(w, "no replica answered", http.StatusBadGateway)
}

// loopbackAddr is a free loopback address for a replica to listen on.
func loopbackAddr(t *testing.T) string {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestThreeReplicasOnPostgresThroughKills runs three mmzoom processes on one PostgreSQL database behind a
// round-robin load balancer. 100 meetings are started through it, then 1,000 Zoom events arrive
// concurrently (in any order, one delivered twice) while one replica is killed with SIGKILL twice and
// started again: every card must end right, thread replies must not repeat beyond what a kill explains.
// Then the user's Zoom token must be refreshed while ten /zoom start commands arrive at once, spread over
// the replicas: Zoom sees exactly one refresh, and every start makes its card.
func TestThreeReplicasOnPostgresThroughKills(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three mmzoom processes on PostgreSQL for a while")
	}
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	dw, err := startWorld(context.Background(), demoSetup{kind: meeting.KindUser, dir: dir, external: true, database: dsn,
		logger:          slog.New(slog.DiscardHandler),
		zoomRetryDelays: []time.Duration{300 * time.Millisecond, time.Second, 3 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dw.Close)
	dw.Zoom.SetDailyLimit(-1)
	cfgFile := filepath.Join(dir, "mmzoom.json")
	// Retries wait at most 2 s, and a killed replica's claims run out after 3 s (5 min and 1 min in
	// production), so the run converges in seconds.
	if err := os.WriteFile(cfgFile, []byte(`{"retry_max_backoff":"2s","job_lease":"3s","log_level":"warn"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	// The load balancer answers on the site URL; the replicas listen on addresses of their own.
	var replicas []*child
	lb := &roundRobin{client: &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for range 3 {
		addr := loopbackAddr(t)
		env := append(dw.Config.environ(cfgFile), "MMZOOM_LISTEN="+addr)
		replicas = append(replicas, &child{t: t, env: env, url: "http://" + addr, logs: &syncBuffer{}})
		lb.backends = append(lb.backends, "http://"+addr)
	}
	ln, err := net.Listen("tcp", dw.Config.Listen)
	if err != nil {
		t.Fatal(err)
	}
	lbSrv := &http.Server{Handler: lb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = lbSrv.Serve(ln) }()
	t.Cleanup(func() { _ = lbSrv.Close() })
	var wg sync.WaitGroup
	errs := make([]error, len(replicas))
	for i, r := range replicas { // started together: they take turns on the migrations
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = r.start() }()
		t.Cleanup(r.kill)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	logs := func() string {
		var b bytes.Buffer
		for i, r := range replicas {
			fmt.Fprintf(&b, "--- replica %d\n%s", i, r.logs.String())
		}
		return b.String()
	}

	w := &world{demoWorld: dw, t: t}
	w.connectUser(w.Alice, w.Alice.Email)

	ctx := context.Background()
	const meetings = 100
	var cards []chaosCard
	for i := range meetings {
		ch := mmsim.Channel{TeamID: w.Team.ID, Type: "O", Name: fmt.Sprintf("rep-%d", i), DisplayName: fmt.Sprintf("Rep %d", i)}
		if i%2 == 1 {
			ch.Type = "P" // the bot cannot edit here: thread replies
		}
		ch = w.Mattermost.AddChannel(ch, w.Alice.ID)
		res, err := w.Mattermost.ExecuteCommand(ctx, w.Alice.ID, ch.ID, w.Team.ID, "", fmt.Sprintf("/zoom start Meeting %d", i))
		if err != nil || res.Error != "" {
			t.Fatalf("start %d: %v %+v", i, err, res)
		}
		all := w.Mattermost.Posts(ch.ID)
		if len(all) != 1 || all[0].Props[meeting.PropMeetingID] == nil {
			t.Fatalf("start %d made %d posts, want its card; the reply was %q", i, len(all), res.Response.Text)
		}
		id, _ := strconv.ParseInt(all[0].Props[meeting.PropMeetingID].(string), 10, 64)
		cards = append(cards, chaosCard{post: all[0], id: id, channel: ch})
	}

	events := 0
	var mu sync.Mutex
	phase := func(name string, f func(c chaosCard) int) {
		var wg sync.WaitGroup
		for _, c := range cards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := f(c)
				mu.Lock()
				events += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := w.Zoom.WaitDeliveries(wctx); err != nil {
			t.Fatalf("%s: deliveries: %v", name, err)
		}
	}
	kills := 0
	victim := replicas[1]
	killAfter := func(delay time.Duration) (wait func()) {
		done := make(chan error, 1)
		go func() {
			time.Sleep(delay)
			victim.kill()
			done <- victim.start()
		}()
		return func() {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			kills++
		}
	}
	participants := map[int64][]string{}
	var pmu sync.Mutex
	phase("start", func(c chaosCard) int { _ = w.Zoom.StartMeeting(ctx, c.id); return 1 })
	wait := killAfter(50 * time.Millisecond)
	phase("join", func(c chaosCard) int {
		for j := range 6 {
			pid, err := w.Zoom.JoinMeeting(ctx, c.id, fmt.Sprintf("P%d", j))
			if err != nil {
				t.Error(err)
			}
			pmu.Lock()
			participants[c.id] = append(participants[c.id], pid)
			pmu.Unlock()
		}
		return 6
	})
	wait()
	time.Sleep(1100 * time.Millisecond) // leaves stamped after the joins, as in life
	wait = killAfter(50 * time.Millisecond)
	phase("leave", func(c chaosCard) int {
		pmu.Lock()
		ids := participants[c.id][:2]
		pmu.Unlock()
		for _, pid := range ids {
			if err := w.Zoom.LeaveMeeting(ctx, c.id, pid); err != nil {
				t.Error(err)
			}
		}
		return 2
	})
	wait()
	phase("end", func(c chaosCard) int { _ = w.Zoom.EndMeeting(ctx, c.id); return 1 })
	w.Zoom.Redeliver(ctx) // Zoom delivering the last event again: a duplicate
	if events != 10*meetings || kills != 2 {
		t.Fatalf("%d events and %d kills, want %d and 2", events, kills, 10*meetings)
	}
	for _, d := range w.Zoom.Deliveries() {
		if d.Attempt == 4 && d.Status != http.StatusOK {
			t.Errorf("Zoom gave up on a %s delivery", d.Event)
		}
	}

	if problems := convergeCards(dw, cards, 60*time.Second, 300*time.Millisecond); len(problems) > 0 {
		t.Fatalf("%d cards wrong after the run, e.g. %v\n%s", len(problems), problems[:min(5, len(problems))], logs())
	}
	extra := duplicateReplies(dw, cards) // Mattermost fails no write here
	if extra > kills {
		t.Errorf("%d duplicate thread replies, more than one per kill (%d kills)", extra, kills)
	}

	// Zoom no longer accepts the access token: ten starts at once, over three replicas, need one refresh.
	w.Zoom.ExpireAccessTokens()
	before := w.Zoom.Stats().Refreshes
	var chans []mmsim.Channel
	for i := range 10 {
		chans = append(chans, w.Mattermost.AddChannel(mmsim.Channel{TeamID: w.Team.ID, Type: "O", Name: fmt.Sprintf("refresh-%d", i),
			DisplayName: "Refresh"}, w.Alice.ID))
	}
	var swg sync.WaitGroup
	for i, ch := range chans {
		swg.Add(1)
		go func() {
			defer swg.Done()
			res, err := w.Mattermost.ExecuteCommand(ctx, w.Alice.ID, ch.ID, w.Team.ID, "", "/zoom start")
			if err != nil || res.Error != "" {
				t.Errorf("start %d during the refresh: %v %+v", i, err, res)
			}
		}()
	}
	swg.Wait()
	for _, ch := range chans {
		if n := len(w.cards(ch)); n != 1 {
			t.Errorf("%s: %d cards after a start during the refresh, want 1 (%+v)", ch.Name, n, w.Mattermost.Posts(ch.ID))
		}
	}
	if n := w.Zoom.Stats().Refreshes - before; n != 1 {
		t.Errorf("%d token refreshes at Zoom for ten starts over three replicas, want exactly 1\n%s", n, logs())
	}
	t.Logf("%d events, %d kills, %d duplicate thread replies", events, kills, extra)
}
