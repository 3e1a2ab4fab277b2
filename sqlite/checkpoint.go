package sqlite

import (
	"context"
	"time"
)

// Checkpoints copy the WAL back into the database file and fsync it. SQLite runs them by default inside the
// commit that crosses 1,000 WAL pages, so every write queued behind that commit (webhook deliveries Zoom is
// waiting on) also waits for the copy and two fsyncs. The store turns that off (wal_autocheckpoint=0) and
// checkpoints from its own goroutine instead: a PASSIVE checkpoint copies while commits go on. A WAL that
// keeps growing under steady writes (a passive checkpoint cannot restart the log while commits keep
// appending to it) is brought back with a RESTART checkpoint, which waits for the commit in progress and
// holds the next one only while it copies the few pages the passive one left.

const (
	checkpointEvery = 200 * time.Millisecond
	// restartAfter is the WAL size, in pages (4 KiB), past which the log is restarted.
	restartAfter = 4000
)

// checkpointer checkpoints the WAL until the store closes.
func (s *Store) checkpointer() {
	defer close(s.checkpointStopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
			s.checkpoint(context.Background())
		}
	}
}

// checkpoint runs one passive checkpoint, and a restarting one if the WAL has grown too large. Errors are
// not fatal: the next tick tries again, and the WAL only grows meanwhile.
func (s *Store) checkpoint(ctx context.Context) {
	var busy, log, done int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil || log < restartAfter {
		return
	}
	_ = s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &log, &done)
}
