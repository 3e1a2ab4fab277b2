package mmsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// world is a small Mattermost: one team, three people, a bot in the team but in no channel, and one
// channel of each kind in which the bot is not a member.
type world struct {
	t                      *testing.T
	sim                    *Server
	srv                    *httptest.Server
	team                   Team
	alice, bob, carol, bot User
	botToken, aliceToken   string
	public, private, dm    Channel
	gm, botChan            Channel
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldAt(t, func() time.Time { return time.UnixMilli(1_700_000_000_000) })
}

// newWorldAt is newWorld on the clock now.
func newWorldAt(t *testing.T, now func() time.Time) *world {
	t.Helper()
	sim := New(Options{Now: now})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetSiteURL(srv.URL)
	w := &world{t: t, sim: sim, srv: srv}
	w.team = sim.AddTeam(Team{Name: "testteam", DisplayName: "Test Team"})
	w.alice = sim.AddUser(User{Username: "alice", Email: "alice@example.com", FirstName: "Alice"}, w.team.ID)
	w.bob = sim.AddUser(User{Username: "bob", Email: "bob@example.com"}, w.team.ID)
	w.carol = sim.AddUser(User{Username: "carol", Email: "carol@example.com"}, w.team.ID)
	w.bot, w.botToken = sim.AddBot("zoombot", "Zoom")
	sim.AddTeamMember(w.team.ID, w.bot.ID)
	w.aliceToken = sim.Login(w.alice.ID)
	w.public = sim.AddChannel(Channel{TeamID: w.team.ID, Type: "O", Name: "town-square", DisplayName: "Town Square"}, w.alice.ID, w.bob.ID)
	w.private = sim.AddChannel(Channel{TeamID: w.team.ID, Type: "P", Name: "secret", DisplayName: "Secret"}, w.alice.ID, w.bob.ID)
	w.dm = sim.DirectChannel(w.alice.ID, w.bob.ID)
	w.gm = sim.GroupChannel(w.alice.ID, w.bob.ID, w.carol.ID)
	w.botChan = sim.AddChannel(Channel{TeamID: w.team.ID, Type: "P", Name: "bots", DisplayName: "Bots"}, w.bot.ID, w.alice.ID)
	return w
}

