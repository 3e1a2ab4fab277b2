package sqlite

import (
	"context"
	"fmt"
	"time"
)

// Prune deletes what has outlived its use as of now: connect links that expired a day ago, button nonces
// an hour past their expiry (what they protect no longer verifies), inbox rows already moved to jobs whose
// webhook request could no longer verify (and their nonces in memory), and applied events older than
// eventRetention (Zoom no longer repeats them). It is one explicit step, run by the service's janitor,
// rather than a side effect of the writes, so that what a store keeps depends only on the clock it is given.
func (s *Store) Prune(ctx context.Context, now time.Time) error {
	steps := []struct {
		what  string
		query string
		arg   int64
	}{
		{"connect states", `DELETE FROM connect_states WHERE expires < ?`, now.Add(-24 * time.Hour).UnixMilli()},
		{"nonces", `DELETE FROM nonces WHERE expires < ?`, now.Add(-time.Hour).UnixMilli()},
		{"inbox", `DELETE FROM inbox WHERE id <= (SELECT drained FROM inbox_cursor) AND received_at < ?`, now.Add(-nonceLife).UnixMilli()},
		{"applied events", `DELETE FROM jobs WHERE status = 'done' AND updated_at < ?`, now.Add(-eventRetention).UnixMilli()},
	}
	for _, st := range steps {
		if _, err := s.db.ExecContext(ctx, st.query, st.arg); err != nil {
			return fmt.Errorf("sqlite: pruning %s: %w", st.what, err)
		}
	}
	s.replays.expire(now.Add(-nonceLife).UnixMilli())
	return nil
}
