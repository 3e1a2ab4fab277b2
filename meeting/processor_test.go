package meeting

import (
	"context"
	"fmt"
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

func (q *stoppingQueue) Receive(context.Context, *Job) error              { return nil }
func (q *stoppingQueue) Enqueue(context.Context, *Job) (bool, error)      { return false, nil }
func (q *stoppingQueue) Complete(context.Context, *Job) error             { return nil }
func (q *stoppingQueue) Bury(context.Context, *Job, string) error         { return nil }
func (q *stoppingQueue) DeadLetters(context.Context, int) ([]*Job, error) { return nil, nil }

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

// A batch is split into runs that must keep their order: one meeting's events, one card's refreshes, one
// schedule's reminders; anything else shares one run.
func TestOrderGroupsKeepEachMeetingsJobsInOrder(t *testing.T) {
	ev := func(id, meetingID int64) *Job {
		return &Job{ID: id, Kind: JobEvent, Event: &Event{Type: EventParticipantJoined, MeetingID: meetingID}}
	}
	jobs := []*Job{
		ev(1, 7), {ID: 2, Kind: JobRefresh, CardID: 3}, ev(3, 8), ev(4, 7),
		{ID: 5, Kind: JobEvent, Event: &Event{Type: EventAppDeauthorized}}, {ID: 6, Kind: JobRefresh, CardID: 3},
		{ID: 7, Kind: JobReminder, CardID: 3}, {ID: 8, Kind: "unknown"}, ev(9, 8),
	}
	var got [][]int64
	for _, g := range orderGroups(jobs) {
		var ids []int64
		for _, j := range g {
			ids = append(ids, j.ID)
		}
		got = append(got, ids)
	}
	want := [][]int64{{1, 4}, {2, 6}, {3, 9}, {5, 8}, {7}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("groups %v, want %v", got, want)
	}
}

// batchQueue hands out its jobs once and records what was completed.
type batchQueue struct {
	mu        sync.Mutex
	jobs      []*Job
	completed []int64
}

var _ Queue = (*batchQueue)(nil)

func (q *batchQueue) Receive(context.Context, *Job) error                  { return nil }
func (q *batchQueue) Enqueue(context.Context, *Job) (bool, error)          { return false, nil }
func (q *batchQueue) Retry(context.Context, *Job, time.Time, string) error { return nil }
func (q *batchQueue) Bury(context.Context, *Job, string) error             { return nil }
func (q *batchQueue) DeadLetters(context.Context, int) ([]*Job, error)     { return nil, nil }

func (q *batchQueue) Due(context.Context, time.Time, int, time.Duration) ([]*Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	jobs := q.jobs
	q.jobs = nil
	return jobs, nil
}

func (q *batchQueue) Complete(_ context.Context, j *Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.completed = append(q.completed, j.ID)
	return nil
}

// The cards of two meetings are shown side by side: the second card's update does not wait for the first
// one's Mattermost call. Each card's own refreshes still run one after the other.
func TestProcessorShowsDifferentMeetingsCardsSideBySide(t *testing.T) {
	ctx := context.Background()
	f := newFixture(KindS2S)
	var cards []*Card
	for i, ch := range []string{"town", "design"} {
		postID, err := f.chat.CreatePost(ctx, &Post{ChannelID: ch, Message: "card"})
		if err != nil {
			t.Fatal(err)
		}
		c := &Card{ChannelID: ch, CreatorID: "alice", MeetingID: int64(100 + i), PostID: postID, Status: StatusStarted, CreatedAt: f.now}
		if err := f.store.CreateCard(ctx, c); err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
	// Each card's first update waits until the other card's update has begun too: applied one after the
	// other, the first would wait forever (the test fails after 10 s instead).
	var mu sync.Mutex
	inFlight, seen := map[string]bool{}, map[string]int{}
	bothIn := make(chan struct{})
	var closeOnce sync.Once
	var maxInFlight int
	f.chat.patching = func(id string) {
		mu.Lock()
		inFlight[id] = true
		seen[id]++
		first := seen[id] == 1
		maxInFlight = max(maxInFlight, len(inFlight))
		if len(inFlight) == 2 {
			closeOnce.Do(func() { close(bothIn) })
		}
		mu.Unlock()
		if first {
			select {
			case <-bothIn:
			case <-time.After(10 * time.Second):
				t.Error("one card's update waited for the other's to finish")
			}
		}
		mu.Lock()
		delete(inFlight, id)
		mu.Unlock()
	}
	q := &batchQueue{jobs: []*Job{
		{ID: 1, Kind: JobRefresh, CardID: cards[0].ID}, {ID: 2, Kind: JobRefresh, CardID: cards[0].ID},
		{ID: 3, Kind: JobRefresh, CardID: cards[1].ID},
	}}
	p := NewProcessor(f.svc, q, time.Minute)
	n, err := p.RunOnce(ctx)
	if err != nil || n != 3 {
		t.Fatalf("RunOnce: %d jobs, %v; want 3", n, err)
	}
	if maxInFlight != 2 {
		t.Errorf("at most %d card updates in flight, want 2", maxInFlight)
	}
	// Card one's two refreshes kept their order: job 1 completed before job 2.
	pos := map[int64]int{}
	for i, id := range q.completed {
		pos[id] = i
	}
	if len(q.completed) != 3 || pos[1] > pos[2] {
		t.Errorf("completed %v, want jobs 1 and 2 in that order, and 3", q.completed)
	}
}
