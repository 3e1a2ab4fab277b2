package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

const botToken = "bot-token-SECRET"

// fakeMM is a minimal Mattermost recording the calls the client makes.
type fakeMM struct {
	mu     sync.Mutex
	calls  []string
	bodies map[string]string
	auth   []string
	status int // when set, every call answers it
}

func (f *fakeMM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	key := r.Method + " " + r.URL.RequestURI()
	f.calls = append(f.calls, key)
	f.bodies[key] = string(body)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	status := f.status
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if status != 0 {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"id":"api.context.permissions.app_error","message":"You do not have the appropriate permissions.","request_id":"r1"}`))
		return
	}
	switch {
	case r.URL.Path == "/api/v4/users/me":
		_, _ = w.Write([]byte(`{"id":"bot1","username":"zoom","is_bot":true}`))
	case strings.HasPrefix(r.URL.Path, "/api/v4/users/"):
		_, _ = w.Write([]byte(`{"id":"alice","username":"alice","email":"alice@example.com","locale":"ja","auth_service":"saml","roles":"system_user"}`))
	case r.URL.Path == "/api/v4/channels/direct":
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"dm1","type":"D"}`))
	case strings.HasPrefix(r.URL.Path, "/api/v4/channels/"):
		_, _ = w.Write([]byte(`{"id":"town","team_id":"t1","type":"O","name":"town-square"}`))
	case r.URL.Path == "/api/v4/config/client":
		_, _ = w.Write([]byte(`{"RequireEmailVerification":"true","Version":"9.9.0"}`))
	case r.URL.Path == "/api/v4/posts":
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"p1"}`))
	default:
		_, _ = w.Write([]byte(`{}`))
	}
}

func (f *fakeMM) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func newTestClient(t *testing.T) (*Client, *fakeMM, *fakeClock, *httptest.Server) {
	f := &fakeMM{bodies: map[string]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	signer, clk := newTestSigner()
	c := NewClient(ClientConfig{BaseURL: srv.URL, BotToken: botToken, HTTPClient: srv.Client(), Signer: signer, Now: clk.now})
	return c, f, clk, srv
}

func TestClientPostsAndPatchesAsTheBot(t *testing.T) {
	c, f, _, _ := newTestClient(t)
	ctx := context.Background()
	p := &meeting.Post{ChannelID: "town", Type: meeting.PostType, Message: "Zoom meeting", Props: map[string]any{"meeting_id": "123"},
		Attachments: []meeting.Attachment{{Title: "T", Buttons: []meeting.Button{{ID: "b1", Name: "Go", Action: meeting.Action{Name: "set_pmi", UserID: "alice"}}}}}}
	id, err := c.CreatePost(ctx, p)
	if err != nil || id != "p1" {
		t.Fatalf("CreatePost: %q %v", id, err)
	}
	if err := c.PatchPost(ctx, "p1", p); err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(calls) != 2 || calls[0] != "POST /api/v4/posts?set_online=false" || calls[1] != "PUT /api/v4/posts/p1/patch" {
		t.Fatalf("calls %v", calls)
	}
	for _, a := range f.auth {
		if a != "Bearer "+botToken {
			t.Errorf("Authorization %q", a)
		}
	}
	var patch struct {
		Message string         `json:"message"`
		Props   map[string]any `json:"props"`
	}
	_ = json.Unmarshal([]byte(f.bodies[calls[1]]), &patch)
	atts, _ := patch.Props["attachments"].([]any)
	if patch.Message != "Zoom meeting" || patch.Props["meeting_id"] != "123" || len(atts) != 1 {
		t.Errorf("a patch must carry the whole props map: %+v", patch)
	}
	if !strings.Contains(f.bodies[calls[0]], `"integration":{"url":"https://mmzoom.example/mattermost/action","context":{`) {
		t.Errorf("buttons not signed: %s", f.bodies[calls[0]])
	}
}

func TestClientCachesLookups(t *testing.T) {
	c, f, clk, _ := newTestClient(t)
	ctx := context.Background()
	for range 3 {
		u, err := c.User(ctx, "alice")
		if err != nil || u.Locale != "ja" || u.AuthService != "saml" || u.Email != "alice@example.com" {
			t.Fatalf("User: %+v %v", u, err)
		}
		if _, err := c.Channel(ctx, "town"); err != nil {
			t.Fatal(err)
		}
		if v, err := c.RequireEmailVerification(ctx); err != nil || !v {
			t.Fatalf("RequireEmailVerification: %v %v", v, err)
		}
	}
	if n := len(f.Calls()); n != 3 {
		t.Errorf("%d calls for three rounds of lookups, want 3 (cached): %v", n, f.Calls())
	}
	clk.t = clk.t.Add(2 * time.Minute)
	_, _ = c.User(ctx, "alice")
	_, _ = c.Channel(ctx, "town")
	if n := len(f.Calls()); n != 4 {
		t.Errorf("after 2 minutes: %d calls, want 4 (the user expired, the channel not)", n)
	}
}

// Me is serve's check of the bot token at start; the bot's id it learns spares the first DM a second call.
func TestClientMeIsTheBot(t *testing.T) {
	c, f, _, _ := newTestClient(t)
	ctx := context.Background()
	me, err := c.Me(ctx)
	if err != nil || me.ID != "bot1" || me.Username != "zoom" || !me.IsBot {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	if _, err := c.SendDirect(ctx, "alice", &meeting.Post{Message: "Confirm?"}); err != nil {
		t.Fatal(err)
	}
	if got := f.Calls(); len(got) != 3 || got[0] != "GET /api/v4/users/me" || got[1] != "POST /api/v4/channels/direct" {
		t.Errorf("calls %v, want /users/me once", got)
	}
	f.mu.Lock()
	f.status = http.StatusUnauthorized
	f.mu.Unlock()
	var e *Error
	if _, err := c.Me(ctx); !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized {
		t.Errorf("Me with a refused token = %v, want an *Error with 401", err)
	}
}

func TestClientSendsDirectMessages(t *testing.T) {
	c, f, _, _ := newTestClient(t)
	ctx := context.Background()
	for range 2 {
		if _, err := c.SendDirect(ctx, "alice", &meeting.Post{Message: "Confirm?"}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"GET /api/v4/users/me", "POST /api/v4/channels/direct", "POST /api/v4/posts?set_online=false", "POST /api/v4/posts?set_online=false"}
	if got := f.Calls(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("calls %v, want %v", got, want)
	}
	if b := f.bodies["POST /api/v4/channels/direct"]; b != `["bot1","alice"]` {
		t.Errorf("direct channel body %s", b)
	}
	if !strings.Contains(f.bodies["POST /api/v4/posts?set_online=false"], `"channel_id":"dm1"`) {
		t.Errorf("post not in the DM: %s", f.bodies["POST /api/v4/posts?set_online=false"])
	}
}

func TestClientErrorKinds(t *testing.T) {
	cases := []struct {
		status int
		kind   meeting.Kind
	}{
		{http.StatusForbidden, meeting.KindForbidden},
		{http.StatusNotFound, meeting.KindNotFound},
		{http.StatusTooManyRequests, meeting.KindChatUnavailable},
		{http.StatusInternalServerError, meeting.KindChatUnavailable},
		{http.StatusUnauthorized, meeting.KindChatUnavailable},
		{http.StatusBadRequest, meeting.KindInternal},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			c, f, _, _ := newTestClient(t)
			f.status = tc.status
			_, err := c.CreatePost(context.Background(), &meeting.Post{ChannelID: "x"})
			if meeting.KindOf(err) != tc.kind {
				t.Fatalf("kind %s, want %s (%v)", meeting.KindOf(err), tc.kind, err)
			}
			var me *Error
			if !errors.As(err, &me) || me.StatusCode != tc.status || me.ID != "api.context.permissions.app_error" {
				t.Errorf("the Mattermost error is not kept: %v", err)
			}
			if tc.status == http.StatusTooManyRequests && me.RetryAfter != 7*time.Second {
				t.Errorf("RetryAfter %v", me.RetryAfter)
			}
			if strings.Contains(err.Error(), botToken) {
				t.Error("the bot token is in the error")
			}
		})
	}
	t.Run("down", func(t *testing.T) {
		c, _, _, srv := newTestClient(t)
		srv.Close()
		if _, err := c.User(context.Background(), "alice"); meeting.KindOf(err) != meeting.KindChatUnavailable {
			t.Errorf("kind %s", meeting.KindOf(err))
		}
	})
}

func TestRespondSendsNoCredentials(t *testing.T) {
	var auth, body string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		_, _ = w.Write([]byte("ok"))
	}))
	defer hook.Close()
	signer, clk := newTestSigner()
	c := NewClient(ClientConfig{BaseURL: hook.URL, BotToken: botToken, Signer: signer, Now: clk.now})
	if err := c.Respond(context.Background(), hook.URL+"/hooks/commands/abc", &CommandResponse{ResponseType: "ephemeral", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if auth != "" || !strings.Contains(body, `"text":"hi"`) {
		t.Errorf("auth %q body %s", auth, body)
	}
}
