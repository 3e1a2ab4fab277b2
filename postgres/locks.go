package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mmzoom/mmzoom/meeting"
)

// The rules that span several statements hold across replicas through PostgreSQL's advisory locks, which
// every replica shares and which die with the session holding them: a replica killed while holding one
// releases it.

var (
	_ meeting.Locker      = (*Store)(nil)
	_ meeting.TokenLocker = (*Store)(nil)
)

// LockMeeting waits for the lock of a meeting's cards, held by one replica at a time. It is a session lock
// on a connection kept until unlock: the work under it (reading a card, asking Mattermost, writing the card)
// runs on other connections.
func (s *Store) LockMeeting(ctx context.Context, meetingID int64) (func(), error) {
	return s.sessionLock(ctx, "meeting:"+strconv.FormatInt(meetingID, 10), false)
}

// LockMeetings waits for the locks of several meetings' cards, on one connection kept until unlock, in the
// order of their keys: every holder of several takes them in that order, so two cannot wait for each other.
func (s *Store) LockMeetings(ctx context.Context, meetingIDs []int64) (func(), error) {
	keys := make([]int64, len(meetingIDs))
	for i, id := range meetingIDs {
		keys[i] = lockKey("meeting:" + strconv.FormatInt(id, 10))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: lock meetings: %w", err)
	}
	// A volatile function in the select list runs after the ORDER BY: one lock after the other, in order.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS u (k, n) ORDER BY n`, keys); err != nil {
		release(conn, false)
		return nil, fmt.Errorf("postgres: lock meetings: %w", err)
	}
	return func() {
		// The connection holds only these locks.
		_, err := conn.Exec(context.Background(), `SELECT pg_advisory_unlock_all()`)
		release(conn, err == nil)
	}, nil
}

// TryLock takes the lock called name unless a replica holds it.
func (s *Store) TryLock(ctx context.Context, name string) (func(), bool, error) {
	unlock, err := s.sessionLock(ctx, "job:"+name, true)
	return unlock, unlock != nil, err
}

// sessionLock takes an advisory lock on a connection of its own and returns its release; with try, it
// returns a nil release when another session holds the lock.
func (s *Store) sessionLock(ctx context.Context, name string, try bool) (func(), error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: lock %s: %w", name, err)
	}
	key := lockKey(name)
	if try {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil || !ok {
			conn.Release()
			if err != nil {
				return nil, fmt.Errorf("postgres: lock %s: %w", name, err)
			}
			return nil, nil
		}
	} else if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		release(conn, false)
		return nil, fmt.Errorf("postgres: lock %s: %w", name, err)
	}
	return func() {
		_, err := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		release(conn, err == nil)
	}, nil
}

// release gives a connection back to the pool; one whose lock may still be held is closed, which releases
// every lock of its session.
func release(conn *pgxpool.Conn, clean bool) {
	if !clean {
		_ = conn.Conn().Close(context.Background())
	}
	conn.Release()
}

// LockToken runs f holding owner's token lock, in one transaction with a transaction-scoped advisory lock:
// f's reads and writes of the token go through that transaction (one connection), and the lock is released
// when it commits, once the refreshed token is stored.
func (s *Store) LockToken(ctx context.Context, owner meeting.Owner, f func(meeting.Tokens) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("token:"+string(owner))); err != nil {
			return fmt.Errorf("postgres: token lock: %w", err)
		}
		return f(tokens{tx, s.box, s.now})
	})
}