// call makes a REST call and decodes the JSON answer into a generic value.
func (w *world) call(token, method, path string, body any) (int, http.Header, any) {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			w.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.srv.URL+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	var out any
	if len(raw) > 0 && resp.Header.Get("Content-Type") == "application/json" {
		if err := json.Unmarshal(raw, &out); err != nil {
			w.t.Fatalf("%s %s: bad JSON %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, resp.Header, out
}

// obj asserts that v is a JSON object.
func obj(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want a JSON object, got %#v", v)
	}
	return m
}

// seedPost creates a post by alice (a member everywhere) to reply to.
func (w *world) seedPost(ch Channel) string {
	w.t.Helper()
	status, _, body := w.call(w.aliceToken, "POST", "/api/v4/posts", map[string]any{"channel_id": ch.ID, "message": "hello"})
	if status != http.StatusCreated {
		w.t.Fatalf("seed post in %s: %d %v", ch.Name, status, body)
	}
	return obj(w.t, body)["id"].(string)
}

func TestBotPermissionsFollowObservedTable(t *testing.T) {
	const card = "custom_mmzoom_meeting"
	type want struct{ create, get, patch, reply int }
	for _, roles := range []struct {
		name, roles string
		// elsewhere is the outcome in a channel the bot is not a member of, by channel.
		elsewhere map[string]want
		ephemeral int
	}{
		{"system_user", "system_user", map[string]want{
			"public": {create: 403, reply: 403}, "private": {create: 403, reply: 403},
			"dm": {create: 403, reply: 403}, "gm": {create: 403, reply: 403},
		}, 403},
		{"system_post_all", "system_user system_post_all", map[string]want{
			// Public channels are readable by team members, but editing needs membership.
			"public":  {create: 201, get: 200, patch: 403, reply: 201},
			"private": {create: 201, get: 403, patch: 403, reply: 201},
			"dm":      {create: 201, get: 403, patch: 403, reply: 201},
			"gm":      {create: 201, get: 403, patch: 403, reply: 201},
		}, 403},
		{"system_admin", "system_user system_admin", map[string]want{
			"public":  {create: 201, get: 200, patch: 200, reply: 201},
			"private": {create: 201, get: 200, patch: 200, reply: 201},
			"dm":      {create: 201, get: 200, patch: 200, reply: 201},
			"gm":      {create: 201, get: 200, patch: 200, reply: 201},
		}, 201},
	} {
		t.Run(roles.name, func(t *testing.T) {
			w := newWorld(t)
			w.sim.SetRoles(w.bot.ID, roles.roles)

			// A channel the bot is a member of: create and patch its own card.
			status, _, body := w.call(w.botToken, "POST", "/api/v4/posts?set_online=false",
				map[string]any{"channel_id": w.botChan.ID, "message": "card", "type": card})
			if status != 201 {
				t.Fatalf("create in own channel: %d %v", status, body)
			}
			id := obj(t, body)["id"].(string)
			if status, _, body = w.call(w.botToken, "PUT", "/api/v4/posts/"+id+"/patch", map[string]any{"message": "edited"}); status != 200 {
				t.Fatalf("patch in own channel: %d %v", status, body)
			}

			for name, ch := range map[string]Channel{"public": w.public, "private": w.private, "dm": w.dm, "gm": w.gm} {
				want := roles.elsewhere[name]
				root := w.seedPost(ch)
				status, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": ch.ID, "message": "card", "type": card})
				if status != want.create {
					t.Errorf("%s: create = %d, want %d (%v)", name, status, want.create, body)
				}
				if status, _, _ := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": ch.ID, "root_id": root, "message": "reply"}); status != want.reply {
					t.Errorf("%s: thread reply = %d, want %d", name, status, want.reply)
				}
				if want.create != 201 {
					continue
				}
				id := obj(t, body)["id"].(string)
				if status, _, _ := w.call(w.botToken, "GET", "/api/v4/posts/"+id, nil); status != want.get {
					t.Errorf("%s: GET own post = %d, want %d", name, status, want.get)
				}
				if status, _, _ := w.call(w.botToken, "PUT", "/api/v4/posts/"+id+"/patch", map[string]any{"message": "x"}); status != want.patch {
					t.Errorf("%s: patch own post = %d, want %d", name, status, want.patch)
				}
			}

			// Joining a public channel itself.
			if status, _, body := w.call(w.botToken, "POST", "/api/v4/channels/"+w.public.ID+"/members", map[string]any{"user_id": w.bot.ID}); status != 201 {
				t.Errorf("join public = %d %v", status, body)
			}
			// Opening a DM with anyone and posting there.
			status, _, body = w.call(w.botToken, "POST", "/api/v4/channels/direct", []string{w.bot.ID, w.carol.ID})
			if status != 201 {
				t.Fatalf("open DM = %d %v", status, body)
			}
			dmID := obj(t, body)["id"].(string)
			if status, _, _ := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": dmID, "message": "hi"}); status != 201 {
				t.Errorf("post in own DM = %d", status)
			}
			// Ephemeral posts via REST: system_admin only.
			status, _, _ = w.call(w.botToken, "POST", "/api/v4/posts/ephemeral",
				map[string]any{"user_id": w.alice.ID, "post": map[string]any{"channel_id": w.public.ID, "message": "psst"}})
			if status != roles.ephemeral {
				t.Errorf("ephemeral = %d, want %d", status, roles.ephemeral)
			}
			if got := len(w.sim.Ephemerals(w.alice.ID)); (got == 1) != (roles.ephemeral == 201) {
				t.Errorf("alice was shown %d ephemeral posts", got)
			}
			// Another user's e-mail, locale and timezone.
			status, _, body = w.call(w.botToken, "GET", "/api/v4/users/"+w.alice.ID, nil)
			if status != 200 || obj(t, body)["email"] != "alice@example.com" {
				t.Errorf("GET user = %d %v", status, body)
			}
		})
	}
}

