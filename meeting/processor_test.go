package meeting

import (
	"context"
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
