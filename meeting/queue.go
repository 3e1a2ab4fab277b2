package meeting

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Job kinds.
const (
	JobEvent   = "event"   // apply a Zoom event
	JobRefresh = "refresh" // show a card's stored state in its channel
	// JobReminder (schedule.go) reminds a channel of a scheduled meeting; CardID holds the schedule's id.
)

// Job is durable work: a verified Zoom event to apply, or a card to show again. Jobs are stored before
// Zoom is answered, so nothing acknowledged is lost, and retried with backoff until they succeed or can
// never succeed (dead letters).
type Job struct {
	ID   int64
	Key  string // dedupe key: a job whose key was seen before is not added again
	Kind string
	// Nonce identifies the webhook request that carried a received job (see Queue.Receive).
	Nonce string
	// Coalesce lets a new job with the same key join a pending one (its NotBefore moves earlier if needed)
	// instead of being dropped; used for card refreshes, which must run once more after the latest change.
	Coalesce bool
	Event    *Event // JobEvent
	CardID   int64  // JobRefresh
	Attempts int
	Version  int // bumped when a coalescing job is merged into; Complete keeps a job merged into after Due
	// Lease identifies the claim Due made: Complete, Retry and Bury change the job only while it is still
	// the job's latest claim (see ErrLeaseLost).
	Lease     int64
	NotBefore time.Time
	CreatedAt time.Time
	LastError string
}

// Queue stores jobs durably; packages sqlite and postgres implement it. Due claims jobs for lease: a process
// that dies (or stalls) while holding them lets the lease run out and another process (or its restart) takes
// them again. Each claim is new (Job.Lease): Complete, Retry and Bury of a claim that was taken over fail
// with ErrLeaseLost and change nothing, so a late finisher never undoes the new owner's work.
type Queue interface {
	// Receive durably stores a verified event job as it arrives, recording j.Nonce (the request that carried
	// it) in the same write: a nonce seen before refuses the job with KindActionInvalid (a replayed request).
	// It is the write Zoom waits on, so it does no more than that: a job whose key was seen before (Zoom
	// delivering the event again) is recognised, and dropped, when Due moves received jobs into the queue.
	Receive(ctx context.Context, j *Job) error
	// Enqueue stores j unless a job with its key exists; it reports whether j was stored (or, for a
	// coalescing job, merged into a pending one: one that started runs once more, one that will run no
	// later than j already covers it and reports false).
	Enqueue(ctx context.Context, j *Job) (bool, error)
	// Due first moves received jobs into the queue (dropping repeated keys), then claims up to limit jobs
	// due at now for lease.
	Due(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*Job, error)
	// Complete finishes j: an event job is kept (done) for deduplication; a refresh job is deleted, unless
	// it was merged into after Due returned it, in which case it runs again.
	Complete(ctx context.Context, j *Job) error
	// CompleteAll completes jobs as Complete does, together, and returns those whose claim was taken over
	// (left as they are).
	CompleteAll(ctx context.Context, jobs []*Job) (lost []*Job, err error)
	// Retry makes j due again at at, counting the failed attempt.
	Retry(ctx context.Context, j *Job, at time.Time, lastErr string) error
	// Bury keeps a job that can never succeed as a dead letter, for the admin to see.
	Bury(ctx context.Context, j *Job, lastErr string) error
	DeadLetters(ctx context.Context, limit int) ([]*Job, error)
}

// Processor applies queued jobs.
type Processor struct {
	svc        *Service
	q          Queue
	now        func() time.Time
	log        *slog.Logger
	wake       chan struct{}
	lease      time.Duration
	batch      int
	lanes      int
	maxAge     time.Duration
	maxBackoff time.Duration
}

// DefaultMaxBackoff is the longest wait between two attempts of a failing job.
const DefaultMaxBackoff = 5 * time.Minute

// NewProcessor returns a Processor of q's jobs for svc; failing jobs wait at most maxBackoff between attempts
// (0 means DefaultMaxBackoff).
func NewProcessor(svc *Service, q Queue, maxBackoff time.Duration) *Processor {
	if maxBackoff <= 0 {
		maxBackoff = DefaultMaxBackoff
	}
	p := &Processor{svc: svc, q: q, now: svc.Now, log: svc.Logger, wake: make(chan struct{}, 1),
		lease: DefaultLease, batch: DefaultBatch, lanes: DefaultLanes, maxAge: 7 * 24 * time.Hour, maxBackoff: maxBackoff}
	svc.wakeQueue = p.Wake
	return p
}

// DefaultBatch is how many due jobs one claim takes at most.
const DefaultBatch = 64

// SetBatch sets how many due jobs one claim takes at most (n < 1 means DefaultBatch). Smaller batches share
// a burst among more replicas sooner; larger ones claim less often.
func (p *Processor) SetBatch(n int) {
	if n < 1 {
		n = DefaultBatch
	}
	p.batch = n
}

// Wake makes Run look for due jobs now.
func (p *Processor) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// FinishTimeout bounds how long Run goes on with the job in hand after its context ended.
const FinishTimeout = 20 * time.Second

