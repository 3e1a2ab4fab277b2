package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/postgres"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sqlite"
)

// MMZOOM_DATABASE picks the store by its scheme: postgres:// or postgresql:// is PostgreSQL (several
// replicas may share it); sqlite://<path>, or a plain path, is a SQLite file (one process).

// database is a parsed MMZOOM_DATABASE.
type database struct {
	postgres bool
	target   string // the PostgreSQL DSN, or the SQLite file's path
}

// parseDatabase reads MMZOOM_DATABASE; the error never repeats the value (a DSN may carry a password).
func parseDatabase(s string) (database, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		return database{postgres: true, target: s}, nil
	case strings.HasPrefix(s, "sqlite://"):
		s = strings.TrimPrefix(s, "sqlite://")
	case strings.Contains(s, "://"):
		return database{}, &databaseError{scheme: s[:strings.Index(s, "://")]}
	}
	if s == "" {
		return database{}, &databaseError{}
	}
	return database{target: s}, nil
}

// databaseError is an MMZOOM_DATABASE that names no database: an unknown scheme, or no SQLite file ("").
type databaseError struct{ scheme string }

func (e *databaseError) Error() string { return e.text(cliText{}) }

// text says what is wrong in the admin's language.
func (e *databaseError) text(tx cliText) string {
	if e.scheme == "" {
		return tx.T("cli.config.database_no_file")
	}
	return tx.T("cli.config.database_scheme", "Scheme", e.scheme)
}

// databaseProblem is an error of parseDatabase in the admin's language.
func databaseProblem(tx cliText, err error) string {
	var de *databaseError
	if errors.As(err, &de) {
		return de.text(tx)
	}
	return err.Error()
}

// store is what the wiring needs of either store.
type store interface {
	meeting.Store
	meeting.Queue
	meeting.PolicyStore
	meeting.GrantStore
	meeting.ReplyStore
	meeting.ScheduleStore
	meeting.QueueStatser
	Ping(ctx context.Context) error
	Close() error
}

// opened is an open store and, for PostgreSQL, the locks that make per-meeting ordering, periodic jobs and
// token refreshes hold across replicas (nil for SQLite: one process, in-process locks suffice).
type opened struct {
	store       store
	locker      meeting.Locker
	tokenLocker meeting.TokenLocker
	// lanes is how many jobs the queue processor applies at once on this store (meeting.Processor.SetLanes).
	lanes int
}

// openDatabase opens the store db names.
func openDatabase(ctx context.Context, db database, box *seal.Box, now func() time.Time) (*opened, error) {
	if db.postgres {
		s, err := postgres.Open(ctx, db.target, box, now)
		if err != nil {
			return nil, err
		}
		return &opened{store: s, locker: s, tokenLocker: s, lanes: postgres.QueueLanes}, nil
	}
	s, err := sqlite.Open(ctx, db.target, box, now)
	if err != nil {
		return nil, err
	}
	return &opened{store: s, lanes: sqlite.QueueLanes}, nil
}
