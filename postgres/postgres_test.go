package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/postgres/pgtest"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/storetest"
)

func newBox(t *testing.T) *seal.Box { return newBoxB(t) }

func newBoxB(t testing.TB) *seal.Box {
	t.Helper()
	s, _ := seal.GenerateKey()
	k, err := seal.ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := seal.NewBox(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openDSN opens a store on dsn (closed when t ends).
func openDSN(t *testing.T, dsn string, box *seal.Box, now func() time.Time) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, box, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openFresh opens a store on a schema of its own.
func openFresh(t *testing.T, now func() time.Time) *Store {
	return openDSN(t, pgtest.DSN(t), newBox(t), now)
}

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) meeting.Store { return openFresh(t, now) })
}

func TestQueueContract(t *testing.T) {
	storetest.RunQueue(t, func(t *testing.T, now func() time.Time) meeting.Queue { return openFresh(t, now) })
}

func TestReplicasContract(t *testing.T) {
	storetest.RunReplicas(t, func(t *testing.T, now func() time.Time, n int) []storetest.Replica {
		dsn, box := pgtest.DSN(t), newBox(t)
		out := make([]storetest.Replica, n)
		for i := range out {
			out[i] = openDSN(t, dsn, box, now)
		}
		return out
	})
}

// A database that cannot be reached, or a URL that cannot be read, is said without the URL's password.
func TestOpenErrorsKeepThePasswordOut(t *testing.T) {
	for _, dsn := range []string{
		"postgres://mmzoom:hunter2@127.0.0.1:1/mmzoom?connect_timeout=2&sslmode=disable",
		"postgres://mmzoom:hunter2@[::1/mmzoom",
	} {
		s, err := Open(context.Background(), dsn, newBox(t), time.Now)
		if err == nil {
			s.Close()
			t.Fatalf("%s opened", dsn)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

// A database from before migration 0004 gets each card's count of participants from its participant rows.
func TestPresenceMigrationCountsParticipantsAlreadyIn(t *testing.T) {
	ctx := context.Background()
	dsn, box := pgtest.DSN(t), newBox(t)
	s := openDSN(t, dsn, box, time.Now)
	c := &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: 1, Status: meeting.StatusStarted, CreatedAt: time.Unix(0, 0)}
	if err := s.CreateCard(ctx, c); err != nil {
		t.Fatal(err)
	}
	// The rows as the store before 0004 left them, and no count.
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DROP TABLE card_presence`, nil},
		{`DELETE FROM schema_migrations WHERE name = 'migrations/0004_card_presence.sql'`, nil},
		{`INSERT INTO card_participants (card_id, key, present, at) VALUES ($1, 'a', true, 1000), ($1, 'b', true, 1000), ($1, 'c', false, 1000), ($1 + 1, 'a', true, 1000)`, []any{c.ID}},
	} {
		if _, err := s.pool.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = openDSN(t, dsn, box, time.Now)
	counts, err := s.SetParticipants(ctx, []meeting.Presence{{CardID: c.ID, Key: "d", Present: true, At: time.UnixMilli(2000)}})
	if want := (meeting.Headcount{In: 3, Changed: true}); err != nil || counts[c.ID] != want {
		t.Errorf("a fourth participant joins after the migration: %+v, %v; want %+v", counts[c.ID], err, want)
	}
}
