package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/postgres/pgtest"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// newReplicatedWorld is a world whose mmzoom runs on PostgreSQL, plus n-1 more replicas of mmzoom on the
// same database (built as serve builds them), which share nothing with the first but the database.
func newReplicatedWorld(t *testing.T, kind meeting.AppKind, n int) (*world, []*app) {
	t.Helper()
	w := newWorld(t, kind, func(s *demoSetup) { s.database = pgtest.DSN(t) })
	apps := []*app{w.app}
	for range n - 1 {
		a, err := build(context.Background(), w.Config, w.app.svc.Logger, options{now: w.clock.Now, httpClient: &http.Client{Transport: w.wire, Timeout: 30 * time.Second},
			goFunc: func(f func()) { w.bg.Add(1); go func() { defer w.bg.Done(); f() }() }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.store.Close() })
		apps = append(apps, a)
	}
	return w, apps
}

// drainBatch is the claim size of the replicas in drainAll: smaller than the events a test leaves due, so
// that in the first round every replica finds work whatever order the scheduler runs them in (a replica
// taking a batch of 64 could take everything before the others ran).
const drainBatch = 4

// drainAll runs every replica's queue at once, a batch each per round, until a round finds no work, and
// adds what each replica handled to handled.
func drainAll(t *testing.T, w *world, apps []*app, handled []int) {
	t.Helper()
	for _, a := range apps {
		a.queue.SetBatch(drainBatch)
	}
	if err := w.Zoom.WaitDeliveries(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.bg.Wait()
	for {
		var wg sync.WaitGroup
		round := make([]int, len(apps))
		for i, a := range apps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := a.queue.RunOnce(context.Background())
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
				round[i] = n
			}()
		}
		wg.Wait()
		total := 0
		for i, n := range round {
			handled[i] += n
			total += n
		}
		if total == 0 {
			return
		}
	}
}

// Events of many meetings, drained by three replicas at once: every card ends right (status, participants,
// duration; thread replies once where the bot cannot edit), so no replica's update of a card overwrote
// another's and each meeting's events were applied in order.
func TestReplicasApplyEventsOnceAndInOrder(t *testing.T) {
	w, apps := newReplicatedWorld(t, meeting.KindS2S, 3)
	ctx := context.Background()
	type card struct {
		post mmsim.Post
		id   int64
		ch   mmsim.Channel
	}
	var cards []card
	for i := range 12 {
		ch := mmsim.Channel{TeamID: w.Team.ID, Type: "O", Name: fmt.Sprintf("r-%d", i), DisplayName: fmt.Sprintf("R %d", i)}
		if i%2 == 1 {
			ch.Type = "P"
		}
		ch = w.Mattermost.AddChannel(ch, w.Alice.ID)
		w.run(w.Alice, ch, "/zoom start")
		post := w.onlyCard(ch)
		cards = append(cards, card{post, w.meetingOf(post).ID, ch})
	}
	// Each phase's webhooks arrive concurrently (Zoom delivers them in any order) at the first replica; then
	// all three replicas drain the queue at once.
	handled := make([]int, len(apps))
	participants := map[int64][]string{}
	var mu sync.Mutex
	phase := func(f func(c card)) {
		var wg sync.WaitGroup
		for _, c := range cards {
			wg.Add(1)
			go func() { defer wg.Done(); f(c) }()
		}
		wg.Wait()
		drainAll(t, w, apps, handled)
	}
	phase(func(c card) { _ = w.Zoom.StartMeeting(ctx, c.id) })
	phase(func(c card) {
		for j := range 6 {
			pid, err := w.Zoom.JoinMeeting(ctx, c.id, fmt.Sprintf("P%d", j))
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			participants[c.id] = append(participants[c.id], pid)
			mu.Unlock()
		}
	})
	w.clock.Advance(time.Second) // leaves stamped after the joins
	phase(func(c card) {
		mu.Lock()
		ids := participants[c.id][:2]
		mu.Unlock()
		for _, pid := range ids {
			_ = w.Zoom.LeaveMeeting(ctx, c.id, pid)
		}
	})
	w.clock.Advance(10 * time.Second) // the participant count's coalesced refreshes are due
	phase(func(c card) { _ = w.Zoom.EndMeeting(ctx, c.id) })
	w.Zoom.Redeliver(ctx) // Zoom repeating a delivery: a duplicate
	drainAll(t, w, apps, handled)
	busy := 0
	for _, n := range handled {
		if n > 0 {
			busy++
		}
	}
	if busy < 2 {
		t.Errorf("jobs handled per replica %v: the test did not spread the work", handled)
	}
	for _, c := range cards {
		if problems := checkChaosCard(w.demoWorld, c.post, c.id, c.ch); len(problems) > 0 {
			t.Errorf("%v", problems)
		}
		if c.ch.Type == "P" {
			if n := len(w.threadReplies(c.ch, c.post)); n != 2 {
				t.Errorf("meeting %d: %d thread replies, want started and ended once each", c.id, n)
			}
		}
	}
}

// Cards Zoom never finished are checked with Zoom once each, however many replicas reconcile at once.
func TestReplicasReconcileEachCardOnce(t *testing.T) {
	w, apps := newReplicatedWorld(t, meeting.KindS2S, 3)
	ctx := context.Background()
	for i := range 5 {
		ch := w.Mattermost.AddChannel(mmsim.Channel{TeamID: w.Team.ID, Type: "O", Name: fmt.Sprintf("s-%d", i), DisplayName: "S"}, w.Alice.ID)
		w.run(w.Alice, ch, "/zoom start")
	}
	w.settle()
	w.clock.Advance(3 * time.Hour) // no news for longer than the stale threshold
	before := w.Zoom.Stats().APICallsByRoute["GET /meetings/{meetingId}"]
	var wg sync.WaitGroup
	for round := range 2 { // two passes of every replica, concurrently
		for _, a := range apps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := a.svc.Reconcile(ctx); err != nil {
					t.Errorf("round %d: %v", round, err)
				}
			}()
		}
		wg.Wait()
	}
	if n := w.Zoom.Stats().APICallsByRoute["GET /meetings/{meetingId}"] - before; n != 5 {
		t.Errorf("Zoom was asked about 5 stale cards %d times across 3 replicas, want once each", n)
	}
}

// While one replica works on a meeting's card, another replica's event for that meeting waits for it.
func TestReplicasTakeTurnsOnAMeeting(t *testing.T) {
	w, apps := newReplicatedWorld(t, meeting.KindS2S, 2)
	ctx := context.Background()
	w.run(w.Alice, w.Town, "/zoom start")
	card := w.onlyCard(w.Town)
	id := w.meetingOf(card).ID
	w.settle()
	held, err := apps[1].store.(meeting.Locker).LockMeeting(ctx, id) // replica 1 is busy with the meeting
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unlock := func() { once.Do(held) }
	defer unlock()
	_ = w.Zoom.StartMeeting(ctx, id)
	if err := w.Zoom.WaitDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = apps[0].queue.RunOnce(ctx)
	}()
	select {
	case <-done:
		t.Fatalf("replica 0 applied an event while replica 1 held the meeting (card %v)", w.status(card))
	case <-time.After(300 * time.Millisecond):
	}
	unlock()
	<-done
	w.settle()
	if st := w.status(card); st != string(meeting.StatusStarted) {
		t.Errorf("card status %v after the lock was released, want started", st)
	}
}
