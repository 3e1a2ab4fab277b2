package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// StatsQueue is a queue that reports its statistics (both stores are).
type StatsQueue interface {
	meeting.Queue
	meeting.QueueStatser
}

// RunQueueStats tests the statistics /readyz and /metrics show: what waits, since when, and dead letters.
func RunQueueStats(t *testing.T, openAt Opener[StatsQueue]) {
	ctx := context.Background()
	event := func(uuid string, at time.Time) *meeting.Job {
		e := meeting.Event{Type: meeting.EventMeetingEnded, MeetingID: 81000000002, UUID: uuid, EndTime: at}
		return &meeting.Job{Key: e.DedupeKey(), Kind: meeting.JobEvent, Event: &e, NotBefore: at, CreatedAt: at}
	}
	stats := func(t *testing.T, q StatsQueue, now time.Time) meeting.QueueStats {
		t.Helper()
		st, err := q.QueueStats(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	t.Run("an empty queue", func(t *testing.T) {
		q := openAt(t, NewClock(t0).Now)
		st := stats(t, q, t0)
		if st.Depth != 0 || st.Due != 0 || st.DeadLetters != 0 || !st.OldestDue.IsZero() || st.OldestDueAge(t0) != 0 {
			t.Errorf("empty queue: %+v", st)
		}
	})
	t.Run("waiting work, its age, and dead letters", func(t *testing.T) {
		clock := NewClock(t0)
		q := openAt(t, clock.Now)
		// An event received at t0 and not yet moved into the queue is due work already.
		received := event("s1==", t0)
		received.Nonce = "req-s1"
		if err := q.Receive(ctx, received); err != nil {
			t.Fatal(err)
		}
		// A refresh due in a minute is waiting, not due.
		if _, err := q.Enqueue(ctx, &meeting.Job{Key: "refresh:3", Kind: meeting.JobRefresh, Coalesce: true, CardID: 3,
			NotBefore: t0.Add(time.Minute), CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Second)
		st := stats(t, q, clock.Now())
		if st.Depth != 2 || st.Due != 1 || !st.OldestDue.Equal(t0) || st.OldestDueAge(clock.Now()) != 10*time.Second {
			t.Fatalf("one received event and one later refresh, 10 s on: %+v", st)
		}
		// Claimed but not finished, the event is still work to do, and still as old.
		jobs, err := q.Due(ctx, clock.Now(), 10, time.Minute)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("due %+v %v", jobs, err)
		}
		if st := stats(t, q, clock.Now()); st.Depth != 2 || st.Due != 1 || !st.OldestDue.Equal(t0) {
			t.Errorf("a leased job left the statistics: %+v", st)
		}
		// Retried in 30 s: waiting, not due.
		if err := q.Retry(ctx, jobs[0], clock.Now().Add(30*time.Second), "chat unavailable"); err != nil {
			t.Fatal(err)
		}
		if st := stats(t, q, clock.Now()); st.Depth != 2 || st.Due != 0 || !st.OldestDue.IsZero() || st.OldestDueAge(clock.Now()) != 0 {
			t.Errorf("after a retry later: %+v", st)
		}
		clock.Advance(time.Minute)
		st = stats(t, q, clock.Now())
		if st.Due != 2 || !st.OldestDue.Equal(t0.Add(40*time.Second)) {
			t.Fatalf("both due a minute later: %+v, want the retry (due at +40 s) the oldest", st)
		}
		jobs, err = q.Due(ctx, clock.Now(), 10, time.Minute)
		if err != nil || len(jobs) != 2 {
			t.Fatalf("due %+v %v", jobs, err)
		}
		for _, j := range jobs {
			if j.Kind == meeting.JobEvent {
				if err := q.Bury(ctx, j, "card deleted"); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := q.Complete(ctx, j); err != nil {
					t.Fatal(err)
				}
			}
		}
		if st := stats(t, q, clock.Now()); st.Depth != 0 || st.Due != 0 || st.DeadLetters != 1 {
			t.Errorf("one buried, one done: %+v", st)
		}
	})
}