func TestJoinPrivateChannelAndOthers(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct {
		name    string
		ch      Channel
		userID  string
		want    int
		member  bool
		comment string
	}{
		{"private channel", w.private, w.bot.ID, 403, false, "private channels need an invitation"},
		{"someone else", w.public, w.carol.ID, 403, false, "a user can only add themselves"},
		{"public self", w.public, w.bot.ID, 201, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, _ := w.call(w.botToken, "POST", "/api/v4/channels/"+c.ch.ID+"/members", map[string]any{"user_id": c.userID})
			if status != c.want {
				t.Errorf("join = %d, want %d (%s)", status, c.want, c.comment)
			}
			status, _, _ = w.call(w.aliceToken, "GET", "/api/v4/channels/"+c.ch.ID+"/members/"+c.userID, nil)
			if (status == 200) != c.member {
				t.Errorf("membership GET = %d, want member=%v", status, c.member)
			}
		})
	}
}

func TestDirectChannelOnlyForOneOfItsMembers(t *testing.T) {
	w := newWorld(t)
	status, _, _ := w.call(w.botToken, "POST", "/api/v4/channels/direct", []string{w.alice.ID, w.bob.ID})
	if status != 403 {
		t.Errorf("DM between others = %d, want 403", status)
	}
	_, _, body := w.call(w.aliceToken, "POST", "/api/v4/channels/direct", []string{w.bob.ID, w.alice.ID})
	if got := obj(t, body)["id"]; got != w.dm.ID {
		t.Errorf("existing DM not returned: got %v want %s", got, w.dm.ID)
	}
}

func TestUserJSONHasNoEmailVerified(t *testing.T) {
	w := newWorld(t)
	_, _, body := w.call(w.botToken, "GET", "/api/v4/users/"+w.alice.ID, nil)
	u := obj(t, body)
	if _, ok := u["email_verified"]; ok {
		t.Error("email_verified is never sent by Mattermost")
	}
	for _, k := range []string{"id", "username", "auth_service", "email", "locale", "roles", "is_bot", "timezone"} {
		if _, ok := u[k]; !ok {
			t.Errorf("missing %q", k)
		}
	}
	for k, v := range obj(t, u["timezone"]) {
		if _, ok := v.(string); !ok {
			t.Errorf("timezone.%s = %#v, want a string", k, v)
		}
	}
	_, _, body = w.call(w.botToken, "GET", "/api/v4/users/me", nil)
	if me := obj(t, body); me["is_bot"] != true || me["email"] != "zoombot@localhost" || me["roles"] != "system_user" {
		t.Errorf("bot user = %v", me)
	}
}

// mmzoom serve checks its bot token with GET /users/me at start. A bot token answers 200 with the bot's own
// user (is_bot, role system_user); a wrong or revoked one 401 with the session-expired AppError, whose body
// never repeats the token.
func TestUsersMeForABotToken(t *testing.T) {
	w := newWorld(t)
	status, _, body := w.call(w.botToken, "GET", "/api/v4/users/me", nil)
	me := obj(t, body)
	if status != 200 || me["id"] != w.bot.ID || me["username"] != "zoombot" || me["is_bot"] != true || me["roles"] != "system_user" {
		t.Errorf("bot /users/me = %d %v", status, me)
	}
	status, _, body = w.call("revoked-or-wrong", "GET", "/api/v4/users/me", nil)
	e := obj(t, body)
	if status != 401 || e["id"] != "api.context.session_expired.app_error" || e["message"] != "Invalid or expired session, please login again." {
		t.Errorf("wrong token /users/me = %d %v", status, e)
	}
	if b, _ := json.Marshal(e); strings.Contains(string(b), "revoked-or-wrong") {
		t.Errorf("the 401 answer repeats the token: %s", b)
	}
}

func TestClientConfigValuesAreStrings(t *testing.T) {
	w := newWorld(t)
	w.sim.SetClientConfig("RequireEmailVerification", "true")
	_, _, body := w.call(w.botToken, "GET", "/api/v4/config/client?format=old", nil)
	cfg := obj(t, body)
	for k, v := range cfg {
		if _, ok := v.(string); !ok {
			t.Errorf("%s = %#v, want a string", k, v)
		}
	}
	for k, want := range map[string]string{"RequireEmailVerification": "true", "ShowEmailAddress": "true",
		"EnableSignUpWithEmail": "true", "SiteURL": w.srv.URL, "Version": "9.9.0"} {
		if cfg[k] != want {
			t.Errorf("%s = %v, want %q", k, cfg[k], want)
		}
	}
}

