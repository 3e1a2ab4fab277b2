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
