package meeting

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// stoppingQueue hands out two jobs of a kind the processor cannot apply (so each fails and is retried) and
// cancels the processor's context while the first one is being handled, as SIGTERM does.
type stoppingQueue struct {
	mu      sync.Mutex
	stop    context.CancelFunc
	handed  bool
	retried []int64
	ctxErrs []error
}

var _ Queue = (*stoppingQueue)(nil)

func (q *stoppingQueue) Receive(context.Context, *Job) error                 { return nil }
func (q *stoppingQueue) Enqueue(context.Context, *Job) (bool, error)         { return false, nil }
func (q *stoppingQueue) Complete(context.Context, *Job) error                { return nil }
func (q *stoppingQueue) CompleteAll(context.Context, []*Job) ([]*Job, error) { return nil, nil }
func (q *stoppingQueue) Bury(context.Context, *Job, string) error            { return nil }
func (q *stoppingQueue) DeadLetters(context.Context, int) ([]*Job, error)    { return nil, nil }

func (q *stoppingQueue) Due(_ context.Context, now time.Time, _ int, _ time.Duration) ([]*Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.handed {
		return nil, nil
	}
	q.handed = true
	return []*Job{{ID: 1, Key: "a", Kind: "unknown", CreatedAt: now}, {ID: 2, Key: "b", Kind: "unknown", CreatedAt: now}}, nil
}

func (q *stoppingQueue) Retry(ctx context.Context, j *Job, _ time.Time, _ string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stop() // the signal arrives while this job is in hand
	q.retried = append(q.retried, j.ID)
	q.ctxErrs = append(q.ctxErrs, ctx.Err())
	return nil
}

// A stop asked for while a job is being handled lets that job finish with a live context and starts no
// other: a card update is never cut off halfway by a graceful stop.
func TestProcessorFinishesTheJobInHandWhenStopped(t *testing.T) {
	now := time.Date(2031, 3, 9, 9, 0, 0, 0, time.UTC)
	svc := NewService(Config{}, Deps{Now: func() time.Time { return now }})
	ctx, cancel := context.WithCancel(context.Background())
	q := &stoppingQueue{stop: cancel}
	p := NewProcessor(svc, q, time.Minute)
	done := make(chan struct{})
	go func() { p.Run(ctx, time.Hour); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if len(q.retried) != 1 || q.retried[0] != 1 {
		t.Fatalf("jobs handled %v, want only the one in hand (1)", q.retried)
	}
	if q.ctxErrs[0] != nil {
		t.Errorf("the job in hand finished with a cancelled context: %v", q.ctxErrs[0])
	}
}

func TestSplitLanesKeepsEachThingsJobsInOrder(t *testing.T) {
	ev := func(id int64, meetingID int64, typ string) *Job {
		return &Job{ID: id, Kind: JobEvent, Event: &Event{Type: typ, MeetingID: meetingID}}
	}
	refresh := func(id, card int64) *Job { return &Job{ID: id, Kind: JobRefresh, CardID: card} }
	reminder := func(id, schedule int64) *Job { return &Job{ID: id, Kind: JobReminder, CardID: schedule} }
	tests := []struct {
		name string
		jobs []*Job
		want [][]int64 // job ids, lane by lane
	}{
		{"nothing", nil, nil},
		{"one meeting's events stay in one lane, in order",
			[]*Job{ev(1, 81, EventParticipantJoined), ev(2, 82, EventParticipantJoined), ev(3, 81, EventParticipantLeft), ev(4, 81, EventMeetingEnded)},
			[][]int64{{1, 3, 4}, {2}}},
		{"a card's refreshes share a lane; a schedule with the same number is another thing",
			[]*Job{refresh(1, 5), reminder(2, 5), refresh(3, 5), refresh(4, 6)},
			[][]int64{{1, 3}, {2}, {4}}},
		{"account events (no meeting) are applied one at a time",
			[]*Job{ev(1, 0, EventAppDeauthorized), ev(2, 81, EventMeetingStarted), ev(3, 0, EventAppDeauthorized)},
			[][]int64{{1, 3}, {2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]int64
			for _, lane := range splitLanes(tt.jobs) {
				var ids []int64
				for _, j := range lane {
					ids = append(ids, j.ID)
				}
				got = append(got, ids)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("lanes %v, want %v", got, tt.want)
			}
		})
	}
}

// laneQueue hands out one batch of jobs the processor cannot apply (so each is retried) and lets the test
// decide, in Retry, when each job's handling ends.
type laneQueue struct {
	stoppingQueue
	jobs    []*Job
	inRetry func(j *Job)
}

func (q *laneQueue) Due(_ context.Context, now time.Time, _ int, _ time.Duration) ([]*Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.handed {
		return nil, nil
	}
	q.handed = true
	return q.jobs, nil
}

func (q *laneQueue) Retry(_ context.Context, j *Job, _ time.Time, _ string) error {
	q.inRetry(j)
	q.mu.Lock()
	defer q.mu.Unlock()
	q.retried = append(q.retried, j.ID)
	return nil
}

// Jobs of different things are applied side by side (a slow card does not hold up the others), and the
// jobs of one thing one after the other, in the order they were claimed.
func TestProcessorAppliesOtherThingsJobsWhileOneIsSlow(t *testing.T) {
	now := time.Date(2031, 3, 9, 9, 0, 0, 0, time.UTC)
	svc := NewService(Config{}, Deps{Now: func() time.Time { return now }})
	otherDone := make(chan struct{})
	var order []int64
	var mu sync.Mutex
	q := &laneQueue{jobs: []*Job{
		{ID: 1, Key: "a1", Kind: "unknown", CardID: 1, CreatedAt: now},
		{ID: 2, Key: "a2", Kind: "unknown", CardID: 1, CreatedAt: now},
		{ID: 3, Key: "b1", Kind: "unknown", CardID: 2, CreatedAt: now},
	}}
	q.inRetry = func(j *Job) {
		mu.Lock()
		order = append(order, j.ID)
		mu.Unlock()
		switch j.ID {
		case 1:
			// Job 1 is still in hand: job 3, another card's, must be handled meanwhile; job 2, the same
			// card's, must not.
			select {
			case <-otherDone:
			case <-time.After(10 * time.Second):
				t.Error("another card's job waited for the slow one")
			}
		case 3:
			close(otherDone)
		}
	}
	p := NewProcessor(svc, q, time.Minute)
	n, err := p.RunOnce(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("RunOnce = %d, %v; want all 3 jobs handled", n, err)
	}
	if at := slices.Index(order, 2); at < slices.Index(order, 1) {
		t.Errorf("jobs handled in the order %v: card 1's second job before its first", order)
	}

	// One lane at a time: the claimed order, whatever the cards.
	q2 := &laneQueue{jobs: q.jobs, inRetry: func(j *Job) { mu.Lock(); order = append(order, j.ID); mu.Unlock() }}
	order = nil
	p2 := NewProcessor(svc, q2, time.Minute)
	p2.SetLanes(1)
	if n, err := p2.RunOnce(context.Background()); err != nil || n != 3 {
		t.Fatalf("RunOnce with one lane = %d, %v", n, err)
	}
	if fmt.Sprint(order) != "[1 2 3]" {
		t.Errorf("with one lane, jobs handled in the order %v, want [1 2 3]", order)
	}
}