func TestPatchReplacesWholePropsAndKeepsType(t *testing.T) {
	w := newWorld(t)
	_, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "m",
		"type": "custom_mmzoom_meeting", "props": map[string]any{"a": "1", "b": "2"}})
	id := obj(t, body)["id"].(string)
	status, _, body := w.call(w.botToken, "PUT", "/api/v4/posts/"+id+"/patch", map[string]any{"props": map[string]any{"c": "3"}, "type": "custom_other"})
	if status != 200 {
		t.Fatalf("patch = %d %v", status, body)
	}
	p, _ := w.sim.Post(id)
	if len(p.Props) != 1 || p.Props["c"] != "3" {
		t.Errorf("props = %v, want only c", p.Props)
	}
	if p.Type != "custom_mmzoom_meeting" {
		t.Errorf("type changed to %q", p.Type)
	}
	if p.EditAt != 0 {
		t.Error("edit_at set although the message did not change")
	}
	w.call(w.botToken, "PUT", "/api/v4/posts/"+id+"/patch", map[string]any{"message": "new"})
	if p, _ := w.sim.Post(id); p.Message != "new" || p.EditAt == 0 || p.Props["c"] != "3" {
		t.Errorf("after message patch: %+v", p)
	}
	// Someone else's post cannot be patched.
	if status, _, _ := w.call(w.aliceToken, "PUT", "/api/v4/posts/"+id+"/patch", map[string]any{"message": "hijack"}); status != 403 {
		t.Errorf("patch by non-author = %d, want 403", status)
	}
}

func TestCreatePostValidation(t *testing.T) {
	w := newWorld(t)
	root := w.seedPost(w.public)
	for _, c := range []struct {
		name string
		body map[string]any
		want int
	}{
		{"custom type", map[string]any{"type": "custom_x"}, 201},
		{"system type", map[string]any{"type": "system_join_channel"}, 400},
		{"bad color", map[string]any{"props": map[string]any{"attachments": []any{map[string]any{"color": "blue"}}}}, 400},
		{"hex color", map[string]any{"props": map[string]any{"attachments": []any{map[string]any{"color": "#2D8CFF"}}}}, 201},
		{"title_link without title", map[string]any{"props": map[string]any{"attachments": []any{map[string]any{"title_link": "https://x"}}}}, 400},
		{"action without name", map[string]any{"props": map[string]any{"attachments": []any{map[string]any{"actions": []any{map[string]any{"id": "a"}}}}}}, 400},
		{"integration not http", map[string]any{"props": map[string]any{"attachments": []any{map[string]any{"actions": []any{
			map[string]any{"id": "a", "name": "A", "integration": map[string]any{"url": "ftp://x"}}}}}}}, 400},
		{"root in another channel", map[string]any{"root_id": root, "channel_id": w.private.ID}, 400},
		{"root in same channel", map[string]any{"root_id": root}, 201},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := map[string]any{"channel_id": w.public.ID, "message": "m"}
			for k, v := range c.body {
				body[k] = v
			}
			if status, _, got := w.call(w.aliceToken, "POST", "/api/v4/posts", body); status != c.want {
				t.Errorf("status = %d, want %d (%v)", status, c.want, got)
			}
		})
	}
}

