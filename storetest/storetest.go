// Package storetest is the behaviour every meeting.Store must show. Each store's tests call Run, so SQLite
// and PostgreSQL are held to the same contract.
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// Run tests the store returned by open (a fresh, empty store per call).
func Run(t *testing.T, open func(t *testing.T) meeting.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

	t.Run("tokens", func(t *testing.T) {
		s := open(t)
		if _, err := s.Token(ctx, meeting.UserOwner("u1")); !errors.Is(err, meeting.ErrNotFound) {
			t.Fatalf("absent token: %v, want not found", err)
		}
		want := &meeting.Token{AccessToken: "a1", RefreshToken: "r1", Expiry: t0.Add(time.Hour), Scope: "meeting:write",
			ZoomUserID: "z1", ZoomEmail: "u1@example.com", Confirmed: true}
		if err := s.SaveToken(ctx, meeting.UserOwner("u1"), want); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveToken(ctx, meeting.AccountOwner, &meeting.Token{AccessToken: "acct", Expiry: t0}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Token(ctx, meeting.UserOwner("u1"))
		if err != nil || got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken ||
			!got.Expiry.Equal(want.Expiry) || got.Scope != want.Scope || got.ZoomEmail != want.ZoomEmail ||
			got.ZoomUserID != want.ZoomUserID || !got.Confirmed {
			t.Fatalf("round trip: %+v %v, want %+v", got, err, want)
		}
		want.AccessToken, want.RefreshToken = "a2", "r2"
		_ = s.SaveToken(ctx, meeting.UserOwner("u1"), want)
		if got, _ := s.Token(ctx, meeting.UserOwner("u1")); got.RefreshToken != "r2" {
			t.Errorf("rotated refresh token not kept: %+v", got)
		}
		if got, _ := s.Token(ctx, meeting.AccountOwner); got.RefreshToken != "" || got.AccessToken != "acct" {
			t.Errorf("account token: %+v", got)
		}
		if err := s.DeleteToken(ctx, meeting.UserOwner("u1")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Token(ctx, meeting.UserOwner("u1")); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("deleted token: %v", err)
		}
		if err := s.DeleteToken(ctx, meeting.UserOwner("nobody")); err != nil {
			t.Errorf("deleting an absent token: %v", err)
		}
	})

	t.Run("connect states are taken once", func(t *testing.T) {
		s := open(t)
		pending := &meeting.StartRequest{UserID: "u1", ChannelID: "c1", TeamID: "t1", Topic: "Retro"}
		c := &meeting.ConnectState{ID: "state1", Owner: meeting.UserOwner("u1"), UserID: "u1", Expires: t0.Add(10 * time.Minute), Pending: pending}
		if err := s.SaveConnect(ctx, c); err != nil {
			t.Fatal(err)
		}
		c.BrowserHash, c.Verifier = "hash", "verifier-123"
		if err := s.SaveConnect(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := s.Connect(ctx, "state1")
		if err != nil || got.Verifier != "verifier-123" || got.BrowserHash != "hash" || got.Pending == nil ||
			got.Pending.Topic != "Retro" || !got.Expires.Equal(c.Expires) || got.Owner != c.Owner {
			t.Fatalf("Connect: %+v %v", got, err)
		}
		var wg sync.WaitGroup
		wins := make(chan bool, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.TakeConnect(ctx, "state1")
				wins <- err == nil
			}()
		}
		wg.Wait()
		close(wins)
		n := 0
		for w := range wins {
			if w {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d concurrent takes succeeded, want 1", n)
		}
		if _, err := s.Connect(ctx, "state1"); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("taken state still readable: %v", err)
		}
	})

	t.Run("cards", func(t *testing.T) {
		s := open(t)
		mk := func(channel string, meetingID int64, created time.Time, status meeting.Status) *meeting.Card {
			c := &meeting.Card{PostID: "p", ChannelID: channel, CreatorID: "u1", MeetingID: meetingID, Topic: "T",
				JoinURL: "https://zoom.example/j/1?pwd=x", Passcode: "123456", Status: status, CreatedAt: created, UpdatedAt: created}
			if err := s.CreateCard(ctx, c); err != nil || c.ID == 0 {
				t.Fatalf("CreateCard: %v id %d", err, c.ID)
			}
			return c
		}
		mk("c1", 81000000001, t0.Add(-5*time.Hour), meeting.StatusWaiting) // older than the window
		mk("c1", 81000000002, t0.Add(-time.Hour), meeting.StatusEnded)     // ended
		a := mk("c1", 81000000003, t0.Add(-2*time.Hour), meeting.StatusStarted)
		b := mk("c1", 81000000003, t0.Add(-30*time.Minute), meeting.StatusWaiting)
		mk("c2", 81000000004, t0, meeting.StatusWaiting)
		open, err := s.OpenCards(ctx, "c1", t0.Add(-3*time.Hour))
		if err != nil || len(open) != 2 || open[0].ID != b.ID || open[1].ID != a.ID {
			t.Fatalf("OpenCards: %v %+v", err, open)
		}
		byMeeting, _ := s.CardsByMeeting(ctx, 81000000003)
		if len(byMeeting) != 2 || byMeeting[0].ID != b.ID {
			t.Errorf("CardsByMeeting: %+v", byMeeting)
		}
		a.Status, a.UUID, a.Participants = meeting.StatusEnded, "uuid==", 3
		a.StartedAt, a.EndedAt = t0.Add(-2*time.Hour), t0.Add(-time.Hour)
		if err := s.UpdateCard(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := s.Card(ctx, a.ID)
		if err != nil || got.Status != meeting.StatusEnded || got.UUID != "uuid==" || got.Participants != 3 ||
			got.Passcode != "123456" || got.Duration() != time.Hour || got.MeetingID != 81000000003 {
			t.Errorf("Card after update: %+v %v", got, err)
		}
		if _, err := s.Card(ctx, 999999); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("absent card: %v", err)
		}
		if err := s.UpdateCard(ctx, &meeting.Card{ID: 999999, Status: meeting.StatusEnded}); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("updating an absent card: %v", err)
		}
	})

	t.Run("settings", func(t *testing.T) {
		s := open(t)
		set, err := s.Settings(ctx, "u1")
		if err != nil || set.PMI != "" || set.PMI.Effective() != meeting.DefaultPMI {
			t.Fatalf("default settings: %+v %v", set, err)
		}
		_ = s.SaveSettings(ctx, &meeting.UserSettings{UserID: "u1", PMI: meeting.PMIAlways})
		_ = s.SaveSettings(ctx, &meeting.UserSettings{UserID: "u1", PMI: meeting.PMIAsk})
		if set, _ := s.Settings(ctx, "u1"); set.PMI != meeting.PMIAsk {
			t.Errorf("settings: %+v", set)
		}
	})

	t.Run("command tokens bind to their first team", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		teams := make([]string, 6)
		for i := range teams {
			wg.Add(1)
			go func() {
				defer wg.Done()
				teams[i], _ = s.BindCommandToken(ctx, "tok", []string{"team-a", "team-b"}[i%2])
			}()
		}
		wg.Wait()
		for _, team := range teams[1:] {
			if team != teams[0] || team == "" {
				t.Fatalf("bound teams %v, want one team for all", teams)
			}
		}
		if team, _ := s.BindCommandToken(ctx, "other", "team-b"); team != "team-b" {
			t.Errorf("another token bound to %q", team)
		}
	})

	t.Run("nonces are single use", func(t *testing.T) {
		s := open(t)
		if err := s.UseNonce(ctx, "n1", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.UseNonce(ctx, "n1", t0.Add(time.Hour)); meeting.KindOf(err) != meeting.KindActionInvalid {
			t.Errorf("reused nonce: %v", err)
		}
		if err := s.UseNonce(ctx, "n2", t0.Add(time.Hour)); err != nil {
			t.Errorf("another nonce: %v", err)
		}
	})
}
