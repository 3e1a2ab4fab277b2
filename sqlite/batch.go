package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
)

// Group commit: the writes of concurrent requests (a webhook delivery appended to the inbox, a button's
// nonce, a job) are gathered into one transaction. A commit per request would cap ingest at what the disk and SQLite's lock allow one at a time;
// batching keeps every write durable before its request is answered while sharing the commit.

// maxBatch bounds how many writes share a transaction.
const maxBatch = 256

// maxYields is how many times the writer lets other goroutines run while gathering a batch.
const maxYields = 4

type writeOp struct {
	f    func(context.Context, *sql.Tx) error
	done chan error
}

// errClosed is what a write gets after Close.
var errClosed = errors.New("sqlite: store closed")

// write runs f inside a shared transaction and returns once that transaction committed (or failed). f gets the
// batch's context, not ctx: one caller giving up must not abort the statements of the others.
func (s *Store) write(ctx context.Context, f func(context.Context, *sql.Tx) error) error {
	op := writeOp{f: f, done: make(chan error, 1)}
	select {
	case s.ops <- op:
	case <-s.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		// The write may still commit; the caller's retry is safe because every batched write is idempotent.
		return ctx.Err()
	}
}

// writer commits batches of writes until the store closes.
func (s *Store) writer() {
	defer close(s.stopped)
	for {
		var first writeOp
		select {
		case first = <-s.ops:
		case <-s.quit:
			return
		}
		batch := []writeOp{first}
		yields := 0
	drain:
		for len(batch) < maxBatch {
			select {
			case op := <-s.ops:
				batch = append(batch, op)
			default:
				// Before committing, let the handlers that are already running reach their write and join
				// this commit: a commit costs about the same for one write as for twenty. Gosched returns at
				// once when nothing else is runnable, so a quiet server does not wait.
				if yields == maxYields {
					break drain
				}
				yields++
				runtime.Gosched()
			}
		}
		s.commit(batch)
	}
}

// commit runs a batch in one transaction. Batched writes rarely fail (they are idempotent inserts); when one
// does, the batch is rolled back and each write runs again in its own transaction, so that only the failing
// one reports its error.
func (s *Store) commit(batch []writeOp) {
	if len(batch) > 1 {
		if err := s.runTx(batch); err == nil {
			for _, op := range batch {
				op.done <- nil
			}
			return
		}
	}
	for _, op := range batch {
		op.done <- s.runTx([]writeOp{op})
	}
}

func (s *Store) runTx(ops []writeOp) error {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, op := range ops {
		if err := op.f(ctx, tx); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}
