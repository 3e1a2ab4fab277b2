package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.QueueStatser = (*Store)(nil)

// QueueStats counts the queue for /readyz and /metrics: received events not yet moved into jobs, pending
// jobs (the jobs_due index answers both pending counts), and dead letters. It reads only; a scrape never
// waits for the writer.
func (s *Store) QueueStats(ctx context.Context, now time.Time) (meeting.QueueStats, error) {
	var st meeting.QueueStats
	var pending, due, dead, received int
	var oldestJob, oldestReceived int64
	err := s.db.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM jobs WHERE status = 'pending'),
			(SELECT count(*) FROM jobs WHERE status = 'pending' AND not_before <= ?1),
			(SELECT coalesce(min(not_before), 0) FROM jobs WHERE status = 'pending' AND not_before <= ?1),
			(SELECT count(*) FROM jobs WHERE status = 'dead'),
			(SELECT count(*) FROM inbox WHERE id > (SELECT drained FROM inbox_cursor)),
			(SELECT coalesce(min(received_at), 0) FROM inbox WHERE id > (SELECT drained FROM inbox_cursor))`,
		now.UnixMilli()).Scan(&pending, &due, &oldestJob, &dead, &received, &oldestReceived)
	if err != nil {
		return st, fmt.Errorf("sqlite: queue stats: %w", err)
	}
	st.Depth = pending + received
	st.Due = due + received // a received event is due as soon as it arrives
	st.DeadLetters = dead
	for _, at := range []int64{oldestJob, oldestReceived} {
		if at == 0 {
			continue
		}
		if t := time.UnixMilli(at).UTC(); st.OldestDue.IsZero() || t.Before(st.OldestDue) {
			st.OldestDue = t
		}
	}
	return st, nil
}
