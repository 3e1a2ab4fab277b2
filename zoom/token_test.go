package zoom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// memTokens is an in-memory TokenStore.
type memTokens struct {
	mu sync.Mutex
	m  map[meeting.Owner]meeting.Token
}

var _ TokenStore = (*memTokens)(nil)

func (s *memTokens) Token(_ context.Context, o meeting.Owner) (*meeting.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[o]
	if !ok {
		return nil, &meeting.Error{Kind: meeting.KindNotFound}
	}
	return &t, nil
}

func (s *memTokens) SaveToken(_ context.Context, o meeting.Owner, t *meeting.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[o] = *t
	return nil
}

func (s *memTokens) DeleteToken(_ context.Context, o meeting.Owner) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, o)
	return nil
}

// fakeZoom is a token endpoint and a meetings API that rotate refresh tokens as Zoom does.
type fakeZoom struct {
	t      *testing.T
	store  *memTokens
	mu     sync.Mutex
	grants map[string]int // token endpoint calls by grant type
	access map[string]bool
	live   string // the one refresh token that works
	n      int
	apiErr *Error // when set, the API answers it
	forms  []url.Values
	basic  []string
}

func newFakeZoom(t *testing.T, store *memTokens) (*fakeZoom, *httptest.Server) {
	f := &fakeZoom{t: t, store: store, grants: map[string]int{}, access: map[string]bool{"valid-access": true}, live: "refresh-0"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", f.token)
	mux.HandleFunc("POST /oauth/revoke", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.forms = append(f.forms, r.Form)
		f.basic = append(f.basic, r.Header.Get("Authorization"))
		f.mu.Unlock()
		_, _ = w.Write([]byte(`{"status":"success"}`))
	})
	mux.HandleFunc("/v2/", f.api)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeZoom) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	time.Sleep(20 * time.Millisecond) // widen the window in which concurrent refreshes could overlap
	f.mu.Lock()
	defer f.mu.Unlock()
	g := r.Form.Get("grant_type")
	f.grants[g]++
	f.forms = append(f.forms, r.Form)
	f.basic = append(f.basic, r.Header.Get("Authorization"))
	w.Header().Set("Content-Type", "application/json")
	if id, secret, ok := r.BasicAuth(); !ok || id != "cid" || secret != "csecret" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"reason":"Invalid client_id or client_secret","error":"invalid_client"}`))
		return
	}
	f.n++
	access := fmt.Sprintf("access-%d", f.n)
	f.access[access] = true
	body := map[string]any{"access_token": access, "token_type": "bearer", "expires_in": 3599, "scope": "meeting:write:meeting"}
	switch g {
	case "refresh_token":
		if r.Form.Get("refresh_token") != f.live {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"reason":"Invalid Token!","error":"invalid_request"}`))
			return
		}
		f.live = fmt.Sprintf("refresh-%d", f.n)
		body["refresh_token"] = f.live
	case "authorization_code":
		f.live = fmt.Sprintf("refresh-%d", f.n)
		body["refresh_token"] = f.live
	case "account_credentials":
	default:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"reason":"Unsupported grant type","error":"unsupported_grant_type"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (f *fakeZoom) api(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	apiErr := f.apiErr
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	ok := scheme == "Bearer" && f.access[tok]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":124,"message":"Invalid access token."}`))
		return
	}
	// A rotated token is used only after it was saved: the store must already hold it.
	if stored, err := f.store.Token(r.Context(), meeting.UserOwner("alice")); err == nil && tok != "valid-access" && stored.AccessToken != tok {
		f.t.Errorf("the API was called with %s before it was saved (store has %s)", tok, stored.AccessToken)
	}
	if apiErr != nil {
		w.Header().Set("Retry-After", "30")
		w.Header().Set("x-zm-trackingid", "trk")
		w.WriteHeader(apiErr.StatusCode)
		_ = json.NewEncoder(w).Encode(map[string]any{"code": apiErr.Code, "message": apiErr.Message})
		return
	}
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"id":81234567890,"uuid":"abc==","host_id":"h","topic":"T","start_url":"https://z/s/1?zak=k","join_url":"https://z/j/1?pwd=p","password":"123456"}`))
}

func newGateway(t *testing.T, kind meeting.AppKind, clock func() time.Time) (*Gateway, *fakeZoom, *memTokens) {
	store := &memTokens{m: map[meeting.Owner]meeting.Token{}}
	f, srv := newFakeZoom(t, store)
	var oauth *OAuth
	if kind != meeting.KindS2S {
		oauth = NewOAuth("cid", "csecret", srv.URL, "https://mmzoom.example/oauth2/complete", srv.Client(), clock)
	}
	g := NewGateway(GatewayConfig{Kind: kind, APIURL: srv.URL + "/v2", ZoomURL: srv.URL, OAuth: oauth,
		AccountID: "acct", ClientID: "cid", ClientSecret: "csecret", Store: store, HTTPClient: srv.Client(), Now: clock})
	return g, f, store
}

func TestConcurrentStartsShareOneRefresh(t *testing.T) {
	now := time.Now()
	g, f, store := newGateway(t, meeting.KindUser, func() time.Time { return now })
	owner := meeting.UserOwner("alice")
	_ = store.SaveToken(context.Background(), owner, &meeting.Token{AccessToken: "old", RefreshToken: "refresh-0", Expiry: now.Add(-time.Minute)})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := g.CreateMeeting(context.Background(), owner, "me", meeting.MeetingRequest{Topic: "T"})
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
		t.Errorf("%d refreshes, want 1", n)
	}
	tok, _ := store.Token(context.Background(), owner)
	if tok.RefreshToken != f.live || !tok.Expiry.After(now.Add(50*time.Minute)) {
		t.Errorf("stored %+v, want the rotated refresh token %s and a fresh expiry", tok, f.live)
	}
	if basic := f.basic[0]; !strings.HasPrefix(basic, "Basic ") {
		t.Errorf("token endpoint auth %q, want Basic", basic)
	}
}

func TestRefusedGrantDisconnects(t *testing.T) {
	now := time.Now()
	g, _, store := newGateway(t, meeting.KindUser, func() time.Time { return now })
	owner := meeting.UserOwner("alice")
	// A refresh token Zoom already rotated away.
	_ = store.SaveToken(context.Background(), owner, &meeting.Token{AccessToken: "old", RefreshToken: "refresh-spent", Expiry: now.Add(-time.Minute)})
	_, err := g.CreateMeeting(context.Background(), owner, "me", meeting.MeetingRequest{})
	if meeting.KindOf(err) != meeting.KindNotConnected {
		t.Fatalf("kind %s, want not_connected (%v)", meeting.KindOf(err), err)
	}
	if _, err := store.Token(context.Background(), owner); !errors.Is(err, meeting.ErrNotFound) {
		t.Error("the refused token was kept")
	}
	if strings.Contains(err.Error(), "refresh-spent") || strings.Contains(err.Error(), "csecret") {
		t.Errorf("a secret is in the error: %v", err)
	}
}

func TestRefusedAccessTokenIsRefreshedOnce(t *testing.T) {
	now := time.Now()
	g, f, store := newGateway(t, meeting.KindUser, func() time.Time { return now })
	owner := meeting.UserOwner("alice")
	// Not expired by the clock, but Zoom does not know it (revoked access token, clock skew).
	_ = store.SaveToken(context.Background(), owner, &meeting.Token{AccessToken: "unknown", RefreshToken: "refresh-0", Expiry: now.Add(time.Hour)})
	if _, err := g.CreateMeeting(context.Background(), owner, "me", meeting.MeetingRequest{}); err != nil {
		t.Fatal(err)
	}
	if f.grants["refresh_token"] != 1 {
		t.Errorf("%d refreshes, want 1", f.grants["refresh_token"])
	}
}

func TestServerToServerTokenIsFetchedOnce(t *testing.T) {
	now := time.Now()
	g, f, store := newGateway(t, meeting.KindS2S, func() time.Time { return now })
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := g.CreateMeeting(context.Background(), meeting.AccountOwner, "alice@example.com", meeting.MeetingRequest{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := f.grants["account_credentials"]; n != 1 {
		t.Errorf("%d token fetches, want 1", n)
	}
	if f.forms[0].Get("account_id") != "acct" {
		t.Errorf("token request %v", f.forms[0])
	}
	if tok, err := store.Token(context.Background(), meeting.AccountOwner); err != nil || tok.AccessToken == "" {
		t.Errorf("the Server-to-Server token was not stored: %v", err)
	}
	// A restart reuses the stored token.
	g2 := NewGateway(GatewayConfig{Kind: meeting.KindS2S, APIURL: g.cfg.APIURL, ZoomURL: g.cfg.ZoomURL, AccountID: "acct",
		ClientID: "cid", ClientSecret: "csecret", Store: store, HTTPClient: g.cfg.HTTPClient, Now: g.cfg.Now})
	if _, err := g2.CreateMeeting(context.Background(), meeting.AccountOwner, "alice@example.com", meeting.MeetingRequest{}); err != nil {
		t.Fatal(err)
	}
	if n := f.grants["account_credentials"]; n != 1 {
		t.Errorf("after a restart: %d token fetches, want still 1", n)
	}
}

func TestZoomErrorsBecomeKinds(t *testing.T) {
	cases := []struct {
		err   Error
		host  string
		kind  meeting.Kind
		check func(*meeting.Error) bool
	}{
		{Error{StatusCode: 404, Code: 1001, Message: "User does not exist: bob@example.com."}, "bob@example.com", meeting.KindZoomUserNotFound,
			func(e *meeting.Error) bool { return e.Email == "bob@example.com" }},
		{Error{StatusCode: 429, Code: 429, Message: "You have reached the maximum per-second rate limit for this API. Try again later."}, "me", meeting.KindZoomRateLimited,
			func(e *meeting.Error) bool { return e.RetryAfter == 30*time.Second }},
		{Error{StatusCode: 503, Code: 503, Message: "Service Unavailable"}, "me", meeting.KindZoomUnavailable, nil},
		{Error{StatusCode: 400, Code: 300, Message: "Invalid field."}, "me", meeting.KindZoomRejected,
			func(e *meeting.Error) bool { return e.Message == "Invalid field." }},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			now := time.Now()
			g, f, _ := newGateway(t, meeting.KindS2S, func() time.Time { return now })
			f.apiErr = &c.err
			_, err := g.CreateMeeting(context.Background(), meeting.AccountOwner, c.host, meeting.MeetingRequest{})
			var me *meeting.Error
			if !errors.As(err, &me) || me.Kind != c.kind || (c.check != nil && !c.check(me)) {
				t.Fatalf("error %+v, want kind %s", me, c.kind)
			}
			var ze *Error
			if !errors.As(err, &ze) || ze.Code != c.err.Code || ze.TrackingID != "trk" {
				t.Errorf("Zoom's code and tracking id are lost: %v", err)
			}
		})
	}
}

func TestOAuthFlow(t *testing.T) {
	now := time.Now()
	g, f, _ := newGateway(t, meeting.KindUser, func() time.Time { return now })
	o := g.cfg.OAuth
	u, _ := url.Parse(o.AuthCodeURL("state1", "verifier-verifier-verifier-verifier-verifier-12"))
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") != "state1" ||
		q.Get("redirect_uri") != "https://mmzoom.example/oauth2/complete" || q.Get("client_id") != "cid" {
		t.Fatalf("authorize URL %s", u)
	}
	tok, err := o.Exchange(context.Background(), "code1", "verifier-verifier-verifier-verifier-verifier-12")
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("Exchange: %+v %v", tok, err)
	}
	if v := f.forms[len(f.forms)-1].Get("code_verifier"); v != "verifier-verifier-verifier-verifier-verifier-12" {
		t.Errorf("code_verifier %q", v)
	}
	if err := o.Revoke(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	if got := f.forms[len(f.forms)-1].Get("token"); got != tok.AccessToken || !strings.HasPrefix(f.basic[len(f.basic)-1], "Basic ") {
		t.Errorf("revoke sent token %q auth %q", got, f.basic[len(f.basic)-1])
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"2026-11-24T09:01:00Z":          time.Minute,
		"Tue, 24 Nov 2026 09:00:10 GMT": 10 * time.Second,
		"2020-05-31T00:00:00Z":          0,
		"soon":                          0,
	}
	for in, want := range cases {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestEscapeUUID(t *testing.T) {
	cases := map[string]string{
		"aDYlohsHRtCd4ii1uC2+hA==": "aDYlohsHRtCd4ii1uC2%2BhA%3D%3D",
		"/abcABC123==":             "%252FabcABC123%253D%253D",
		"ab//cd==":                 "ab%252F%252Fcd%253D%253D",
	}
	for in, want := range cases {
		if got := EscapeUUID(in); got != want {
			t.Errorf("EscapeUUID(%q) = %q, want %q", in, got, want)
		}
	}
}
