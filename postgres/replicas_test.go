package postgres

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/postgres/pgtest"
	"github.com/mmzoom/mmzoom/storetest"
)

var t0 = time.Date(2031, 3, 9, 9, 0, 0, 0, time.UTC)

func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	dsn, box := pgtest.DSN(t), newBox(t)
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(context.Background(), dsn, box, storetest.NewClock(t0).Now)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d failed to start: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	var applied int
	if err := stores[0].pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	if applied != len(files) {
		t.Errorf("%d migrations recorded, want each of the %d once", applied, len(files))
	}
	// Every replica works on the one schema.
	if err := stores[1].SaveSettings(context.Background(), &meeting.UserSettings{UserID: "u", PMI: meeting.PMIAlways}); err != nil {
		t.Fatal(err)
	}
	if set, err := stores[3].Settings(context.Background(), "u"); err != nil || set.PMI != meeting.PMIAlways {
		t.Errorf("settings across replicas: %+v %v", set, err)
	}
}

// Sequence numbers are handed out when rows are inserted, but transactions commit in any order: a received
// event with a lower id can become visible after one with a higher id was already moved into the jobs.
func TestReceivedEventsCommittedOutOfOrderAreNotSkipped(t *testing.T) {
	ctx := context.Background()
	s := openFresh(t, storetest.NewClock(t0).Now)
	mk := func(uuid, nonce string) *meeting.Job {
		e := meeting.Event{Type: meeting.EventMeetingEnded, MeetingID: 1, UUID: uuid, EndTime: t0}
		return &meeting.Job{Key: e.DedupeKey(), Kind: meeting.JobEvent, Event: &e, Nonce: nonce, NotBefore: t0, CreatedAt: t0}
	}
	slow, err := s.pool.Begin(ctx) // a delivery whose commit is late
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback(ctx)
	if err := s.receive(ctx, slow, mk("early==", "req-1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Receive(ctx, mk("late==", "req-2")); err != nil { // a higher id, committed first
		t.Fatal(err)
	}
	jobs, err := s.Due(ctx, t0, 10, time.Minute)
	if err != nil || len(jobs) != 1 || jobs[0].Event.UUID != "late==" {
		t.Fatalf("first drain: %+v %v", jobs, err)
	}
	if err := s.Complete(ctx, jobs[0]); err != nil {
		t.Fatal(err)
	}
	if err := slow.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	jobs, err = s.Due(ctx, t0, 10, time.Minute)
	if err != nil || len(jobs) != 1 || jobs[0].Event.UUID != "early==" {
		t.Fatalf("the event committed after a later one was moved was skipped: %+v %v", jobs, err)
	}
}

func TestNoSecretInTheTables(t *testing.T) {
	ctx := context.Background()
	s := openFresh(t, storetest.NewClock(t0).Now)
	secrets := []string{"access-SECRET-0001", "refresh-SECRET-0002", "access-SECRET-0003", "verifier-SECRET-0004", "987654",
		"recording-pass-SECRET-5", "recording-pass-SECRET-6"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SaveToken(ctx, meeting.UserOwner("u1"), &meeting.Token{AccessToken: secrets[0], RefreshToken: secrets[1], ZoomEmail: "u1@example.com"}))
	must(s.SaveToken(ctx, meeting.AccountOwner, &meeting.Token{AccessToken: secrets[2]}))
	must(s.SaveConnect(ctx, &meeting.ConnectState{ID: "st", Owner: meeting.UserOwner("u1"), UserID: "u1", Verifier: secrets[3], Expires: t0.Add(time.Hour)}))
	must(s.CreateCard(ctx, &meeting.Card{ChannelID: "c", CreatorID: "u1", MeetingID: 1, Passcode: secrets[4], Status: meeting.StatusWaiting, CreatedAt: t0}))
	_, err := s.Enqueue(ctx, &meeting.Job{Key: "k", Kind: meeting.JobEvent, NotBefore: t0, CreatedAt: t0,
		Event: &meeting.Event{Type: meeting.EventRecordingCompleted, Recording: &meeting.Recording{Passcode: secrets[5]}}})
	must(err)
	must(s.Receive(ctx, &meeting.Job{Key: "k2", Kind: meeting.JobEvent, Nonce: "req-1", NotBefore: t0, CreatedAt: t0,
		Event: &meeting.Event{Type: meeting.EventRecordingCompleted, Recording: &meeting.Recording{Passcode: secrets[6]}}}))

	// Every row of every table, as text; bytea columns print as hex, so secrets are looked for in hex too.
	var dump bytes.Buffer
	rows, err := s.pool.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	must(err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(err)
	for _, table := range tables {
		rows, err := s.pool.Query(ctx, `SELECT t::text FROM `+pgx.Identifier{table}.Sanitize()+` t`)
		must(err)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		must(err)
		dump.WriteString(strings.Join(lines, "\n"))
	}
	for _, sec := range secrets {
		if bytes.Contains(dump.Bytes(), []byte(sec)) || bytes.Contains(dump.Bytes(), []byte(hex.EncodeToString([]byte(sec)))) {
			t.Errorf("the database holds %q in plaintext", sec)
		}
	}
	if !bytes.Contains(dump.Bytes(), []byte("u1@example.com")) {
		t.Error("the dump did not see the tables' contents: the scan would prove nothing")
	}
}

func TestSealedValuesAreBoundToTheirRow(t *testing.T) {
	ctx := context.Background()
	s := openFresh(t, storetest.NewClock(t0).Now)
	_ = s.SaveToken(ctx, meeting.UserOwner("alice"), &meeting.Token{AccessToken: "alice-token"})
	_ = s.SaveToken(ctx, meeting.UserOwner("mallory"), &meeting.Token{AccessToken: "mallory-token"})
	if _, err := s.pool.Exec(ctx, `UPDATE tokens SET access = (SELECT access FROM tokens WHERE owner = 'user:alice') WHERE owner = 'user:mallory'`); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.Token(ctx, meeting.UserOwner("mallory")); err == nil {
		t.Fatalf("a token copied to another row opened: %q", tok.AccessToken)
	}
}

// heldUntil checks that replica b cannot take meeting held's lock until unlock releases it, while it takes
// meeting free's at once.
func heldUntil(t *testing.T, unlock func(), b *Store, held, free int64) {
	t.Helper()
	ctx := context.Background()
	got := make(chan struct{})
	go func() {
		u, err := b.LockMeeting(ctx, held)
		if err == nil {
			u()
		}
		close(got)
	}()
	other, err := b.LockMeeting(ctx, free)
	if err != nil {
		t.Fatal(err)
	}
	other()
	select {
	case <-got:
		t.Fatal("two replicas held one meeting's lock at once")
	default:
	}
	unlock()
	<-got
}

func TestLocksHoldAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	dsn, box := pgtest.DSN(t), newBox(t)
	a := openDSN(t, dsn, box, storetest.NewClock(t0).Now)
	b := openDSN(t, dsn, box, storetest.NewClock(t0).Now)

	t.Run("one replica at a time holds a meeting", func(t *testing.T) {
		unlock, err := a.LockMeeting(ctx, 81000000001)
		if err != nil {
			t.Fatal(err)
		}
		heldUntil(t, unlock, b, 81000000001, 81000000002)
	})

	t.Run("several meetings held at once, and by two replicas in any order without waiting forever", func(t *testing.T) {
		unlock, err := a.LockMeetings(ctx, []int64{81000000013, 81000000011, 81000000012})
		if err != nil {
			t.Fatal(err)
		}
		heldUntil(t, unlock, b, 81000000012, 81000000014)
		// Two replicas taking overlapping sets, named in opposite orders, over and over: PostgreSQL would
		// report a deadlock as an error.
		sets := [][]int64{{81000000021, 81000000022, 81000000023}, {81000000023, 81000000022, 81000000021}}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					u, err := []*Store{a, b}[i%2].LockMeetings(ctx, sets[i%2])
					if err != nil {
						t.Error(err)
						return
					}
					u()
				}
			}()
		}
		wg.Wait()
	})

	t.Run("a periodic job runs on one replica at a time", func(t *testing.T) {
		unlock, ok, err := a.TryLock(ctx, "reconcile")
		if err != nil || !ok {
			t.Fatalf("first TryLock: %v %v", ok, err)
		}
		if _, ok, err := b.TryLock(ctx, "reconcile"); err != nil || ok {
			t.Fatalf("a second replica took a held job lock: %v %v", ok, err)
		}
		unlock()
		u, ok, err := b.TryLock(ctx, "reconcile")
		if err != nil || !ok {
			t.Fatalf("a released job lock was not free: %v %v", ok, err)
		}
		u()
	})

	t.Run("a token's refresh is one replica's at a time, and a refusal's forgetting is kept", func(t *testing.T) {
		owner := meeting.UserOwner("u1")
		_ = a.SaveToken(ctx, owner, &meeting.Token{AccessToken: "a0", RefreshToken: "r0"})
		inside := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- a.LockToken(ctx, owner, func(ts meeting.Tokens) error {
				close(inside)
				<-release
				return ts.SaveToken(ctx, owner, &meeting.Token{AccessToken: "a1", RefreshToken: "r1"})
			})
		}()
		<-inside
		seen := make(chan string, 1)
		go func() {
			_ = b.LockToken(ctx, owner, func(ts meeting.Tokens) error {
				tok, err := ts.Token(ctx, owner)
				if err != nil {
					return err
				}
				seen <- tok.RefreshToken
				return ts.DeleteToken(ctx, owner)
			})
			close(seen)
		}()
		select {
		case r := <-seen:
			t.Fatalf("a second replica got the token lock while the first refreshed (read %q)", r)
		case <-time.After(100 * time.Millisecond):
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if r := <-seen; r != "r1" {
			t.Errorf("the second replica read %q under the lock, want the rotated r1", r)
		}
		for range seen { // until the second replica's transaction has committed
		}
		if _, err := a.Token(ctx, owner); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("a token deleted under the lock came back: %v", err)
		}
	})
}
