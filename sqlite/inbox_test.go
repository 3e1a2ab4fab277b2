package sqlite

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
)

// TestInboxAcrossRestarts: the replay check is answered from memory, so it must be rebuilt when the store
// opens again (after a crash, too), forget requests only once they could no longer verify, and moved rows must
// be applied once whatever the restarts.
func TestInboxAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mmzoom.db")
	box, err := seal.NewBox(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	open := func() *Store {
		s, err := Open(ctx, path, box, clock)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	receivedAt := func(uuid, nonce string) *meeting.Job {
		ev := meeting.Event{Type: meeting.EventMeetingEnded, MeetingID: 81000000001, UUID: uuid, EndTime: clock()}
		return &meeting.Job{Key: ev.DedupeKey(), Kind: meeting.JobEvent, Event: &ev, Nonce: nonce, NotBefore: clock(), CreatedAt: clock()}
	}
	s := open()
	for _, n := range []string{"req-1", "req-2"} {
		if err := s.Receive(ctx, receivedAt("u-"+n, n)); err != nil {
			t.Fatal(err)
		}
	}
	// Closing without draining stands for a crash: what was acknowledged is on disk, nothing else.
	s.Close()
	s = open()
	if err := s.Receive(ctx, receivedAt("u-req-1", "req-1")); meeting.KindOf(err) != meeting.KindActionInvalid {
		t.Fatalf("a request received before the restart was accepted again: %v", err)
	}
	due, err := s.Due(ctx, clock(), 10, time.Minute)
	if err != nil || len(due) != 2 {
		t.Fatalf("due after restart: %d jobs, %v; want the 2 received", len(due), err)
	}
	for _, j := range due {
		_ = s.Complete(ctx, j)
	}
	s.Close()

	// Moved rows are not moved again after a restart, and their nonces are still refused.
	s = open()
	if again, _ := s.Due(ctx, clock(), 10, time.Minute); len(again) != 0 {
		t.Fatalf("jobs moved before the restart were moved again: %+v", again)
	}
	if err := s.Receive(ctx, receivedAt("u-req-2", "req-2")); meeting.KindOf(err) != meeting.KindActionInvalid {
		t.Fatalf("a moved request was accepted again: %v", err)
	}

	// Past nonceLife the request could not verify (its timestamp is stale), so the janitor's Prune forgets
	// it: its row and its nonce go. A new event then still gets through.
	advance(nonceLife + 2*time.Minute)
	if err := s.Prune(ctx, clock()); err != nil {
		t.Fatal(err)
	}
	if err := s.Receive(ctx, receivedAt("u-req-3", "req-3")); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM inbox`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("inbox holds %d rows (%v), want only the new one", rows, err)
	}
	s.replays.mu.Lock()
	_, kept := s.replays.seen["req-1"]
	s.replays.mu.Unlock()
	if kept {
		t.Error("an expired nonce is still held in memory")
	}
	due, _ = s.Due(ctx, clock(), 10, time.Minute)
	if len(due) != 1 || due[0].Event.UUID != "u-req-3" {
		t.Errorf("due %+v, want the new event only", due)
	}
	s.Close()
}

// TestCheckpointKeepsTheWALSmall: commits do not checkpoint (wal_autocheckpoint=0), so the store's own
// checkpoints must bring a WAL grown past restartAfter back to the start of the file.
func TestCheckpointKeepsTheWALSmall(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, filepath.Join(t.TempDir(), "mmzoom.db"), newKey(t))
	defer s.Close()
	walPages := func() int {
		var busy, log, done int
		if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
			t.Fatal(err)
		}
		return log
	}
	pad := strings.Repeat("x", 3000) // about a page per event
	var wg sync.WaitGroup
	for w := range 8 { // concurrent commits, as under load
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < restartAfter*3/2; i += 8 {
				j := received(i)
				j.Event.ParticipantName = pad
				if err := s.Receive(ctx, j); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	s.checkpoint(ctx)
	if err := s.Receive(ctx, received(-1)); err != nil {
		t.Fatal(err)
	}
	if n := walPages(); n > 100 {
		t.Errorf("after the checkpoint the WAL holds %d pages; want the log restarted", n)
	}
}

// received is a participant's join as Zoom delivers it, in request i.
func received(i int) *meeting.Job {
	n := strconv.Itoa(i)
	ev := meeting.Event{Type: meeting.EventParticipantJoined, MeetingID: 81234567890, UUID: "bench==", Participant: "p" + n,
		ParticipantName: "P " + n, At: time.Now()}
	return &meeting.Job{Key: ev.DedupeKey(), Kind: meeting.JobEvent, Event: &ev, Nonce: "zoom-webhook:" + n,
		NotBefore: time.Now(), CreatedAt: time.Now()}
}
