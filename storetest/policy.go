package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// PolicyAndGrantStore is what RunPolicy and RunGrants need: the tokens of meeting.Store beside the channel
// policy and the grants' bookkeeping.
type PolicyAndGrantStore interface {
	meeting.PolicyStore
	meeting.GrantStore
	SaveToken(ctx context.Context, owner meeting.Owner, t *meeting.Token) error
	DeleteToken(ctx context.Context, owner meeting.Owner) error
}

// RunPolicy tests a store's meeting.PolicyStore.
func RunPolicy(t *testing.T, openAt Opener[PolicyAndGrantStore]) {
	ctx := context.Background()
	open := func(t *testing.T) PolicyAndGrantStore { return openAt(t, NewClock(t0).Now) }

	t.Run("channel policy", func(t *testing.T) {
		s := open(t)
		p, err := s.ChannelPolicy(ctx)
		if err != nil || p.Mode != meeting.ChannelsAll || len(p.Channels) != 0 {
			t.Fatalf("policy never set: %+v %v, want all", p, err)
		}
		want := &meeting.ChannelPolicy{Mode: meeting.ChannelsListed, Channels: []string{"c2", "c1"}, UpdatedBy: "admin", UpdatedAt: t0}
		if err := s.SaveChannelPolicy(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.ChannelPolicy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got.Channels)
		if got.Mode != want.Mode || !slices.Equal(got.Channels, []string{"c1", "c2"}) || got.UpdatedBy != "admin" || !got.UpdatedAt.Equal(t0) {
			t.Errorf("policy %+v, want %+v", got, want)
		}
		// Saving replaces the list as a whole.
		if err := s.SaveChannelPolicy(ctx, &meeting.ChannelPolicy{Mode: meeting.ChannelsNoPublic, UpdatedBy: "admin2", UpdatedAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.ChannelPolicy(ctx)
		if got.Mode != meeting.ChannelsNoPublic || len(got.Channels) != 0 || got.UpdatedBy != "admin2" {
			t.Errorf("policy after replacing: %+v", got)
		}
	})

	t.Run("channel switches", func(t *testing.T) {
		s := open(t)
		if _, err := s.ChannelSwitch(ctx, "c1"); !errors.Is(err, meeting.ErrNotFound) {
			t.Fatalf("never switched: %v, want not found", err)
		}
		if err := s.SaveChannelSwitch(ctx, &meeting.ChannelSwitch{ChannelID: "c1", Off: true, UpdatedBy: "u1", UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		sw, err := s.ChannelSwitch(ctx, "c1")
		if err != nil || !sw.Off || sw.UpdatedBy != "u1" || !sw.UpdatedAt.Equal(t0) {
			t.Fatalf("switch %+v %v", sw, err)
		}
		if err := s.SaveChannelSwitch(ctx, &meeting.ChannelSwitch{ChannelID: "c1", Off: false, UpdatedBy: "u2", UpdatedAt: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if sw, _ := s.ChannelSwitch(ctx, "c1"); sw.Off || sw.UpdatedBy != "u2" {
			t.Errorf("switched back on: %+v", sw)
		}
		if _, err := s.ChannelSwitch(ctx, "c2"); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("another channel: %v, want not found", err)
		}
	})
}

// RunGrants tests a store's meeting.GrantStore.
func RunGrants(t *testing.T, openAt Opener[PolicyAndGrantStore]) {
	ctx := context.Background()
	clock := NewClock(t0)
	s := openAt(t, clock.Now)
	u1, u2 := meeting.UserOwner("u1"), meeting.UserOwner("u2")
	if gs, err := s.Grants(ctx); err != nil || len(gs) != 0 {
		t.Fatalf("no tokens: %v %v", gs, err)
	}
	if _, err := s.Grant(ctx, u1); !errors.Is(err, meeting.ErrNotFound) {
		t.Fatalf("absent grant: %v, want not found", err)
	}
	// Without a token, nothing is recorded.
	if err := s.SetTokenClient(ctx, u1, "app1"); err != nil {
		t.Fatal(err)
	}
	for _, o := range []meeting.Owner{u1, u2} {
		if err := s.SaveToken(ctx, o, &meeting.Token{AccessToken: "a-" + string(o), RefreshToken: "r", ZoomEmail: string(o) + "@example.com", ZoomUserID: "z" + string(o)}); err != nil {
			t.Fatal(err)
		}
	}
	if g, _ := s.Grant(ctx, u1); g.ClientID != "" || !g.LastUsed.IsZero() {
		t.Errorf("a new token has client %q and last use %v, want none", g.ClientID, g.LastUsed)
	}
	if err := s.SetTokenClient(ctx, u1, "app1"); err != nil {
		t.Fatal(err)
	}
	used := t0.Add(90 * time.Minute)
	if err := s.TouchToken(ctx, u1, used); err != nil {
		t.Fatal(err)
	}
	// A refresh (SaveToken of the same owner) keeps what was recorded.
	if err := s.SaveToken(ctx, u1, &meeting.Token{AccessToken: "a2", RefreshToken: "r2", ZoomEmail: "u1@example.com", ZoomUserID: "zu1"}); err != nil {
		t.Fatal(err)
	}
	g, err := s.Grant(ctx, u1)
	if err != nil || g.ClientID != "app1" || !g.LastUsed.Equal(used) || g.ZoomEmail != "u1@example.com" || g.Owner != u1 {
		t.Fatalf("grant after a refresh: %+v %v", g, err)
	}
	gs, err := s.Grants(ctx)
	if err != nil || len(gs) != 2 || gs[0].Owner != u1 || gs[1].Owner != u2 {
		t.Fatalf("grants %+v %v", gs, err)
	}
	// A deleted token takes its grant with it; a new connection starts afresh.
	if err := s.DeleteToken(ctx, u1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Grant(ctx, u1); !errors.Is(err, meeting.ErrNotFound) {
		t.Errorf("grant of a deleted token: %v", err)
	}
	_ = s.SaveToken(ctx, u1, &meeting.Token{AccessToken: "a3"})
	if g, _ := s.Grant(ctx, u1); g.ClientID != "" || !g.LastUsed.IsZero() {
		t.Errorf("a reconnected token kept the old grant: %+v", g)
	}
}
