package sqlite

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/storetest"
)

func newKey(t *testing.T) seal.Key {
	t.Helper()
	s, _ := seal.GenerateKey()
	k, err := seal.ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func openAt(t *testing.T, path string, current seal.Key, old ...seal.Key) *Store {
	t.Helper()
	return openWith(t, path, time.Now, current, old...)
}

// openWith opens the store at path on the given clock.
func openWith(t *testing.T, path string, now func() time.Time, current seal.Key, old ...seal.Key) *Store {
	t.Helper()
	box, err := seal.NewBox(current, old...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path, box, now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) meeting.Store {
		s := openWith(t, filepath.Join(t.TempDir(), "mmzoom.db"), now, newKey(t))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestQueueContract(t *testing.T) {
	storetest.RunQueue(t, func(t *testing.T, now func() time.Time) meeting.Queue {
		s := openWith(t, filepath.Join(t.TempDir(), "mmzoom.db"), now, newKey(t))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestNoSecretInTheFiles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mmzoom.db")
	s := openAt(t, path, newKey(t))
	secrets := []string{"access-SECRET-0001", "refresh-SECRET-0002", "access-SECRET-0003", "verifier-SECRET-0004", "987654"}
	_ = s.SaveToken(ctx, meeting.UserOwner("u1"), &meeting.Token{AccessToken: secrets[0], RefreshToken: secrets[1], ZoomEmail: "u1@example.com"})
	_ = s.SaveToken(ctx, meeting.AccountOwner, &meeting.Token{AccessToken: secrets[2]})
	_ = s.SaveConnect(ctx, &meeting.ConnectState{ID: "st", Owner: meeting.UserOwner("u1"), UserID: "u1", Verifier: secrets[3], Expires: time.Now().Add(time.Hour)})
	_ = s.CreateCard(ctx, &meeting.Card{ChannelID: "c", CreatorID: "u1", MeetingID: 1, Passcode: secrets[4], Status: meeting.StatusWaiting, CreatedAt: time.Now()})
	secrets = append(secrets, "recording-pass-SECRET-5")
	_, _ = s.Enqueue(ctx, &meeting.Job{Key: "k", Kind: meeting.JobEvent, NotBefore: time.Now(), CreatedAt: time.Now(),
		Event: &meeting.Event{Type: meeting.EventRecordingCompleted, Recording: &meeting.Recording{Passcode: secrets[5]}}})
	// A received webhook event sits in the inbox until the processor moves it.
	secrets = append(secrets, "recording-pass-SECRET-6")
	if err := s.Receive(ctx, &meeting.Job{Key: "k2", Kind: meeting.JobEvent, Nonce: "req-1", NotBefore: time.Now(), CreatedAt: time.Now(),
		Event: &meeting.Event{Type: meeting.EventRecordingCompleted, Recording: &meeting.Recording{Passcode: secrets[6]}}}); err != nil {
		t.Fatal(err)
	}
	scan := func(when string) {
		for _, name := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(name)
			if os.IsNotExist(err) && when == "after close" {
				continue // the last connection folds the WAL into the database file
			}
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if name == path+"-wal" && len(b) == 0 {
				t.Fatalf("%s: empty -wal file: the scan would prove nothing", when)
			}
			for _, sec := range secrets {
				if bytes.Contains(b, []byte(sec)) {
					t.Errorf("%s: %s contains %q in plaintext", when, filepath.Base(name), sec)
				}
			}
		}
	}
	scan("while open")
	s.Close()
	scan("after close")
	// The e-mail is not a secret: it is there, which shows the scan reads real data.
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte("u1@example.com")) {
		t.Error("the scan did not see the database contents")
	}
}

func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mmzoom.db")
	a, b := newKey(t), newKey(t)
	s := openAt(t, path, a)
	_ = s.SaveToken(ctx, meeting.UserOwner("u1"), &meeting.Token{AccessToken: "x1", RefreshToken: "y1"})
	_ = s.SaveToken(ctx, meeting.UserOwner("u2"), &meeting.Token{AccessToken: "x2"})
	s.Close()

	s = openAt(t, path, b, a)
	if tok, err := s.Token(ctx, meeting.UserOwner("u1")); err != nil || tok.RefreshToken != "y1" {
		t.Fatalf("reading under the old key: %+v %v", tok, err)
	}
	_ = s.SaveToken(ctx, meeting.UserOwner("u1"), &meeting.Token{AccessToken: "x1", RefreshToken: "y1"})
	s.Close()

	s = openAt(t, path, b)
	defer s.Close()
	if tok, err := s.Token(ctx, meeting.UserOwner("u1")); err != nil || tok.AccessToken != "x1" {
		t.Errorf("re-written row not under the new key: %v", err)
	}
	if _, err := s.Token(ctx, meeting.UserOwner("u2")); err == nil {
		t.Error("a row never re-written opened without the old key")
	}
}

func TestSealedValuesAreBoundToTheirRow(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, filepath.Join(t.TempDir(), "mmzoom.db"), newKey(t))
	defer s.Close()
	_ = s.SaveToken(ctx, meeting.UserOwner("alice"), &meeting.Token{AccessToken: "alice-token"})
	_ = s.SaveToken(ctx, meeting.UserOwner("mallory"), &meeting.Token{AccessToken: "mallory-token"})
	if _, err := s.db.Exec(`UPDATE tokens SET access = (SELECT access FROM tokens WHERE owner = 'user:alice') WHERE owner = 'user:mallory'`); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.Token(ctx, meeting.UserOwner("mallory")); err == nil {
		t.Fatalf("a token copied to another row opened: %q", tok.AccessToken)
	}
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mmzoom.db")
	k := newKey(t)
	s := openAt(t, path, k)
	_ = s.SaveSettings(ctx, &meeting.UserSettings{UserID: "u", PMI: meeting.PMIAlways})
	s.Close()
	s = openAt(t, path, k)
	defer s.Close()
	if set, _ := s.Settings(ctx, "u"); set.PMI != meeting.PMIAlways {
		t.Errorf("settings lost on reopen: %+v", set)
	}
	var n int
	_ = s.db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	if n != len(files) {
		t.Errorf("%d migration rows, want one per migration (%d)", n, len(files))
	}
}

// A database from before migration 0010 gets each card's count of participants from its participant rows.
func TestPresenceMigrationCountsParticipantsAlreadyIn(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mmzoom.db")
	k := newKey(t)
	s := openAt(t, path, k)
	c := &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: 1, Status: meeting.StatusStarted, CreatedAt: time.Unix(0, 0)}
	_ = s.CreateCard(ctx, c)
	// The rows as the store before 0010 left them, and no count.
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DROP TABLE card_presence`, nil},
		{`DELETE FROM schema_migrations WHERE name = 'migrations/0010_card_presence.sql'`, nil},
		{`INSERT INTO card_participants (card_id, key, present, at) VALUES (?1, 'a', 1, 1000), (?1, 'b', 1, 1000), (?1, 'c', 0, 1000), (?1 + 1, 'a', 1, 1000)`, []any{c.ID}},
	} {
		if _, err := s.db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = openAt(t, path, k)
	defer s.Close()
	counts, err := s.SetParticipants(ctx, []meeting.Presence{{CardID: c.ID, Key: "d", Present: true, At: time.UnixMilli(2000)}})
	if want := (meeting.Headcount{In: 3, Changed: true}); err != nil || counts[c.ID] != want {
		t.Errorf("a fourth participant joins after the migration: %+v, %v; want %+v", counts[c.ID], err, want)
	}
}
