package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.QueueStatser = (*Store)(nil)

// QueueStats counts the queue for /readyz and /metrics: received events not yet moved into jobs, pending
// jobs (claimed ones included: their work is not done), and dead letters. One statement, so that every
// replica's scrape sees one consistent snapshot; the partial indexes jobs_due, jobs_dead and inbox_undrained
// answer it without reading the jobs that are done.
func (s *Store) QueueStats(ctx context.Context, now time.Time) (meeting.QueueStats, error) {
	var st meeting.QueueStats
	var pending, due, dead, received int
	var oldestJob, oldestReceived int64
	err := s.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM jobs WHERE status = 'pending'),
			(SELECT count(*) FROM jobs WHERE status = 'pending' AND not_before <= $1),
			(SELECT coalesce(min(not_before), 0) FROM jobs WHERE status = 'pending' AND not_before <= $1),
			(SELECT count(*) FROM jobs WHERE status = 'dead'),
			(SELECT count(*) FROM inbox WHERE NOT drained),
			(SELECT coalesce(min(received_at), 0) FROM inbox WHERE NOT drained)`,
		now.UnixMilli()).Scan(&pending, &due, &oldestJob, &dead, &received, &oldestReceived)
	if err != nil {
		return st, fmt.Errorf("postgres: queue stats: %w", err)
	}
	st.Depth = pending + received
	st.Due = due + received // a received event is due as soon as it arrives
	st.DeadLetters = dead
	for _, at := range []int64{oldestJob, oldestReceived} {
		if at == 0 {
			continue
		}
		if t := fromMS(at); st.OldestDue.IsZero() || t.Before(st.OldestDue) {
			st.OldestDue = t
		}
	}
	return st, nil
}
