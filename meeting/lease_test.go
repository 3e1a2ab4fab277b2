package meeting

import (
	"context"
	"testing"
	"time"
)

// leaseQueue hands out one batch of jobs; each job buried (the work it stands for) takes work of the clock.
type leaseQueue struct {
	jobs   []*Job
	buried []int64
	clock  *time.Time
	work   time.Duration
}

var _ Queue = (*leaseQueue)(nil)

func (q *leaseQueue) Receive(context.Context, *Job) error                  { return nil }
func (q *leaseQueue) Enqueue(context.Context, *Job) (bool, error)          { return false, nil }
func (q *leaseQueue) Complete(context.Context, *Job) error                 { return nil }
func (q *leaseQueue) CompleteAll(context.Context, []*Job) ([]*Job, error)  { return nil, nil }
func (q *leaseQueue) Retry(context.Context, *Job, time.Time, string) error { return nil }
func (q *leaseQueue) DeadLetters(context.Context, int) ([]*Job, error)     { return nil, nil }

func (q *leaseQueue) Due(context.Context, time.Time, int, time.Duration) ([]*Job, error) {
	out := q.jobs
	q.jobs = nil
	return out, nil
}

func (q *leaseQueue) Bury(_ context.Context, j *Job, _ string) error {
	q.buried = append(q.buried, j.ID)
	*q.clock = q.clock.Add(q.work)
	return nil
}

// A processor does not start the jobs of a batch whose lease has run out: another process may have claimed
// them meanwhile, and both would apply them.
func TestProcessorLeavesJobsWhoseLeaseRanOut(t *testing.T) {
	f := newFixture(KindUser)
	q := &leaseQueue{clock: &f.now, work: 40 * time.Second}
	// Refreshes of a card that is gone, one after the other (one card's jobs share a lane): each is buried
	// after 40 s of work.
	for id := range int64(3) {
		q.jobs = append(q.jobs, &Job{ID: id + 1, Key: "refresh", Kind: JobRefresh, CardID: 1000, CreatedAt: f.now})
	}
	p := NewProcessor(f.svc, q, 0)
	p.SetLease(time.Minute)
	if _, err := p.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(q.buried) != 2 {
		t.Errorf("jobs %v handled, want the first two: the third was claimed 80 s ago, past its 60 s lease", q.buried)
	}
}
