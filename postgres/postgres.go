// Package postgres is mmzoom's store for several replicas: every replica opens the same PostgreSQL database
// (github.com/jackc/pgx/v5) and they behave as one service. Jobs are claimed with FOR UPDATE SKIP LOCKED
// under a lease number that Complete, Retry and Bury check; the webhook replay check is a unique key every
// replica sees; the per-meeting ordering rule, token refreshes and periodic jobs hold across replicas
// through advisory locks (locks.go). Secrets are sealed (package seal) exactly as the SQLite store seals them.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a meeting.Store and meeting.Queue on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	box  *seal.Box
	now  func() time.Time
}

var (
	_ meeting.Store = (*Store)(nil)
	_ meeting.Queue = (*Store)(nil)
)

// QueueLanes is how many jobs a replica's queue processor applies at once on PostgreSQL. Three replicas on one
// server, four lanes each, applied a burst of participant events 20 % faster than one lane each, with their
// acknowledgements 15 % slower; sixteen lanes each slowed the acknowledgements further (their p99 to 57-80
// ms) for no faster applying, all replicas' statements going to the one server (BENCHMARKS.md).
const QueueLanes = 4

// minConns is the least size of the connection pool: a meeting lock or a periodic job's lock holds a
// connection while the work under it uses others (see locks.go). The queue's processor holds up to
// QueueLanes meeting locks at once (a batch's participant runs hold one connection for all their meetings'
// locks, before the lanes start), reconciliation two, a button on a scheduled card one: the 8 beyond the
// processor's leave the work under them room to run.
const minConns = 8 + QueueLanes

// Open connects to the database named by dsn (postgres://… or postgresql://…) and applies pending
// migrations, one replica at a time.
func Open(ctx context.Context, dsn string, box *seal.Box, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, password included.
		return nil, errors.New("postgres: the database URL cannot be parsed")
	}
	if cfg.MaxConns < minConns {
		cfg.MaxConns = minConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connecting: %w", err)
	}
	s := &Store{pool: pool, box: box, now: now}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// lockKey turns a name into an advisory lock key. Distinct names share a key only by a 64-bit hash
// collision, which would serialize two unrelated things, never break one.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("mmzoom:" + name))
	return int64(h.Sum64())
}

// migrate applies the embedded migrations not applied yet. Replicas starting together take turns on a
// session advisory lock, so each migration runs once and a replica never sees a half-migrated schema.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	key := lockKey("migrations")
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("postgres: migrate: waiting for the migration lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			// A session lock that cannot be released dies with its connection.
			_ = conn.Conn().Close(context.Background())
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at bigint NOT NULL)`); err != nil {
		return fmt.Errorf("postgres: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil || n > 0 {
				return err
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("applying %s: %w", name, err)
			}
			_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, s.now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
	}
	return nil
}

func notFound(what string) error {
	return &meeting.Error{Kind: meeting.KindNotFound, Err: errors.New("postgres: no such " + what)}
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// dbtx is what a pool and a transaction share: the statements of tokens.go run on either.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
