package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"fmt"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
)

var _ meeting.Queue = (*Store)(nil)

// Statements of the hot ingest path, prepared once (parsing SQL costs more than running it).
const (
	sqlInbox       = `INSERT INTO inbox (nonce, key, payload, received_at) VALUES (?, ?, ?, ?)`
	sqlNonce       = `INSERT INTO nonces (nonce, expires) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING`
	sqlJob         = `INSERT INTO jobs (key, kind, payload, card_id, not_before, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`
	sqlJobCoalesce = `INSERT INTO jobs (key, kind, payload, card_id, not_before, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET not_before = min(jobs.not_before, excluded.not_before), version = jobs.version + 1,
			updated_at = excluded.updated_at
		WHERE jobs.status = 'pending' AND (jobs.locked_until > excluded.updated_at OR excluded.not_before < jobs.not_before)`
)

// nonceLife is how long a webhook's replay nonce is kept: longer than the signature's timestamp window.
const nonceLife = 10 * time.Minute

// eventRetention is how long applied events are remembered to recognise Zoom's repeated deliveries (Zoom
// retries for about an hour and a half).
const eventRetention = 7 * 24 * time.Hour

// StaleCards lists cards not ended and not updated since before, oldest first.
func (s *Store) StaleCards(ctx context.Context, before time.Time, limit int) ([]*meeting.Card, error) {
	return s.cards(ctx, `status NOT IN (?, ?) AND updated_at < ? ORDER BY updated_at, id LIMIT ?`, string(meeting.StatusEnded),
		string(meeting.StatusCancelled), before.UnixMilli(), limit)
}

// MarkAnnounced records which status a card's channel has been shown.
func (s *Store) MarkAnnounced(ctx context.Context, cardID int64, st meeting.Status) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE cards SET announced = ? WHERE id = ?`, string(st), cardID); err != nil {
		return fmt.Errorf("sqlite: mark announced: %w", err)
	}
	return nil
}

// SetParticipants records participants' presence (the latest event wins, meeting.LatestPresence) and counts
// who is in on each of their cards. It goes through the group commit (batch.go), like the processor's other
// writes: applying events then shares commits with the webhook deliveries being stored instead of competing
// with them for SQLite's one writer (whose busy handler sleeps).
func (s *Store) SetParticipants(ctx context.Context, ps []meeting.Presence) (map[int64]meeting.Headcount, error) {
	var out map[int64]meeting.Headcount
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = make(map[int64]meeting.Headcount) // a batch that failed runs again, write by write
		for _, p := range meeting.LatestPresence(ps) {
			changed, err := setParticipant(ctx, tx, p)
			if err != nil {
				return err
			}
			hc := out[p.CardID]
			hc.Changed = hc.Changed || changed
			out[p.CardID] = hc
		}
		for id, hc := range out {
			err := tx.QueryRowContext(ctx, `SELECT present FROM card_presence WHERE card_id = ?`, id).Scan(&hc.In)
			if err != nil && err != sql.ErrNoRows { // no row: nobody has come yet
				return err
			}
			out[id] = hc
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: set participants: %w", err)
	}
	return out, nil
}

// setParticipant records p unless what is recorded of the participant supersedes it, moves the card's count
// (card_presence) when the participant's presence turned over, and reports whether it did.
func setParticipant(ctx context.Context, tx *sql.Tx, p meeting.Presence) (bool, error) {
	var was bool
	var wasAt int64
	err := tx.QueryRowContext(ctx, `SELECT present, at FROM card_participants WHERE card_id = ? AND key = ?`, p.CardID, p.Key).Scan(&was, &wasAt)
	seen := err == nil
	if err != nil && err != sql.ErrNoRows {
		return false, err
	}
	if seen && !p.Supersedes(meeting.Presence{Present: was, At: time.UnixMilli(wasAt)}) {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO card_participants (card_id, key, present, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (card_id, key) DO UPDATE SET present = excluded.present, at = excluded.at`,
		p.CardID, p.Key, boolInt(p.Present), p.At.UnixMilli()); err != nil {
		return false, err
	}
	if was == p.Present {
		return false, nil
	}
	delta := 1
	if !p.Present {
		delta = -1
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO card_presence (card_id, present) VALUES (?, ?)
		ON CONFLICT (card_id) DO UPDATE SET present = present + excluded.present`, p.CardID, delta)
	return err == nil, err
}

// TokenOwners lists the owners of a Zoom user's tokens.
func (s *Store) TokenOwners(ctx context.Context, zoomUserID string) ([]meeting.Owner, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT owner FROM tokens WHERE zoom_user_id = ?`, zoomUserID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: token owners: %w", err)
	}
	defer rows.Close()
	var out []meeting.Owner
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		out = append(out, meeting.Owner(o))
	}
	return out, rows.Err()
}

