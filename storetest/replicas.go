package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// Replica is one process's handle on a store shared by several: its Store and Queue.
type Replica interface {
	meeting.Store
	meeting.Queue
}

// ReplicasOpener opens n handles on one fresh, empty database, as n replicas of mmzoom would, all reading
// the time from now.
type ReplicasOpener func(t *testing.T, now func() time.Time, n int) []Replica

// RunReplicas tests what only several processes sharing one database can break: what one replica writes,
// the others see and honour (connect links, nonces, command-token bindings, webhook replays), claims are
// disjoint, every received event becomes one job whichever replicas receive and drain it, one meeting's
// events are claimed in order (never while an earlier one is held by another claim), and a replica that
// lost a job's lease cannot overwrite what the new owner did.
func RunReplicas(t *testing.T, open ReplicasOpener) {
	ctx := context.Background()

	t.Run("what one replica stores, the others see and honour", func(t *testing.T) {
		r := open(t, NewClock(t0).Now, 2)
		a, b := r[0], r[1]
		if err := a.SaveToken(ctx, meeting.UserOwner("u1"), &meeting.Token{AccessToken: "a1", RefreshToken: "r1", Expiry: t0}); err != nil {
			t.Fatal(err)
		}
		if tok, err := b.Token(ctx, meeting.UserOwner("u1")); err != nil || tok.RefreshToken != "r1" {
			t.Errorf("a token saved by one replica, read by another: %+v %v", tok, err)
		}
		// A connect link opened through one replica is completed through another, once.
		if err := a.SaveConnect(ctx, &meeting.ConnectState{ID: "st", Owner: meeting.UserOwner("u1"), UserID: "u1",
			Verifier: "v", Expires: t0.Add(10 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		wins := race(8, func(i int) bool { _, err := r[i%2].TakeConnect(ctx, "st"); return err == nil })
		if wins != 1 {
			t.Errorf("a connect link was taken %d times across replicas, want once", wins)
		}
		// A button nonce spent on one replica is refused by the other.
		if err := a.UseNonce(ctx, "n1", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := b.UseNonce(ctx, "n1", t0.Add(time.Hour)); meeting.KindOf(err) != meeting.KindActionInvalid {
			t.Errorf("a nonce used on one replica was accepted by another: %v", err)
		}
		// A command token first used from one team, on either replica, stays bound to it.
		teams := make([]string, 8)
		race(8, func(i int) bool {
			teams[i], _ = r[i%2].BindCommandToken(ctx, "tok", fmt.Sprintf("team-%d", i))
			return true
		})
		for _, team := range teams {
			if team != teams[0] || team == "" {
				t.Fatalf("one command token bound to %v across replicas, want one team", teams)
			}
		}
	})

	t.Run("participant events decided on several replicas at once keep the count exact", func(t *testing.T) {
		r := open(t, NewClock(t0).Now, 2)
		c := &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: 1, Status: meeting.StatusStarted, CreatedAt: t0}
		if err := r[0].CreateCard(ctx, c); err != nil {
			t.Fatal(err)
		}
		// Each of 12 people joins (second 1), leaves (3) and, one in two, comes back (5); Zoom delivers every
		// event twice, in any order, to either replica, all at once.
		type step struct {
			key     string
			present bool
			at      time.Duration
		}
		var steps []step
		want := 0
		for i := range 12 {
			key := fmt.Sprintf("p%d", i)
			steps = append(steps, step{key, true, 1}, step{key, false, 3})
			if i%2 == 0 {
				steps = append(steps, step{key, true, 5})
				want++
			}
		}
		steps = append(steps, steps...)
		race(len(steps), func(i int) bool {
			st := steps[(i*7)%len(steps)] // 7 is prime to the number of steps: every step once, shuffled
			_, _, err := setParticipant(ctx, r[i%2], c.ID, st.key, st.present, t0.Add(st.at*time.Second))
			if err != nil {
				t.Error(err)
			}
			return err == nil
		})
		// An event older than all the others changes nothing and reports the count.
		for i, rep := range r {
			if n, changed, err := setParticipant(ctx, rep, c.ID, "p0", false, t0); err != nil || n != want || changed {
				t.Errorf("replica %d after the burst: count %d changed %v err %v, want %d false", i, n, changed, err, want)
			}
		}
	})
	t.Run("a request received by one replica is a replay for every other", func(t *testing.T) {
		r := open(t, NewClock(t0).Now, 2)
		j := event("u1==")
		j.Nonce = "sig-1"
		if err := r[0].Receive(ctx, j); err != nil {
			t.Fatal(err)
		}
		if err := r[1].Receive(ctx, j); meeting.KindOf(err) != meeting.KindActionInvalid {
			t.Errorf("a request replayed to another replica was accepted: %v", err)
		}
	})

	t.Run("replicas claim disjoint jobs, and every received event once", func(t *testing.T) {
		r := open(t, NewClock(t0).Now, 2)
		// 150 events, each delivered twice (two requests, to either replica), received concurrently.
		const events = 150
		race(2*events, func(i int) bool {
			j := event(fmt.Sprintf("u%d==", i%events))
			j.Nonce = fmt.Sprintf("req-%d", i)
			if err := r[i%2].Receive(ctx, j); err != nil {
				t.Errorf("receive: %v", err)
			}
			return true
		})
		var mu sync.Mutex
		claimed := map[string]int{}
		race(6, func(i int) bool {
			for {
				jobs, err := r[i%2].Due(ctx, t0, 7, time.Minute)
				if err != nil {
					t.Errorf("due: %v", err)
					return false
				}
				if len(jobs) == 0 {
					return true
				}
				for _, j := range jobs {
					mu.Lock()
					claimed[j.Key]++
					mu.Unlock()
					if err := r[(i+1)%2].Complete(ctx, j); err != nil { // completed through the other handle
						t.Errorf("complete: %v", err)
					}
				}
			}
		})
		if len(claimed) != events {
			t.Errorf("%d distinct events claimed, want %d", len(claimed), events)
		}
		for k, n := range claimed {
			if n != 1 {
				t.Errorf("%s claimed %d times", k, n)
			}
		}
	})

	t.Run("one meeting's events are claimed in order across replicas", func(t *testing.T) {
		clock := NewClock(t0)
		r := open(t, clock.Now, 2)
		mk := func(meetingID int64, uuid string) *meeting.Job {
			e := meeting.Event{Type: meeting.EventMeetingStarted, MeetingID: meetingID, UUID: uuid, StartTime: t0}
			return &meeting.Job{Key: e.DedupeKey(), Kind: meeting.JobEvent, Event: &e, NotBefore: t0, CreatedAt: t0}
		}
		for _, j := range []*meeting.Job{mk(1, "m1-first"), mk(1, "m1-second"), mk(2, "m2")} {
			if _, err := r[0].Enqueue(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		first, err := r[0].Due(ctx, clock.Now(), 1, time.Minute)
		if err != nil || len(first) != 1 || first[0].Event.UUID != "m1-first" {
			t.Fatalf("first claim: %+v %v", first, err)
		}
		// While replica 0 works on meeting 1, replica 1 may take meeting 2, not meeting 1's next event.
		other, err := r[1].Due(ctx, clock.Now(), 10, time.Minute)
		if err != nil || len(other) != 1 || other[0].Event.UUID != "m2" {
			t.Fatalf("a second replica claimed %+v %v, want only the other meeting's event", other, err)
		}
		for _, j := range []*meeting.Job{first[0], other[0]} {
			if err := r[0].Complete(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		next, err := r[1].Due(ctx, clock.Now(), 10, time.Minute)
		if err != nil || len(next) != 1 || next[0].Event.UUID != "m1-second" {
			t.Fatalf("after the first event: %+v %v", next, err)
		}
		// A replica that dies holding a meeting's event holds the meeting's later events until its lease
		// runs out; then the events come back in order.
		if _, err := r[0].Enqueue(ctx, mk(1, "m1-third")); err != nil {
			t.Fatal(err)
		}
		if more, _ := r[0].Due(ctx, clock.Now(), 10, time.Minute); len(more) != 0 {
			t.Fatalf("claimed %+v while the meeting's earlier event is held", more)
		}
		clock.Advance(2 * time.Minute)
		back, err := r[0].Due(ctx, clock.Now(), 10, time.Minute)
		if err != nil || len(back) != 2 || back[0].Event.UUID != "m1-second" || back[1].Event.UUID != "m1-third" {
			t.Fatalf("after the lease ran out: %+v %v, want the second then the third", back, err)
		}
	})

	t.Run("a replica that lost a lease cannot overwrite the new owner's work", func(t *testing.T) {
		clock := NewClock(t0)
		r := open(t, clock.Now, 2)
		lostLease(t, clock, r[0], r[1])
	})
}

// lostLease checks that a claim taken over after its lease ran out (by another replica, or by the same
// process) can no longer complete, retry or bury its job.
func lostLease(t *testing.T, clock *Clock, stalled, owner meeting.Queue) {
	ctx := context.Background()
	for _, kind := range []string{meeting.JobEvent, meeting.JobRefresh} {
		j := event("lease-" + kind)
		if kind == meeting.JobRefresh {
			j = &meeting.Job{Key: "refresh:42", Kind: meeting.JobRefresh, Coalesce: true, CardID: 42, NotBefore: clock.Now(), CreatedAt: clock.Now()}
		}
		if _, err := owner.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
		old, err := stalled.Due(ctx, clock.Now(), 1, time.Minute)
		if err != nil || len(old) != 1 {
			t.Fatalf("first claim: %+v %v", old, err)
		}
		clock.Advance(2 * time.Minute) // the first claimant stalls past its lease
		cur, err := owner.Due(ctx, clock.Now(), 1, time.Minute)
		if err != nil || len(cur) != 1 || cur[0].ID != old[0].ID {
			t.Fatalf("the job did not come back to another replica: %+v %v", cur, err)
		}
		if err := owner.Retry(ctx, cur[0], clock.Now().Add(time.Hour), "chat unavailable"); err != nil {
			t.Fatal(err)
		}
		// The stalled replica wakes up and reports its old claim three ways: none may land.
		for name, late := range map[string]func() error{
			"Complete": func() error { return stalled.Complete(ctx, old[0]) },
			"CompleteAll": func() error {
				lost, err := stalled.CompleteAll(ctx, []*meeting.Job{old[0]})
				if err == nil && len(lost) == 1 && lost[0] == old[0] {
					err = meeting.ErrLeaseLost
				}
				return err
			},
			"Retry": func() error { return stalled.Retry(ctx, old[0], clock.Now(), "late") },
			"Bury":  func() error { return stalled.Bury(ctx, old[0], "late") },
		} {
			if err := late(); !errors.Is(err, meeting.ErrLeaseLost) {
				t.Errorf("%s job: a late %s of a lost claim: %v, want ErrLeaseLost", kind, name, err)
			}
		}
		if dead, _ := owner.DeadLetters(ctx, 10); len(dead) != 0 {
			t.Errorf("%s job: a late Bury made a dead letter: %+v", kind, dead)
		}
		// The new owner's retry stands: due at its time, with its error, not before.
		if due, _ := owner.Due(ctx, clock.Now().Add(30*time.Minute), 10, time.Minute); len(due) != 0 {
			t.Errorf("%s job: due before the new owner's retry time: %+v", kind, due)
		}
		clock.Advance(time.Hour)
		due, _ := owner.Due(ctx, clock.Now(), 10, time.Minute)
		if len(due) != 1 || due[0].LastError != "chat unavailable" || due[0].Attempts != 1 {
			t.Fatalf("%s job after the new owner's retry: %+v", kind, due)
		}
		if err := owner.Complete(ctx, due[0]); err != nil {
			t.Fatal(err)
		}
	}
}

// event is a received-event job for the instance uuid.
func event(uuid string) *meeting.Job {
	e := meeting.Event{Type: meeting.EventMeetingEnded, MeetingID: 81000000001, UUID: uuid, EndTime: t0}
	return &meeting.Job{Key: e.DedupeKey(), Kind: meeting.JobEvent, Event: &e, NotBefore: t0, CreatedAt: t0}
}

// race runs f(0..n-1) concurrently and returns how many returned true.
func race(n int, f func(i int) bool) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if f(i) {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return wins
}