// Run processes jobs until ctx ends, looking for due jobs when woken and at least every interval. When ctx
// ends, the job being applied is finished (within FinishTimeout) rather than cut off halfway, and no other is
// started: jobs claimed but not started come back when their lease runs out (at once when a SQLite store
// opens again).
func (p *Processor) Run(ctx context.Context, interval time.Duration) {
	// work outlives ctx by at most FinishTimeout, so the job in hand ends cleanly.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	graceOver := make(chan struct{})
	stopGrace := context.AfterFunc(ctx, func() {
		defer close(graceOver)
		select {
		case <-time.After(FinishTimeout):
			cancelWork()
		case <-work.Done():
		}
	})
	defer func() {
		cancelWork()
		if !stopGrace() {
			<-graceOver // the grace goroutine started: it returns now that work is done
		}
	}()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, err := p.runBatch(ctx, work)
			if err != nil && ctx.Err() == nil {
				p.log.ErrorContext(ctx, "processing queued jobs failed", "err", err)
			}
			if n == 0 || err != nil || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-t.C:
		}
	}
}

// RunOnce processes the jobs due now (up to a batch) and returns how many it handled.
func (p *Processor) RunOnce(ctx context.Context) (int, error) {
	return p.runBatch(ctx, ctx)
}

// runBatch claims the jobs due now (up to a batch) and applies them with work's context until stop ends.
//
// The jobs of one meeting (or card, or schedule: laneOf) are applied one after the other in the order they
// were claimed; those of different meetings side by side, up to p.lanes at once. The runs of participant
// events at the lanes' heads are first applied all together (runHeads). Applying a job is mostly
// waiting: for Mattermost, and for each of the store's writes to commit (SQLite's group commit gathers the
// writes of jobs side by side into one commit, sqlite/batch.go). On SQLite, one job at a time, a burst of
// 20,000 events was applied at 1,300-1,500 a second with 600-680 µs of CPU each; 16 lanes at once,
// 2,900-3,000 a second with 430 µs (BENCHMARKS.md).
func (p *Processor) runBatch(stop, work context.Context) (int, error) {
	if stop.Err() != nil {
		return 0, nil
	}
	claimed := p.now()
	jobs, err := p.q.Due(work, claimed, p.batch, p.lease)
	if err != nil {
		return 0, err
	}
	lanes := splitLanes(jobs)
	lanes, done := p.runHeads(work, lanes)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		late  int
		slots = make(chan struct{}, p.lanes)
	)
	for _, lane := range lanes {
		if len(lane) == 0 {
			continue
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			for i := 0; i < len(lane); {
				if stop.Err() != nil {
					return
				}
				if p.now().Sub(claimed) >= p.lease {
					// The batch took longer than its lease (Mattermost slow or down): the rest may already be
					// another process's. Starting them anyway could apply them twice; they come back once
					// their lease has run out.
					mu.Lock()
					late += len(lane) - i
					mu.Unlock()
					return
				}
				n := max(participantRun(lane[i:]), 1)
				if n > 1 {
					p.handleRun(work, lane[i:i+n])
				} else {
					p.handle(work, lane[i])
				}
				i += n
				mu.Lock()
				done += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if late > 0 {
		p.log.WarnContext(work, "a batch of jobs outlived its lease; the rest are left for the next claim", "left", late)
	}
	return done, nil
}

// runHeads applies the runs of participant events at the heads of the lanes together (ApplyParticipants)
// and returns the lanes without the runs it applied, and how many jobs those were. A run left to ApplyEvent
// stays at the head of its lane.
func (p *Processor) runHeads(ctx context.Context, lanes [][]*Job) ([][]*Job, int) {
	var (
		runs  [][]Event
		from  []int // the lane of each run
		sizes []int
	)
	for i, lane := range lanes {
		n := participantRun(lane)
		if n == 0 {
			continue
		}
		run := make([]Event, n)
		for k, j := range lane[:n] {
			run[k] = *j.Event
		}
		runs, from, sizes = append(runs, run), append(from, i), append(sizes, n)
	}
	if len(runs) == 0 {
		return lanes, 0
	}
	applied, err := p.svc.ApplyParticipants(ctx, runs)
	var finished [][]*Job
	n := 0
	for k, i := range from {
		if err == nil && !applied[k] {
			continue
		}
		finished = append(finished, lanes[i][:sizes[k]])
		lanes[i] = lanes[i][sizes[k]:]
		n += sizes[k]
	}
	p.finishRuns(ctx, finished, err)
	return lanes, n
}

// finishRuns finishes runs of jobs with one outcome (finish): applied, all completed at once; failed, each
// run's jobs in order, p.lanes runs at a time (each retry is a write of its own).
func (p *Processor) finishRuns(ctx context.Context, runs [][]*Job, err error) {
	if err == nil {
		jobs := slices.Concat(runs...)
		lost, cerr := p.q.CompleteAll(ctx, jobs)
		for _, j := range lost {
			p.log.WarnContext(ctx, "a job outlived its lease; another claim owns it now", "job", j.Key)
		}
		if cerr != nil {
			p.log.ErrorContext(ctx, "completing jobs failed; they will run again", "jobs", len(jobs), "err", cerr)
		}
		return
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, p.lanes)
	for _, run := range runs {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			for _, j := range run {
				p.finish(ctx, j, err)
			}
		}()
	}
	wg.Wait()
}

// handle applies one job and completes it, or schedules its retry.
func (p *Processor) handle(ctx context.Context, j *Job) {
	var err error
	switch j.Kind {
	case JobEvent:
		_, err = p.svc.ApplyEvent(ctx, *j.Event)
	case JobRefresh:
		err = p.svc.refreshStored(ctx, j.CardID)
	case JobReminder:
		err = p.svc.remind(ctx, j)
	default:
		err = &Error{Kind: KindInternal, Err: errors.New("unknown job kind " + j.Kind)}
	}
	p.finish(ctx, j, err)
}

// handleRun applies a run of participant events of one meeting instance together (participants.go), or
// one by one when they cannot be; each job is then completed, or retried, with the run's outcome.
func (p *Processor) handleRun(ctx context.Context, jobs []*Job) {
	evs := make([]Event, len(jobs))
	for i, j := range jobs {
		evs[i] = *j.Event
	}
	applied, err := p.svc.ApplyParticipants(ctx, [][]Event{evs})
	if err == nil && !applied[0] {
		for _, j := range jobs {
			p.handle(ctx, j)
		}
		return
	}
	p.finishRuns(ctx, [][]*Job{jobs}, err)
}

// finish completes a job applied without error, and otherwise retries it later or buries it, as the error's
// kind says.
func (p *Processor) finish(ctx context.Context, j *Job, err error) {
	if err == nil {
		if cerr := p.q.Complete(ctx, j); errors.Is(cerr, ErrLeaseLost) {
			p.log.WarnContext(ctx, "a job outlived its lease; another claim owns it now", "job", j.Key)
		} else if cerr != nil {
			p.log.ErrorContext(ctx, "completing a job failed; it will run again", "job", j.Key, "err", cerr)
		}
		return
	}
	kind := KindOf(err)
	p.svc.Failures.Failure("queue", kind)
	if !HandlingOf(kind).Retry || p.now().Sub(j.CreatedAt) > p.maxAge {
		// A card or channel that is gone, or a permission the bot lacks, will not come back by retrying
		// (the Handling table says which kinds can).
		p.log.WarnContext(ctx, "a job can never succeed; kept as a dead letter", "job", j.Key, "err", err)
		if berr := p.q.Bury(ctx, j, err.Error()); berr != nil {
			p.log.ErrorContext(ctx, "burying a job failed", "job", j.Key, "err", berr)
		}
		return
	}
	at := p.now().Add(backoff(j.Attempts, err, p.maxBackoff))
	p.log.InfoContext(ctx, "a job failed; retrying later", "job", j.Key, "attempt", j.Attempts+1, "retry_at", at, "err", err)
	if rerr := p.q.Retry(ctx, j, at, err.Error()); rerr != nil {
		p.log.ErrorContext(ctx, "scheduling a retry failed; the lease will bring the job back", "job", j.Key, "err", rerr)
	}
}

// backoff is the wait before retry n+1: what a rate limit asked for, else exponential from one second to
// maxWait, with jitter so that many jobs failing together do not retry together.
func backoff(attempts int, err error, maxWait time.Duration) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter
	}
	d := time.Second << min(attempts, 9)
	d = min(d, maxWait)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// Ingest durably stores a verified Zoom event for the processor. replay identifies the request that carried
