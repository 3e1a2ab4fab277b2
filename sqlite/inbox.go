package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/mmzoom/mmzoom/meeting"
)

// The inbox is where received Zoom events wait for the processor (migration 0003). Receive is the write Zoom
// waits on, so it appends one row and nothing else; everything that needs a lookup in a large random index
// (repeated deliveries, by dedupe key) happens when Due moves rows into jobs.
//
// The replay check (has this exact request, by signature, been received?) must answer at once, before Zoom
// is answered. A unique index on signatures would put each delivery on a random page of that index, so a
// commit shared by twenty deliveries would write twenty pages instead of two. A SQLite store serves a single
// process (the PostgreSQL store is the path to several replicas), so the store keeps the nonces of the
// requests received in the last nonceLife in memory, and rebuilds that set from the inbox when it opens: a
// request acknowledged before a crash is still refused after the restart.

// replaySet holds the nonces received within nonceLife, in arrival order for expiry.
type replaySet struct {
	mu    sync.Mutex
	seen  map[string]int64 // nonce → received at (Unix ms)
	order []replayEntry
}

type replayEntry struct {
	nonce string
	at    int64
}

// claim records nonce as received at at; it reports false if it was received before.
func (r *replaySet) claim(nonce string, at int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.seen[nonce]; ok {
		return false
	}
	if r.seen == nil {
		r.seen = make(map[string]int64)
	}
	r.seen[nonce] = at
	r.order = append(r.order, replayEntry{nonce, at})
	return true
}

// release forgets a claim whose write failed: Zoom's retry of that request must not be refused.
func (r *replaySet) release(nonce string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.seen, nonce)
}

// expire forgets nonces received before before.
func (r *replaySet) expire(before int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for n < len(r.order) && r.order[n].at < before {
		if at, ok := r.seen[r.order[n].nonce]; ok && at < before {
			delete(r.seen, r.order[n].nonce)
		}
		n++
	}
	r.order = append(r.order[:0:0], r.order[n:]...)
}

// loadReplays rebuilds the replay set from the inbox rows still within nonceLife.
func (s *Store) loadReplays(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT nonce, received_at FROM inbox WHERE received_at >= ? ORDER BY id`,
		s.now().Add(-nonceLife).UnixMilli())
	if err != nil {
		return fmt.Errorf("sqlite: loading webhook nonces: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var nonce string
		var at int64
		if err := rows.Scan(&nonce, &at); err != nil {
			return fmt.Errorf("sqlite: loading webhook nonces: %w", err)
		}
		s.replays.claim(nonce, at)
	}
	return rows.Err()
}

// Receive appends a received event job to the inbox, in a commit shared with concurrent deliveries. A nonce
// received before is refused with KindActionInvalid.
func (s *Store) Receive(ctx context.Context, j *meeting.Job) error {
	if j.Event == nil || j.Nonce == "" {
		return errors.New("sqlite: receive: a received job has an event and a nonce")
	}
	payload, err := s.sealEvent(j)
	if err != nil {
		return fmt.Errorf("sqlite: receive: %w", err)
	}
	now := s.now().UnixMilli()
	if !s.replays.claim(j.Nonce, now) {
		return &meeting.Error{Kind: meeting.KindActionInvalid, Err: errors.New("sqlite: replayed request")}
	}
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, s.stmtInbox).ExecContext(ctx, j.Nonce, j.Key, payload, now)
		return err
	})
	if err != nil {
		// Not stored, so Zoom hears 500 and delivers again: that delivery is not a replay. (A write that
		// committed although its caller gave up is answered 500 too; Zoom's new delivery is then a duplicate,
		// dropped by key.)
		s.replays.release(j.Nonce)
		return fmt.Errorf("sqlite: receive: %w", err)
	}
	return nil
}

// drainBatch bounds how many received jobs one Due moves, so that one call stays short.
const drainBatch = 1024

// drainInbox moves received jobs into the queue, oldest first; a key already queued (or applied and still
// remembered) is dropped there. Payloads move sealed: their associated data is the key, which does not change.
func (s *Store) drainInbox(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, key, payload, received_at FROM inbox
		WHERE id > (SELECT drained FROM inbox_cursor) ORDER BY id LIMIT ?`, drainBatch)
	if err != nil {
		return err
	}
	type received struct {
		id, at  int64
		key     string
		payload []byte
	}
	var in []received
	for rows.Next() {
		var r received
		if err := rows.Scan(&r.id, &r.key, &r.payload, &r.at); err != nil {
			rows.Close()
			return err
		}
		in = append(in, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(in) == 0 {
		return nil
	}
	ins := tx.StmtContext(ctx, s.stmtJob)
	for _, r := range in {
		if _, err := ins.ExecContext(ctx, r.key, meeting.JobEvent, r.payload, 0, r.at, r.at, r.at); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE inbox_cursor SET drained = ?`, in[len(in)-1].id)
	return err
}
