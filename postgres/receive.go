package postgres

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// Group commit of received events. Each webhook delivery is stored before Zoom hears 200; one insert and one
// commit per delivery made every delivery a round trip and a commit of its own on the server that all replicas
// (and Mattermost) share. The deliveries a replica receives at once are stored by one statement instead, in one
// transaction, each still stored before its request is answered.

// maxReceiveBatch bounds how many deliveries share a statement.
const maxReceiveBatch = 256

// maxReceiveYields is how many times the receiver lets other goroutines run while gathering a batch.
const maxReceiveYields = 4

// receiveTimeout bounds one batch's statement: its callers wait on their own contexts, the batch on this.
const receiveTimeout = 10 * time.Second

// errClosed is what a delivery gets after Close.
var errClosed = errors.New("postgres: store closed")

// receivedOp is one delivery waiting for its batch.
type receivedOp struct {
	nonce, key string
	meetingID  int64
	payload    []byte
	at         int64
	done       chan error
}

// Receive stores a received event in the inbox, in a statement shared with the deliveries this replica
// receives at the same moment. The inbox's unique nonce is the replay check, so a request received by any
// replica is refused by all of them (KindActionInvalid).
func (s *Store) Receive(ctx context.Context, j *meeting.Job) error {
	if j.Event == nil || j.Nonce == "" {
		return errors.New("postgres: receive: a received job has an event and a nonce")
	}
	payload, err := s.sealEvent(j)
	if err != nil {
		return fmt.Errorf("postgres: receive: %w", err)
	}
	op := &receivedOp{nonce: j.Nonce, key: j.Key, meetingID: j.Event.MeetingID, payload: payload, at: s.now().UnixMilli(),
		done: make(chan error, 1)}
	select {
	case s.received <- op:
	case <-s.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		// The delivery may still be stored: Zoom's next delivery of it is then refused as a replay only if it
		// carries this signature, which Zoom's own retries do not (each is signed anew).
		return ctx.Err()
	}
}

// receiver stores batches of deliveries until the store closes.
func (s *Store) receiver() {
	defer close(s.receiverStopped)
	for {
		var first *receivedOp
		select {
		case first = <-s.received:
		case <-s.quit:
			return
		}
		batch := []*receivedOp{first}
		yields := 0
	gather:
		for len(batch) < maxReceiveBatch {
			select {
			case op := <-s.received:
				batch = append(batch, op)
			default:
				// Let the handlers already running reach their delivery and join this statement; Gosched returns
				// at once when nothing else is runnable, so a quiet replica does not wait.
				if yields == maxReceiveYields {
					break gather
				}
				yields++
				runtime.Gosched()
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), receiveTimeout)
		err := s.insertReceived(ctx, s.pool, batch)
		cancel()
		if err != nil {
			for _, op := range batch {
				op.done <- fmt.Errorf("postgres: receive: %w", err)
			}
		}
	}
}

// insertReceived stores a batch of deliveries in one statement and answers each one's done: nil when it was
// stored, a replay when its nonce was stored before (by any replica, or earlier in the batch). It returns the
// statement's error, having answered no one.
func (s *Store) insertReceived(ctx context.Context, db dbtx, batch []*receivedOp) error {
	n := len(batch)
	nonces, keys, payloads := make([]string, 0, n), make([]string, 0, n), make([][]byte, 0, n)
	meetings, ats := make([]int64, 0, n), make([]int64, 0, n)
	first := make(map[string]bool, n)
	for _, op := range batch {
		if first[op.nonce] {
			continue // the same request twice in one batch: the second is a replay of the first
		}
		first[op.nonce] = true
		nonces, keys, payloads = append(nonces, op.nonce), append(keys, op.key), append(payloads, op.payload)
		meetings, ats = append(meetings, op.meetingID), append(ats, op.at)
	}
	rows, err := db.Query(ctx, `INSERT INTO inbox (nonce, key, meeting_id, payload, received_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[], $5::bigint[])
		ON CONFLICT (nonce) DO NOTHING RETURNING nonce`, nonces, keys, meetings, payloads, ats)
	if err != nil {
		return err
	}
	stored := make(map[string]bool, len(nonces))
	for rows.Next() {
		var nonce string
		if err := rows.Scan(&nonce); err != nil {
			rows.Close()
			return err
		}
		stored[nonce] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, op := range batch {
		if stored[op.nonce] {
			delete(stored, op.nonce) // answered once: a repeat later in the batch is a replay
			op.done <- nil
			continue
		}
		op.done <- &meeting.Error{Kind: meeting.KindActionInvalid, Err: errors.New("postgres: replayed request")}
	}
	return nil
}
