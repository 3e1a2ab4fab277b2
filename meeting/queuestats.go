package meeting

import (
	"context"
	"time"
)

// QueueStats describe the durable queue at one moment, for readiness checks and metrics.
type QueueStats struct {
	// Depth is the work not done yet: received events not yet moved into the queue plus pending jobs
	// (due or waiting for a retry, leased ones included).
	Depth int
	// Due is the part of Depth that could run now.
	Due int
	// OldestDue is when the longest-waiting due work became due (zero when nothing is due): a queue that
	// is keeping up keeps now − OldestDue near zero.
	OldestDue time.Time
	// DeadLetters is how many jobs can never succeed (see Queue.Bury).
	DeadLetters int
}

// OldestDueAge is how long the oldest due work has waited at now (0 when nothing is due).
func (s QueueStats) OldestDueAge(now time.Time) time.Duration {
	if s.OldestDue.IsZero() || now.Before(s.OldestDue) {
		return 0
	}
	return now.Sub(s.OldestDue)
}

// QueueStatser reports QueueStats; the sqlite and postgres stores implement it. Its consumers (readiness,
// metrics) read it on each request and never change the queue.
type QueueStatser interface {
	QueueStats(ctx context.Context, now time.Time) (QueueStats, error)
}
