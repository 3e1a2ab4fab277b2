package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/postgres"
	"github.com/mmzoom/mmzoom/postgres/pgtest"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sqlite"
)

func TestDatabaseIsChosenByScheme(t *testing.T) {
	for _, c := range []struct {
		in       string
		postgres bool
		target   string
		err      string
	}{
		{in: "sqlite://mmzoom.db", target: "mmzoom.db"},
		{in: "sqlite:///var/lib/mmzoom/mmzoom.db", target: "/var/lib/mmzoom/mmzoom.db"},
		{in: "/var/lib/mmzoom/mmzoom.db", target: "/var/lib/mmzoom/mmzoom.db"},
		{in: "mmzoom.db", target: "mmzoom.db"},
		{in: "postgres://mmzoom:pw@db:5432/mmzoom?sslmode=require", postgres: true, target: "postgres://mmzoom:pw@db:5432/mmzoom?sslmode=require"},
		{in: "postgresql://db/mmzoom", postgres: true, target: "postgresql://db/mmzoom"},
		{in: "sqlite://", err: "names no SQLite file"},
		{in: "mysql://root:hunter2@db/mmzoom", err: "mysql:// is none of them"},
	} {
		got, err := parseDatabase(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: error %v, want one saying %q without the password", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got.postgres != c.postgres || got.target != c.target {
			t.Errorf("%s: %+v %v, want postgres=%v %s", c.in, got, err, c.postgres, c.target)
		}
	}
}

// mmzoom dead-letters reads the PostgreSQL database the replicas share.
func TestDeadLettersOnPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	k, _ := seal.ParseKey(testKey)
	box, _ := seal.NewBox(k)
	st, err := postgres.Open(ctx, dsn, box, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = st.Enqueue(ctx, &meeting.Job{Key: "refresh:7", Kind: meeting.JobRefresh, CardID: 7, NotBefore: time.Now(), CreatedAt: time.Now()})
	jobs, err := st.Due(ctx, time.Now(), 10, time.Minute)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("due %+v %v", jobs, err)
	}
	if err := st.Bury(ctx, jobs[0], "card deleted"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := map[string]string{"MMZOOM_DATABASE": dsn, "MMZOOM_ENCRYPTION_KEY": testKey}
	var out bytes.Buffer
	if err := deadLetters(ctx, func(k string) string { return env[k] }, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "refresh:7") || !strings.Contains(out.String(), "card deleted") {
		t.Errorf("dead letters listed:\n%s", out.String())
	}
}

// Each store gets the number of queue lanes measured for it: on PostgreSQL, replicas' lanes all send their
// statements to one server, so fewer of them.
func TestQueueLanesAreTheStores(t *testing.T) {
	ctx := context.Background()
	k, _ := seal.ParseKey(testKey)
	box, _ := seal.NewBox(k)
	for _, c := range []struct {
		name string
		db   func(t *testing.T) database
		want int
	}{
		{"sqlite", func(t *testing.T) database { return database{target: t.TempDir() + "/mmzoom.db"} }, sqlite.QueueLanes},
		{"postgres", func(t *testing.T) database { return database{postgres: true, target: pgtest.DSN(t)} }, postgres.QueueLanes},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, err := openDatabase(ctx, c.db(t), box, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			defer o.store.Close()
			if o.lanes != c.want {
				t.Errorf("%d lanes, want %d", o.lanes, c.want)
			}
		})
	}
	if sqlite.QueueLanes == postgres.QueueLanes {
		t.Errorf("both stores have %d lanes; PostgreSQL was measured to want fewer", sqlite.QueueLanes)
	}
}