func TestAuthFailuresAndOutages(t *testing.T) {
	w := newWorld(t)
	status, hdr, body := w.call("nope", "GET", "/api/v4/users/me", nil)
	if status != 401 || obj(t, body)["status_code"] != float64(401) || hdr.Get("Content-Type") != "application/json" {
		t.Errorf("bad token: %d %v", status, body)
	}
	status, _, body = w.call(w.botToken, "GET", "/api/v4/channels/"+w.private.ID, nil)
	if e := obj(t, body); status != 403 || e["id"] != "api.context.permissions.app_error" || e["message"] != "You do not have the appropriate permissions." {
		t.Errorf("forbidden: %d %v", status, body)
	}
	w.sim.SetRateLimited(true, 3*time.Second)
	status, hdr, _ = w.call(w.botToken, "GET", "/api/v4/users/me", nil)
	if status != 429 || hdr.Get("Retry-After") != "3" || hdr.Get("X-Ratelimit-Remaining") != "0" {
		t.Errorf("rate limited: %d %v", status, hdr)
	}
	w.sim.SetRateLimited(false, 0)
	w.sim.SetDown(true)
	if status, _, _ = w.call(w.botToken, "GET", "/api/v4/users/me", nil); status != 503 {
		t.Errorf("down: %d", status)
	}
	w.sim.SetDown(false)
	w.sim.ResetRequests()
	w.call(w.botToken, "GET", "/api/v4/users/me", nil)
	if got := w.sim.Requests(); len(got) != 1 || got[0].Path != "/api/v4/users/me" || got[0].UserID != w.bot.ID || got[0].Status != 200 {
		t.Errorf("requests = %+v", got)
	}
}

func TestLoginAndChannelsListing(t *testing.T) {
	w := newWorld(t)
	resp, err := http.Post(w.srv.URL+"/api/v4/users/login", "application/json", bytes.NewReader([]byte(`{"login_id":"alice","password":"demo"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tok := resp.Header.Get("Token")
	if resp.StatusCode != 200 || tok == "" {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	_, _, body := w.call(tok, "GET", "/api/v4/users/me/teams/"+w.team.ID+"/channels", nil)
	list, _ := body.([]any)
	ids := map[string]bool{}
	for _, c := range list {
		ids[obj(t, c)["id"].(string)] = true
	}
	for _, ch := range []Channel{w.public, w.private, w.dm, w.gm, w.botChan} {
		if !ids[ch.ID] {
			t.Errorf("alice's channel %s (%s) missing", ch.Name, ch.Type)
		}
	}
	resp, err = http.Post(w.srv.URL+"/api/v4/users/login", "application/json", bytes.NewReader([]byte(`{"login_id":"alice","password":"wrong"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
}

func TestChannelPostsNewestFirst(t *testing.T) {
	w := newWorld(t)
	first, second := w.seedPost(w.public), w.seedPost(w.public)
	_, _, body := w.call(w.aliceToken, "GET", "/api/v4/channels/"+w.public.ID+"/posts", nil)
	pl := obj(t, body)
	order, _ := pl["order"].([]any)
	if len(order) != 2 || order[0] != second || order[1] != first {
		t.Errorf("order = %v", order)
	}
	if len(obj(t, pl["posts"])) != 2 {
		t.Errorf("posts = %v", pl["posts"])
	}
	if got := w.sim.Posts(w.public.ID); len(got) != 2 || got[0].ID != first {
		t.Errorf("Posts() not oldest first")
	}
}

// TestUserByEmailAsTheServerAnswers pins GET /api/v4/users/email/{email} to current Mattermost (api4/user.go):
// found in any case, 404 app.user.missing_account.const for nobody, 403 when addresses are hidden from a
// non-admin caller.
func TestUserByEmailAsTheServerAnswers(t *testing.T) {
	cases := []struct {
		name, email, hide string
		status            int
		wantID, wantErrID string
	}{
		{"found", "alice@example.com", "", 200, "alice", ""},
		{"found in another case", "Alice@Example.COM", "", 200, "alice", ""},
		{"nobody has it", "nobody@example.com", "", 404, "", "app.user.missing_account.const"},
		{"addresses hidden", "alice@example.com", "false", 403, "", "api.user.get_user_by_email.permissions.app_error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			if c.hide != "" {
				w.sim.SetClientConfig("ShowEmailAddress", c.hide)
			}
			status, _, body := w.call(w.botToken, "GET", "/api/v4/users/email/"+url.PathEscape(c.email), nil)
			if status != c.status {
				t.Fatalf("status %d, want %d: %v", status, c.status, body)
			}
			got := obj(t, body)
			if c.wantID != "" && got["id"] != w.alice.ID {
				t.Errorf("user %v, want alice", got["id"])
			}
			if c.wantErrID != "" && got["id"] != c.wantErrID {
				t.Errorf("error id %v, want %s", got["id"], c.wantErrID)
			}
		})
	}
}
