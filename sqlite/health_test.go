package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
)

func TestInspectReadsWithoutChanging(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mmzoom.db")
	key, other := newKey(t), newKey(t)
	box := func(k seal.Key) *seal.Box {
		b, err := seal.NewBox(k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if _, err := Inspect(ctx, path, box(key)); !IsMissing(err) {
		t.Fatalf("a missing file: %v (and it must not be created)", err)
	}
	now := time.UnixMilli(1_700_000_000_000).UTC()
	s := openWith(t, path, func() time.Time { return now }, key)
	if err := s.SaveToken(ctx, meeting.AccountOwner, &meeting.Token{AccessToken: "a", RefreshToken: "r", Scope: "meeting:write:meeting:admin",
		ZoomEmail: "admin@example.com", Expiry: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx, &meeting.Job{Key: "refresh:1", Kind: meeting.JobRefresh, CardID: 1, NotBefore: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BindCommandToken(ctx, "tok-id", "team1"); err != nil {
		t.Fatal(err)
	}
	// While the store is open, as serve would have it.
	h, err := Inspect(ctx, path, box(key))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Pending) != 0 || h.QueueDepth != 1 || !h.Oldest.Equal(now) || h.DeadLetters != 0 || h.CommandTeams["tok-id"] != "team1" {
		t.Fatalf("health = %+v", h)
	}
	if !h.SealedChecked || !h.SealedOpen || h.Account == nil || h.Account.RefreshToken != "r" || h.Account.ZoomEmail != "admin@example.com" ||
		h.Tokens[meeting.AccountOwner] != "meeting:write:meeting:admin" {
		t.Fatalf("tokens: %+v %+v", h, h.Account)
	}
	h, err = Inspect(ctx, path, box(other))
	if err != nil || !h.SealedChecked || h.SealedOpen || h.Account != nil {
		t.Fatalf("another key: %+v %v", h, err)
	}
	// And once serve has stopped.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if h, err := Inspect(ctx, path, box(key)); err != nil || h.QueueDepth != 1 || !h.SealedOpen {
		t.Fatalf("after close: %+v %v", h, err)
	}
}

func TestInspectListsPendingMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE unrelated (a INTEGER)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	b, _ := seal.NewBox(newKey(t))
	h, err := Inspect(ctx, path, b)
	if err != nil || len(h.Pending) == 0 || h.Pending[0] != "0001_init.sql" {
		t.Fatalf("health = %+v, %v", h, err)
	}
}
