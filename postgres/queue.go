package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
)

// nonceLife is how long a webhook's replay nonce is kept: longer than the signature's timestamp window.
const nonceLife = 10 * time.Minute

// eventRetention is how long applied events are remembered to recognise Zoom's repeated deliveries.
const eventRetention = 7 * 24 * time.Hour

// drainBatch bounds how many received events one Due moves into jobs.
const drainBatch = 1024

// sealEvent seals a job's event; the key is the associated data, so a payload copied to another job does
// not open.
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

// Receive stores a received event in the inbox. The inbox's unique nonce is the replay check, so a request
// received by any replica is refused by all of them (KindActionInvalid).
func (s *Store) Receive(ctx context.Context, j *meeting.Job) error {
	return s.receive(ctx, s.pool, j)
}

func (s *Store) receive(ctx context.Context, db dbtx, j *meeting.Job) error {
	if j.Event == nil || j.Nonce == "" {
		return errors.New("postgres: receive: a received job has an event and a nonce")
	}
	payload, err := s.sealEvent(j)
	if err != nil {
		return fmt.Errorf("postgres: receive: %w", err)
	}
	tag, err := db.Exec(ctx, `INSERT INTO inbox (nonce, key, meeting_id, payload, received_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (nonce) DO NOTHING`, j.Nonce, j.Key, j.Event.MeetingID, payload, s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("postgres: receive: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return &meeting.Error{Kind: meeting.KindActionInvalid, Err: errors.New("postgres: replayed request")}
	}
	return nil
}

// Enqueue stores a job unless its key was seen; a coalescing job merges into a pending one with its key. A
// pending job that has not started and runs no later already covers a coalescing one, and is not written:
// a burst of participant events asks for its card's refresh at every event, and each merge was a new row
// version. One that has started is merged into (its version moves), so that it runs once more.
func (s *Store) Enqueue(ctx context.Context, j *meeting.Job) (bool, error) {
	payload, err := s.sealEvent(j)
	if err != nil {
		return false, fmt.Errorf("postgres: enqueue: %w", err)
	}
	now := s.now().UnixMilli()
	q := `INSERT INTO jobs (key, kind, payload, card_id, not_before, created_at, updated_at, meeting_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (key) DO NOTHING`
	if j.Coalesce {
		q = `INSERT INTO jobs (key, kind, payload, card_id, not_before, created_at, updated_at, meeting_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (key) DO UPDATE SET not_before = least(jobs.not_before, excluded.not_before), version = jobs.version + 1,
			updated_at = excluded.updated_at
		WHERE jobs.status = 'pending' AND (jobs.locked_until > excluded.updated_at OR excluded.not_before < jobs.not_before)`
	}
	var meetingID int64
	if j.Event != nil {
		meetingID = j.Event.MeetingID
	}
	tag, err := s.pool.Exec(ctx, q, j.Key, j.Kind, payload, j.CardID, ms(j.NotBefore), now, now, meetingID)
	if err != nil {
		return false, fmt.Errorf("postgres: enqueue: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

const jobColumns = `id, key, kind, payload, card_id, attempts, version, not_before, created_at, last_error, lease`

// Due moves received events into jobs, then claims up to limit due jobs for lease; each claim gets a new
// lease number.
//
// The events of one meeting are claimed in order across replicas: an event is not claimed while another
// event of its meeting is held by a claim (in flight on some replica, or on one that died, until its lease
// runs out), so a later event of a meeting cannot overtake an earlier one on another replica. (The meeting
// lock only makes them one at a time.) Claims take turns on an advisory lock so that each sees the
// claims committed before it; a claim is one short statement, the work runs outside it.
func (s *Store) Due(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*meeting.Job, error) {
	var out []*meeting.Job
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("claims")); err != nil {
			return err
		}
		// Received rows are picked by their drained flag, not by an id cursor: a row whose transaction
		// commits after rows with higher ids were moved is still picked up. Repeated deliveries of one event
		// (the same key) become one job; the first received wins.
		if _, err := tx.Exec(ctx, `WITH moved AS (
				UPDATE inbox SET drained = true WHERE id IN (
					SELECT id FROM inbox WHERE NOT drained ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
				RETURNING id, key, meeting_id, payload, received_at)
			INSERT INTO jobs (key, kind, payload, card_id, meeting_id, not_before, created_at, updated_at)
			SELECT key, $2, payload, 0, meeting_id, received_at, received_at, received_at FROM moved ORDER BY id
			ON CONFLICT (key) DO NOTHING`, drainBatch, meeting.JobEvent); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE jobs SET locked_until = $1, lease = lease + 1 WHERE id IN (
				SELECT j.id FROM jobs j WHERE j.status = 'pending' AND j.not_before <= $2 AND j.locked_until <= $2
					AND (j.meeting_id = 0 OR NOT EXISTS (SELECT 1 FROM jobs e WHERE e.meeting_id = j.meeting_id
						AND e.status = 'pending' AND e.locked_until > $2))
				ORDER BY j.not_before, j.id LIMIT $3 FOR UPDATE SKIP LOCKED)
			RETURNING `+jobColumns, now.Add(lease).UnixMilli(), now.UnixMilli(), limit)
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
		return nil, fmt.Errorf("postgres: due jobs: %w", err)
	}
	// RETURNING has no order; the processor gets the oldest first.
	slices.SortFunc(out, func(a, b *meeting.Job) int {
		return cmp.Or(a.NotBefore.Compare(b.NotBefore), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (s *Store) scanJob(row pgx.Row) (*meeting.Job, error) {
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

// leaseHeld turns the result of a write guarded by a job's lease into the caller's error: the write's own
// failure, or meeting.ErrLeaseLost when it changed nothing because the claim was taken over.
func leaseHeld(doing string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", doing, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s: %w", doing, meeting.ErrLeaseLost)
	}
	return nil
}

// Complete finishes a claimed job: event jobs are kept (done, payload dropped) for deduplication, refresh
// jobs are deleted unless merged into since they were claimed, in which case they run again. A claim that
// is no longer the job's changes nothing (meeting.ErrLeaseLost).
func (s *Store) Complete(ctx context.Context, j *meeting.Job) error {
	now := s.now().UnixMilli()
	if j.Kind == meeting.JobRefresh {
		tag, err := s.pool.Exec(ctx, `DELETE FROM jobs WHERE id = $1 AND version = $2 AND lease = $3`, j.ID, j.Version, j.Lease)
		if err != nil || tag.RowsAffected() > 0 {
			return leaseHeld("complete job", tag, err)
		}
		tag, err = s.pool.Exec(ctx, `UPDATE jobs SET locked_until = 0, updated_at = $1 WHERE id = $2 AND lease = $3`, now, j.ID, j.Lease)
		return leaseHeld("complete job", tag, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE jobs SET status = 'done', payload = NULL, locked_until = 0, updated_at = $1 WHERE id = $2 AND lease = $3`,
		now, j.ID, j.Lease)
	return leaseHeld("complete job", tag, err)
}

// CompleteAll completes jobs as Complete does and returns those whose claim was taken over. The event jobs,
// what a burst of participant events leaves, are completed by one statement; others one by one.
func (s *Store) CompleteAll(ctx context.Context, jobs []*meeting.Job) ([]*meeting.Job, error) {
	var lost, events []*meeting.Job
	var ids, leases []int64
	for _, j := range jobs {
		if j.Kind != meeting.JobEvent {
			if err := s.Complete(ctx, j); errors.Is(err, meeting.ErrLeaseLost) {
				lost = append(lost, j)
			} else if err != nil {
				return lost, err
			}
			continue
		}
		events = append(events, j)
		ids, leases = append(ids, j.ID), append(leases, j.Lease)
	}
	if len(events) == 0 {
		return lost, nil
	}
	rows, err := s.pool.Query(ctx, `UPDATE jobs SET status = 'done', payload = NULL, locked_until = 0, updated_at = $1
		FROM unnest($2::bigint[], $3::bigint[]) AS c (id, lease) WHERE jobs.id = c.id AND jobs.lease = c.lease
		RETURNING jobs.id`, s.now().UnixMilli(), ids, leases)
	if err != nil {
		return lost, fmt.Errorf("postgres: complete jobs: %w", err)
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return lost, fmt.Errorf("postgres: complete jobs: %w", err)
	}
	for _, j := range events {
		if !slices.Contains(done, j.ID) {
			lost = append(lost, j)
		}
	}
	return lost, nil
}

// Retry schedules a failed job again at at.
func (s *Store) Retry(ctx context.Context, j *meeting.Job, at time.Time, lastErr string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE jobs SET attempts = attempts + 1, not_before = $1, locked_until = 0, last_error = $2, updated_at = $3
		WHERE id = $4 AND lease = $5`, at.UnixMilli(), lastErr, s.now().UnixMilli(), j.ID, j.Lease)
	return leaseHeld("retry job", tag, err)
}

// Bury keeps a job that can never succeed as a dead letter.
func (s *Store) Bury(ctx context.Context, j *meeting.Job, lastErr string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE jobs SET status = 'dead', attempts = attempts + 1, locked_until = 0, last_error = $1, updated_at = $2
		WHERE id = $3 AND lease = $4`, lastErr, s.now().UnixMilli(), j.ID, j.Lease)
	return leaseHeld("bury job", tag, err)
}

// DeadLetters lists the newest dead jobs.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]*meeting.Job, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE status = 'dead' ORDER BY updated_at DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: dead letters: %w", err)
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

// Prune deletes what has outlived its use as of now: connect links that expired a day ago, button nonces an
// hour past their expiry, received events already moved to jobs whose request could no longer verify, and
// applied events older than eventRetention.
func (s *Store) Prune(ctx context.Context, now time.Time) error {
	steps := []struct {
		what  string
		query string
		arg   int64
	}{
		{"connect states", `DELETE FROM connect_states WHERE expires < $1`, now.Add(-24 * time.Hour).UnixMilli()},
		{"nonces", `DELETE FROM nonces WHERE expires < $1`, now.Add(-time.Hour).UnixMilli()},
		{"inbox", `DELETE FROM inbox WHERE drained AND received_at < $1`, now.Add(-nonceLife).UnixMilli()},
		{"applied events", `DELETE FROM jobs WHERE status = 'done' AND updated_at < $1`, now.Add(-eventRetention).UnixMilli()},
	}
	for _, st := range steps {
		if _, err := s.pool.Exec(ctx, st.query, st.arg); err != nil {
			return fmt.Errorf("postgres: pruning %s: %w", st.what, err)
		}
	}
	return nil
}