// the event (its signature): the same request seen twice is refused with KindActionInvalid. Zoom delivers
// an event again when it did not hear 200 in time; such duplicates are acknowledged too, and dropped by the
// queue before they are applied (the dedupe key of each event type is Event.DedupeKey).
func (s *Service) Ingest(ctx context.Context, ev Event, replay string) error {
	if s.Queue == nil {
		_, err := s.ApplyEvent(ctx, ev)
		return err
	}
	err := s.Queue.Receive(ctx, &Job{Key: ev.DedupeKey(), Kind: JobEvent, Event: &ev, Nonce: replay,
		NotBefore: s.Now(), CreatedAt: s.Now()})
	if err == nil && s.wakeQueue != nil {
		s.wakeQueue()
	}
	return err
}

// scheduleRefresh shows card c again at the latest at "at" (coalescing with a pending refresh). Without a
// queue the card is refreshed at once.
func (s *Service) scheduleRefresh(ctx context.Context, c *Card, at time.Time) error {
	if s.Queue == nil {
		return s.RefreshCard(ctx, c)
	}
	_, err := s.Queue.Enqueue(ctx, &Job{Key: "refresh:" + itoa(c.ID), Kind: JobRefresh, Coalesce: true, CardID: c.ID,
		NotBefore: at, CreatedAt: s.Now()})
	if err == nil && s.wakeQueue != nil {
		s.wakeQueue()
	}
	return err
}