// sealEvent seals a job's event for storage; the key is the associated data, so a payload copied to another
// job does not open.
func (s *Store) sealEvent(j *meeting.Job) ([]byte, error) {
	if j.Event == nil {
		return nil, nil
	}
	b, err := json.Marshal(j.Event)
	if err != nil {
		return nil, err
	}
	return s.box.SealField(seal.JobPayload(j.Key), b)
}

// Enqueue stores a job unless its key was seen; a coalescing job merges into a pending one with its key. A
// pending job that has not started and runs no later already covers a coalescing one, and is not written (a
// burst of participant events asks for its card's refresh at every event); one that has started is merged
// into (its version moves), so that it runs once more.
func (s *Store) Enqueue(ctx context.Context, j *meeting.Job) (bool, error) {
	payload, err := s.sealEvent(j)
	if err != nil {
		return false, fmt.Errorf("sqlite: enqueue: %w", err)
	}
	now := s.now().UnixMilli()
	var added bool
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stmt := s.stmtJob
		if j.Coalesce {
			stmt = s.stmtJobCoalesce
		}
		res, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, j.Key, j.Kind, payload, j.CardID, ms(j.NotBefore), now, now)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		added = n > 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: enqueue: %w", err)
	}
	return added, nil
}

// Due moves received jobs into the queue, then claims up to limit due jobs for lease, in a transaction
// of the group commit (batch.go).
func (s *Store) Due(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*meeting.Job, error) {
	var out []*meeting.Job
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = nil // a batch that failed runs again, write by write
		if err := s.drainInbox(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `UPDATE jobs SET locked_until = ?, lease = lease + 1
			WHERE id IN (SELECT id FROM jobs WHERE status = 'pending' AND not_before <= ? AND locked_until <= ? ORDER BY not_before, id LIMIT ?)
			RETURNING `+jobColumns,
			now.Add(lease).UnixMilli(), now.UnixMilli(), now.UnixMilli(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := s.scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: due jobs: %w", err)
	}
	return out, nil
}

func (s *Store) scanJob(row interface{ Scan(...any) error }) (*meeting.Job, error) {
	var j meeting.Job
	var payload []byte
	var notBefore, created int64
	if err := row.Scan(&j.ID, &j.Key, &j.Kind, &payload, &j.CardID, &j.Attempts, &j.Version, &notBefore, &created, &j.LastError, &j.Lease); err != nil {
		return nil, err
	}
	j.NotBefore, j.CreatedAt = fromMS(notBefore), fromMS(created)
	if len(payload) > 0 {
		b, err := s.box.OpenField(seal.JobPayload(j.Key), payload)
		if err != nil {
			return nil, fmt.Errorf("opening job %s: %w", j.Key, err)
		}
		j.Event = &meeting.Event{}
		if err := json.Unmarshal(b, j.Event); err != nil {
			return nil, err
		}
	}
	return &j, nil
}

// jobColumns are what scanJob reads.
const jobColumns = `id, key, kind, payload, card_id, attempts, version, not_before, created_at, last_error, lease`

// Complete finishes a job: event jobs are kept (done, payload dropped) for deduplication, refresh jobs are
// deleted unless merged into since they were claimed, in which case they run again. A claim that is no
// longer the job's (its lease ran out and the job was claimed again) changes nothing: meeting.ErrLeaseLost.
func (s *Store) Complete(ctx context.Context, j *meeting.Job) error {
	lost, err := s.CompleteAll(ctx, []*meeting.Job{j})
	if err == nil && len(lost) > 0 {
		return fmt.Errorf("sqlite: complete job: %w", meeting.ErrLeaseLost)
	}
	return err
}

// CompleteAll completes jobs as Complete does, in one write, and returns those whose claim was taken over.
func (s *Store) CompleteAll(ctx context.Context, jobs []*meeting.Job) ([]*meeting.Job, error) {
	now := s.now().UnixMilli()
	// Through the group commit (batch.go): see SetParticipants. A lost lease is a result (no row changed),
	// not an error, so it never makes the batch it shares run again.
	var lost []*meeting.Job
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		lost = nil // a batch that failed runs again, write by write
		for _, j := range jobs {
			n, err := complete(ctx, tx, j, now)
			if err != nil {
				return err
			}
			if n == 0 {
				lost = append(lost, j)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: complete jobs: %w", err)
	}
	return lost, nil
}

// complete finishes one job in tx and returns how many rows it changed (0: the claim was taken over).
func complete(ctx context.Context, tx *sql.Tx, j *meeting.Job, now int64) (int64, error) {
	if j.Kind == meeting.JobRefresh {
		res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE id = ? AND version = ? AND lease = ?`, j.ID, j.Version, j.Lease)
		if n, err := rowsAffected(res, err); n > 0 || err != nil {
			return n, err
		}
		return rowsAffected(tx.ExecContext(ctx, `UPDATE jobs SET locked_until = 0, updated_at = ? WHERE id = ? AND lease = ?`, now, j.ID, j.Lease))
	}
	return rowsAffected(tx.ExecContext(ctx, `UPDATE jobs SET status = 'done', payload = NULL, locked_until = 0, updated_at = ? WHERE id = ? AND lease = ?`,
		now, j.ID, j.Lease))
}

// rowsAffected is res's count of changed rows (0 after an error).
func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// leaseHeld turns the result of a write guarded by a job's lease into the caller's error: the write's own
// failure, or meeting.ErrLeaseLost when it changed nothing because the claim was taken over.
func leaseHeld(doing string, res sql.Result, err error) error {
	n, err := rowsAffected(res, err)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", doing, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", doing, meeting.ErrLeaseLost)
	}
	return nil
}

// Retry schedules a failed job again at at.
func (s *Store) Retry(ctx context.Context, j *meeting.Job, at time.Time, lastErr string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET attempts = attempts + 1, not_before = ?, locked_until = 0, last_error = ?, updated_at = ?
		WHERE id = ? AND lease = ?`, at.UnixMilli(), lastErr, s.now().UnixMilli(), j.ID, j.Lease)
	return leaseHeld("retry job", res, err)
}

// Bury keeps a job that can never succeed as a dead letter.
func (s *Store) Bury(ctx context.Context, j *meeting.Job, lastErr string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET status = 'dead', attempts = attempts + 1, locked_until = 0, last_error = ?, updated_at = ?
		WHERE id = ? AND lease = ?`, lastErr, s.now().UnixMilli(), j.ID, j.Lease)
	return leaseHeld("bury job", res, err)
}

// DeadLetters lists the newest dead jobs.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]*meeting.Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE status = 'dead' ORDER BY updated_at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dead letters: %w", err)
	}
	defer rows.Close()
	var out []*meeting.Job
	for rows.Next() {
		j, err := s.scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
