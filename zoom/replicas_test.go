package zoom

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/postgres"
	"github.com/mmzoom/mmzoom/postgres/pgtest"
	"github.com/mmzoom/mmzoom/seal"
)

// replicaGateways returns n Gateways as n replicas run them: each with its own PostgreSQL store handle (and
// token lock) on one database, all against one Zoom.
func replicaGateways(t *testing.T, n int, now func() time.Time) ([]*Gateway, *fakeZoom, *postgres.Store) {
	t.Helper()
	dsn := pgtest.DSN(t)
	raw, _ := seal.GenerateKey()
	key, _ := seal.ParseKey(raw)
	box, _ := seal.NewBox(key)
	f, srv := newFakeZoom(t, &memTokens{m: map[meeting.Owner]meeting.Token{}})
	var gws []*Gateway
	var first *postgres.Store
	for i := range n {
		st, err := postgres.Open(context.Background(), dsn, box, now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if i == 0 {
			first = st
		}
		oauth := NewOAuth("cid", "csecret", srv.URL, "https://mmzoom.example/oauth2/complete", srv.Client(), now)
		gws = append(gws, NewGateway(GatewayConfig{Kind: meeting.KindUser, APIURL: srv.URL + "/v2", ZoomURL: srv.URL, OAuth: oauth,
			Store: st, Locker: st, HTTPClient: srv.Client(), Now: now}))
	}
	return gws, f, first
}

// Zoom rotates the refresh token on every use: replicas refreshing one user's token at once must refresh it
// once, and the replicas that lose the race use the token the winner stored instead of spending the old
// refresh token (which Zoom would refuse, and the user's grant would be forgotten).
func TestReplicasRefreshOneTokenOnce(t *testing.T) {
	now := time.Now()
	gws, f, st := replicaGateways(t, 3, func() time.Time { return now })
	owner := meeting.UserOwner("alice")
	ctx := context.Background()
	_ = st.SaveToken(ctx, owner, &meeting.Token{AccessToken: "old", RefreshToken: "refresh-0", Expiry: now.Add(-time.Minute)})
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := gws[i%len(gws)].CreateMeeting(ctx, owner, "me", meeting.MeetingRequest{Topic: "T"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a start failed: %v", err)
		}
	}
	if n := f.grants["refresh_token"]; n != 1 {
		t.Errorf("%d refreshes across 3 replicas, want 1", n)
	}
	tok, err := st.Token(ctx, owner)
	if err != nil || tok.RefreshToken != f.live {
		t.Errorf("stored %+v %v, want the rotated refresh token %s", tok, err, f.live)
	}
}

// A token is forgotten only when Zoom refused the refresh token that is still the stored one; the
// forgetting sticks (it is not rolled back with the refresh's transaction).
func TestReplicasForgetOnlyARefusedStoredGrant(t *testing.T) {
	now := time.Now()
	gws, f, st := replicaGateways(t, 2, func() time.Time { return now })
	owner := meeting.UserOwner("alice")
	ctx := context.Background()
	// A refresh token Zoom no longer accepts (revoked at Zoom): the grant is gone.
	_ = st.SaveToken(ctx, owner, &meeting.Token{AccessToken: "old", RefreshToken: "refresh-revoked", Expiry: now.Add(-time.Minute)})
	if _, err := gws[0].CreateMeeting(ctx, owner, "me", meeting.MeetingRequest{}); meeting.KindOf(err) != meeting.KindNotConnected {
		t.Fatalf("start with a refused grant: %v", err)
	}
	if _, err := st.Token(ctx, owner); !errors.Is(err, meeting.ErrNotFound) {
		t.Errorf("a grant Zoom refused is still stored: %v", err)
	}
	// Zoom refuses an access token a replica read before another replica refreshed it: the refresh finds
	// the stored token already replaced and uses it; nothing is forgotten.
	_ = st.SaveToken(ctx, owner, &meeting.Token{AccessToken: "valid-access", RefreshToken: "refresh-0", Expiry: now.Add(time.Hour)})
	if _, err := gws[1].CreateMeeting(ctx, owner, "me", meeting.MeetingRequest{}); err != nil {
		t.Fatal(err)
	}
	stale := "old-but-unexpired"
	_ = st.SaveToken(ctx, owner, &meeting.Token{AccessToken: stale, RefreshToken: "refresh-0", Expiry: now.Add(time.Hour)})
	tok, err := gws[0].refresh(ctx, owner, stale) // replica 0 refreshes: Zoom rotates refresh-0
	if err != nil {
		t.Fatal(err)
	}
	// Replica 1 had read the stale token before that, and Zoom refuses it: the store now holds the winner's
	// token, which replica 1 uses without refreshing again.
	refreshes := f.grants["refresh_token"]
	got, err := gws[1].token(ctx, owner, stale)
	if err != nil || got.AccessToken != tok.AccessToken {
		t.Errorf("the losing replica got %+v %v, want the winner's token %s", got, err, tok.AccessToken)
	}
	if cur, err := st.Token(ctx, owner); err != nil || cur.AccessToken != tok.AccessToken {
		t.Errorf("stored %+v %v after the race, want the winner's token", cur, err)
	}
	if n := f.grants["refresh_token"] - refreshes; n != 0 {
		t.Errorf("the losing replica refreshed %d more times", n)
	}
}
