package mmsim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// received is one request an integration got from the simulator.
type received struct {
	header http.Header
	body   []byte
}

// integration is an httptest integration that records requests and answers with a fixed reply.
func integration(t *testing.T, status int, contentType, reply string) (*httptest.Server, *[]received) {
	t.Helper()
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, received{header: r.Header.Clone(), body: b})
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func TestExecuteCommandSendsWhatMattermostSends(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json", `{"response_type":"ephemeral","text":"Creating your Zoom meeting…"}`)
	cmd := w.sim.AddCommand(w.team.ID, "zoom", ig.URL)
	res, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", "", "/zoom start hello")
	if err != nil || res.Error != "" || res.Status != 200 {
		t.Fatalf("execute: %+v %v", res, err)
	}
	if len(*got) != 1 {
		t.Fatalf("integration called %d times", len(*got))
	}
	r := (*got)[0]
	for k, want := range map[string]string{"User-Agent": "Mattermost-Bot/1.1", "Accept": "application/json",
		"Authorization": "Token " + cmd.Token, "Content-Type": "application/x-www-form-urlencoded"} {
		if r.header.Get(k) != want {
			t.Errorf("header %s = %q, want %q", k, r.header.Get(k), want)
		}
	}
	form, err := url.ParseQuery(string(r.body))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	wantKeys := []string{"channel_id", "channel_name", "command", "response_url", "root_id", "team_domain", "team_id",
		"text", "token", "trigger_id", "user_id", "user_name"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("form keys = %v, want %v", keys, wantKeys)
	}
	for k, want := range map[string]string{"channel_id": w.public.ID, "channel_name": "town-square", "command": "/zoom",
		"team_domain": "testteam", "team_id": w.team.ID, "text": "start hello", "token": cmd.Token,
		"user_id": w.alice.ID, "user_name": "alice"} {
		if form.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, form.Get(k), want)
		}
	}
	if !strings.HasPrefix(form.Get("response_url"), w.srv.URL+"/hooks/commands/") {
		t.Errorf("response_url = %q", form.Get("response_url"))
	}
	eph := w.sim.Ephemerals(w.alice.ID)
	if len(eph) != 1 || eph[0].Message != "Creating your Zoom meeting…" || eph[0].ChannelID != w.public.ID || !eph[0].Ephemeral {
		t.Errorf("ephemerals = %+v", eph)
	}
	if len(w.sim.Posts(w.public.ID)) != 0 {
		t.Error("an ephemeral answer became a channel post")
	}
}

func TestExecuteCommandOutcomes(t *testing.T) {
	const failed = "Command with a trigger of '/zoom' failed."
	for _, c := range []struct {
		name, contentType, reply string
		status                   int
		wantError                string
		wantEphemeral, wantPost  string
	}{
		{"in_channel posts as the user", "application/json", `{"response_type":"in_channel","text":"Meeting!"}`, 200, "", "", "Meeting!"},
		{"plain text is the text", "text/plain", `{"response_type":"in_channel","text":"x"}`, 200, "", `{"response_type":"in_channel","text":"x"}`, ""},
		{"empty ephemeral shows nothing", "application/json", `{"response_type":"ephemeral"}`, 200, "", "", ""},
		{"server error fails", "application/json", `{"text":"oops"}`, 500, failed, "", ""},
		{"bad JSON fails", "application/json", `{`, 200, failed, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			ig, _ := integration(t, c.status, c.contentType, c.reply)
			w.sim.AddCommand(w.team.ID, "zoom", ig.URL)
			res, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", "", "/zoom")
			if err != nil {
				t.Fatal(err)
			}
			if res.Error != c.wantError {
				t.Errorf("error = %q, want %q", res.Error, c.wantError)
			}
			var eph string
			if e := w.sim.Ephemerals(w.alice.ID); len(e) > 0 {
				eph = e[0].Message
			}
			if eph != c.wantEphemeral {
				t.Errorf("ephemeral = %q, want %q", eph, c.wantEphemeral)
			}
			posts := w.sim.Posts(w.public.ID)
			if c.wantPost == "" {
				if len(posts) != 0 {
					t.Errorf("unexpected posts %+v", posts)
				}
				return
			}
			if len(posts) != 1 || posts[0].Message != c.wantPost || posts[0].UserID != w.alice.ID || posts[0].Props["from_webhook"] != "true" {
				t.Errorf("posts = %+v", posts)
			}
		})
	}
}

func TestExecuteCommandTimesOut(t *testing.T) {
	release := make(chan struct{})
	ig := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // hold the answer until the simulator gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(ig.Close)
	t.Cleanup(func() { close(release) })
	sim := New(Options{CommandTimeout: 20 * time.Millisecond})
	team := sim.AddTeam(Team{Name: "t"})
	u := sim.AddUser(User{Username: "u"}, team.ID)
	ch := sim.AddChannel(Channel{TeamID: team.ID, Type: "O", Name: "c"}, u.ID)
	sim.AddCommand(team.ID, "zoom", ig.URL)
	res, err := sim.ExecuteCommand(context.Background(), u.ID, ch.ID, "", "", "/zoom")
	if err != nil || res.Error != "Command with a trigger of '/zoom' failed." {
		t.Errorf("timeout: %+v %v", res, err)
	}
}

func TestExecuteCommandNeedsMembershipAndFindsTeamCommandInDM(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json", `{"text":"hi"}`)
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL)
	res, _ := w.sim.ExecuteCommand(context.Background(), w.carol.ID, w.private.ID, "", "", "/zoom")
	if res.Status != 403 || res.Error == "" || len(*got) != 0 {
		t.Errorf("non-member: %+v, integration called %d times", res, len(*got))
	}
	res, _ = w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.dm.ID, w.team.ID, "", "/zoom")
	if res.Error != "" || len(*got) != 1 {
		t.Fatalf("DM: %+v", res)
	}
	if form, _ := url.ParseQuery(string((*got)[0].body)); form.Get("team_id") != w.team.ID || form.Get("channel_id") != w.dm.ID {
		t.Errorf("DM form = %v", form)
	}
}

func TestResponseURLFiveUsesThenRefused(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json", `{}`)
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL)
	root := w.seedPost(w.public)
	if _, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", root, "/zoom"); err != nil {
		t.Fatal(err)
	}
	form, _ := url.ParseQuery(string((*got)[0].body))
	hookURL := form.Get("response_url")
	post := func(ct, body string) (int, string) {
		resp, err := http.Post(hookURL, ct, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := post("application/json", `{"response_type":"ephemeral","text":"later"}`); status != 200 || body != "ok" {
		t.Errorf("use 1: %d %q", status, body)
	}
	if status, _ := post("application/json", `{"response_type":"in_channel","text":"card"}`); status != 200 {
		t.Errorf("use 2: %d", status)
	}
	for i := 3; i <= 5; i++ {
		if status, _ := post("text/plain", "plain"); status != 200 {
			t.Errorf("use %d: %d", i, status)
		}
	}
	if status, _ := post("text/plain", "too many"); status != 400 {
		t.Errorf("use 6: %d, want 400", status)
	}
	eph := w.sim.Ephemerals(w.alice.ID)
	if len(eph) != 4 || eph[0].Message != "later" || eph[0].RootID != root || eph[1].Message != "plain" {
		t.Errorf("ephemerals = %+v", eph)
	}
	posts := w.sim.Posts(w.public.ID)
	if last := posts[len(posts)-1]; last.Message != "card" || last.UserID != w.alice.ID || last.RootID != root {
		t.Errorf("in_channel post = %+v", last)
	}
}

func TestResponseURLExpiresAfter30Minutes(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	sim := New(Options{Now: func() time.Time { return now }})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetSiteURL(srv.URL)
	team := sim.AddTeam(Team{Name: "t"})
	u := sim.AddUser(User{Username: "u"}, team.ID)
	ch := sim.AddChannel(Channel{TeamID: team.ID, Type: "O", Name: "c"}, u.ID)
	ig, got := integration(t, 200, "application/json", `{}`)
	sim.AddCommand(team.ID, "zoom", ig.URL)
	if _, err := sim.ExecuteCommand(context.Background(), u.ID, ch.ID, "", "", "/zoom"); err != nil {
		t.Fatal(err)
	}
	form, _ := url.ParseQuery(string((*got)[0].body))
	now = now.Add(31 * time.Minute)
	resp, err := http.Post(form.Get("response_url"), "text/plain", strings.NewReader("late"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || len(sim.Ephemerals(u.ID)) != 0 {
		t.Errorf("expired response URL answered %d", resp.StatusCode)
	}
}

// buttonCard is a card with a Join button whose integration points at url.
func buttonCard(url string) map[string]any {
	return map[string]any{"attachments": []any{map[string]any{"title": "Zoom", "actions": []any{map[string]any{
		"id": "join", "type": "button", "name": "Join",
		"integration": map[string]any{"url": url, "context": map[string]any{"action": "join", "sig": "abc"}},
	}}}}}
}

func TestClickButtonSendsObservedJSONAndAppliesUpdate(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json", `{"update":{"message":"Ended"},"ephemeral_text":"You ended it"}`)
	_, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "Started",
		"type": "custom_mmzoom_meeting", "props": buttonCard(ig.URL)})
	id := obj(t, body)["id"].(string)
	// The context's key, quoted: a random id may well contain "sig".
	if strings.Contains(mustJSON(t, body), ig.URL) || strings.Contains(mustJSON(t, body), `"sig"`) {
		t.Errorf("create answer shows the integration: %v", body)
	}
	_, _, body = w.call(w.aliceToken, "GET", "/api/v4/posts/"+id, nil)
	if s := mustJSON(t, body); strings.Contains(s, "integration") || !strings.Contains(s, `"join"`) {
		t.Errorf("GET shows the integration or lost the button: %s", s)
	}
	_, _, body = w.call(w.aliceToken, "GET", "/api/v4/channels/"+w.botChan.ID+"/posts", nil)
	if strings.Contains(mustJSON(t, body), "integration") {
		t.Error("channel posts show the integration")
	}

	status, _, body := w.call(w.aliceToken, "POST", "/api/v4/posts/"+id+"/actions/join", map[string]any{})
	if status != 200 || obj(t, body)["status"] != "OK" || obj(t, body)["trigger_id"] == "" {
		t.Fatalf("click = %d %v", status, body)
	}
	r := (*got)[0]
	if r.header.Get("Authorization") != "" || r.header.Get("Content-Type") != "application/json" || r.header.Get("Accept") != "application/json" {
		t.Errorf("headers = %v", r.header)
	}
	var sent map[string]any
	if err := json.Unmarshal(r.body, &sent); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"user_id": w.alice.ID, "user_name": "alice", "channel_id": w.botChan.ID, "channel_name": "bots",
		"team_id": w.team.ID, "team_domain": "testteam", "post_id": id, "type": "button", "data_source": ""} {
		if sent[k] != want {
			t.Errorf("%s = %v, want %v", k, sent[k], want)
		}
	}
	if ctx := obj(t, sent["context"]); ctx["action"] != "join" || ctx["sig"] != "abc" {
		t.Errorf("context = %v", ctx)
	}
	if tid, _ := sent["trigger_id"].(string); tid == "" {
		t.Error("no trigger_id")
	}
	p, _ := w.sim.Post(id)
	if p.Message != "Ended" || p.Props["attachments"] == nil {
		t.Errorf("update with props null must keep props: %+v", p)
	}
	if e := w.sim.Ephemerals(w.alice.ID); len(e) != 1 || e[0].Message != "You ended it" || e[0].ChannelID != w.botChan.ID {
		t.Errorf("ephemerals = %+v", e)
	}
}

func TestClickButtonUpdateProps(t *testing.T) {
	for _, c := range []struct {
		name, reply string
		wantProps   int // number of props keys after the click
	}{
		{"null keeps", `{"update":{"message":"m","props":null}}`, 1},
		{"empty object clears", `{"update":{"message":"m","props":{}}}`, 0},
		{"object replaces", `{"update":{"props":{"a":"1","b":"2"}}}`, 2},
		{"no update keeps", `{}`, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			ig, _ := integration(t, 200, "application/json", c.reply)
			_, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "x", "props": buttonCard(ig.URL)})
			id := obj(t, body)["id"].(string)
			res, err := w.sim.ClickButton(context.Background(), w.alice.ID, id, "join")
			if err != nil || res.Error != "" {
				t.Fatalf("click: %+v %v", res, err)
			}
			if p, _ := w.sim.Post(id); len(p.Props) != c.wantProps {
				t.Errorf("props = %v, want %d keys", p.Props, c.wantProps)
			}
		})
	}
}

func TestClickButtonFailuresAndPermissions(t *testing.T) {
	w := newWorld(t)
	bad, _ := integration(t, 500, "text/plain", "no")
	_, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "x", "props": buttonCard(bad.URL)})
	id := obj(t, body)["id"].(string)
	if res, _ := w.sim.ClickButton(context.Background(), w.alice.ID, id, "join"); res.Error == "" {
		t.Error("a 500 from the integration must fail the click")
	}
	if res, _ := w.sim.ClickButton(context.Background(), w.carol.ID, id, "join"); res.Status != 403 {
		t.Errorf("non-member of a private channel clicked: %+v", res)
	}
	if res, _ := w.sim.ClickButton(context.Background(), w.alice.ID, id, "nope"); res.Error == "" {
		t.Error("unknown action must fail")
	}
	if p, _ := w.sim.Post(id); p.Message != "x" {
		t.Errorf("failed click changed the post: %+v", p)
	}
}

// ephemeralQuestion has a slash command answer alice in ch with an ephemeral post holding buttonCard(actionURL)
// and returns that post as alice's client got it.
func (w *world) ephemeralQuestion(ch Channel, actionURL string) Post {
	w.t.Helper()
	cmd, _ := integration(w.t, 200, "application/json", mustJSON(w.t, map[string]any{"response_type": "ephemeral", "text": "Pick",
		"attachments": buttonCard(actionURL)["attachments"]}))
	w.sim.AddCommand(w.team.ID, "q"+ch.Name, cmd.URL)
	res, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, ch.ID, "", "", "/q"+ch.Name)
	if err != nil || res.Error != "" {
		w.t.Fatalf("execute: %+v %v", res, err)
	}
	if acts := res.Response.Attachments[0]["actions"].([]any); obj(w.t, acts[0])["integration"] == nil {
		w.t.Error("ExecuteCommand must return the response as the integration sent it")
	}
	eph := w.sim.Ephemerals(w.alice.ID)
	if len(eph) == 0 {
		w.t.Fatal("no ephemeral post")
	}
	return eph[len(eph)-1]
}

// cookieOf is the cookie of button id of a post as a client got it; a button without one fails the test.
func cookieOf(t *testing.T, p Post, id string) string {
	t.Helper()
	for _, a := range p.Props["attachments"].([]any) {
		for _, act := range obj(t, a)["actions"].([]any) {
			if m := obj(t, act); m["id"] == id {
				c, _ := m["cookie"].(string)
				if c == "" {
					t.Fatalf("button %q of post %s has no cookie: %+v", id, p.ID, p.Props)
				}
				return c
			}
		}
	}
	t.Fatalf("no button %q in %+v", id, p)
	return ""
}

// An ephemeral post reaches the client only (over the WebSocket): its buttons carry an encrypted cookie
// holding what the server would otherwise read from the stored post, and no integration.
func TestEphemeralPostButtonsCarryAnEncryptedCookie(t *testing.T) {
	w := newWorld(t)
	q := w.ephemeralQuestion(w.public, "https://svc.example/action")
	cookieOf(t, q, "join")
	for _, leak := range []string{"svc.example", "integration", `"sig"`} {
		if strings.Contains(mustJSON(t, q.Props), leak) {
			t.Errorf("the client's copy shows %s: %s", leak, mustJSON(t, q.Props))
		}
	}
	_, _, body := w.call(w.aliceToken, "GET", "/sim/ephemeral?channel_id="+w.public.ID, nil)
	if s := mustJSON(t, body); !strings.Contains(s, `"cookie"`) || strings.Contains(s, "svc.example") {
		t.Errorf("the chat page gets %s", s)
	}
	if _, ok := w.sim.Post(q.ID); ok {
		t.Error("an ephemeral post was stored")
	}
}

func TestClickOnEphemeralPostGoesThroughItsCookie(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json", `{"ephemeral_text":"Here you go"}`)
	q := w.ephemeralQuestion(w.public, ig.URL)
	cookie := cookieOf(t, q, "join")

	// Mattermost does not store ephemeral posts: without the cookie the post is unknown (and a user who may
	// not read the channel of an unknown post is refused).
	if status, _, body := w.call(w.aliceToken, "POST", "/api/v4/posts/"+q.ID+"/actions/join", map[string]any{}); status != 403 {
		t.Errorf("click without cookie = %d %v, want 403", status, body)
	}
	if status, _, _ := w.call(w.aliceToken, "POST", "/api/v4/posts/"+q.ID+"/actions/join", map[string]any{"cookie": cookie[:len(cookie)-4] + "AAAA"}); status != 400 {
		t.Errorf("altered cookie = %d, want 400", status)
	}
	if status, _, _ := w.call(w.aliceToken, "POST", "/api/v4/posts/"+newID()+"/actions/join", map[string]any{"cookie": cookie}); status != 400 {
		t.Errorf("cookie of another post = %d, want 400", status)
	}
	if len(*got) != 0 {
		t.Fatalf("refused clicks reached the integration %d times", len(*got))
	}

	status, _, body := w.call(w.aliceToken, "POST", "/api/v4/posts/"+q.ID+"/actions/join", map[string]any{"cookie": cookie})
	if status != 200 || obj(t, body)["status"] != "OK" {
		t.Fatalf("click = %d %v", status, body)
	}
	var sent map[string]any
	if err := json.Unmarshal((*got)[0].body, &sent); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"user_id": w.alice.ID, "user_name": "alice", "channel_id": w.public.ID, "channel_name": "town-square",
		"team_id": w.team.ID, "team_domain": "testteam", "post_id": q.ID, "type": "button"} {
		if sent[k] != want {
			t.Errorf("%s = %v, want %v", k, sent[k], want)
		}
	}
	if ctx := obj(t, sent["context"]); ctx["action"] != "join" || ctx["sig"] != "abc" {
		t.Errorf("context = %v", ctx)
	}
	eph := w.sim.Ephemerals(w.alice.ID)
	// The answer is a new ephemeral post in the question's thread (the cookie's root_post_id).
	if len(eph) != 2 || eph[0].Message != "Pick" || eph[1].Message != "Here you go" || eph[1].ChannelID != w.public.ID || eph[1].RootID != q.ID {
		t.Errorf("ephemerals = %+v", eph)
	}
}

func TestClickOnEphemeralPostOfAChannelTheClickerCannotRead(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json", `{"ephemeral_text":"x"}`)
	q := w.ephemeralQuestion(w.private, ig.URL)
	carol := w.sim.Login(w.carol.ID)
	if status, _, _ := w.call(carol, "POST", "/api/v4/posts/"+q.ID+"/actions/join", map[string]any{"cookie": cookieOf(t, q, "join")}); status != 403 {
		t.Errorf("a non-member clicked with a copied cookie: %d, want 403", status)
	}
	if len(*got) != 0 {
		t.Error("the integration was called")
	}
}

// Observed on 5.36.1 (and in current source): an update for an ephemeral post makes Mattermost update a post
// that is not stored. The integration has run, but the clicker gets 404 and neither the ephemeral text nor
// anything else of the answer.
func TestEphemeralPostCannotBeUpdated(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json",
		`{"update":{"message":"Done","props":{}},"ephemeral_text":"Here is your link","goto_location":"https://zoom.us/s/1"}`)
	q := w.ephemeralQuestion(w.public, ig.URL)
	unchanged := func(when string) {
		t.Helper()
		if eph := w.sim.Ephemerals(w.alice.ID); len(eph) != 1 || eph[0].Message != "Pick" || len(eph[0].Props) == 0 {
			t.Errorf("%s: ephemerals = %+v, want the question unchanged and nothing else", when, eph)
		}
	}

	res, err := w.sim.ClickButton(context.Background(), w.alice.ID, q.ID, "join")
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 404 || res.ErrorID != "app.post.get.app_error" || res.EphemeralText != "" || res.GotoLocation != "" {
		t.Errorf("ClickButton = %+v, want 404 and nothing delivered", res)
	}
	unchanged("ClickButton")

	status, _, body := w.call(w.aliceToken, "POST", "/api/v4/posts/"+q.ID+"/actions/join", map[string]any{"cookie": cookieOf(t, q, "join")})
	if status != 404 || obj(t, body)["id"] != "app.post.get.app_error" || obj(t, body)["message"] != "Unable to get the post." {
		t.Errorf("click answered with an update = %d %v, want 404 app.post.get.app_error", status, body)
	}
	unchanged("REST")
	if len(*got) != 2 {
		t.Errorf("integration called %d times, want 2 (its side effects happen)", len(*got))
	}
}

func TestExecuteCommandOverREST(t *testing.T) {
	w := newWorld(t)
	ig, _ := integration(t, 200, "application/json", mustJSON(t, map[string]any{"text": "hi", "goto_location": "https://zoom.us/s/1",
		"attachments": buttonCard("https://svc.example/action")["attachments"]}))
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL)
	status, _, body := w.call(w.aliceToken, "POST", "/api/v4/commands/execute", map[string]any{"channel_id": w.public.ID, "command": "/zoom"})
	if status != 200 || obj(t, body)["goto_location"] != "https://zoom.us/s/1" || strings.Contains(mustJSON(t, body), "svc.example") {
		t.Errorf("execute = %d %v", status, body)
	}
	broken, _ := integration(t, 500, "text/plain", "")
	w.sim.AddCommand(w.team.ID, "broken", broken.URL)
	status, _, body = w.call(w.aliceToken, "POST", "/api/v4/commands/execute", map[string]any{"channel_id": w.public.ID, "command": "/broken"})
	if status != 500 || obj(t, body)["message"] != "Command with a trigger of '/broken' failed." {
		t.Errorf("failed execute = %d %v", status, body)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func FuzzParseCommandResponse(f *testing.F) {
	f.Add("application/json", []byte(`{"response_type":"in_channel","text":"x","attachments":[{"actions":[{"id":"a"}]}]}`))
	f.Add("application/json; charset=utf-8", []byte(`{"extra_responses":[{"text":"y"}]}`))
	f.Add("text/plain", []byte("hello"))
	f.Add("application/json", []byte(`{`))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		cr, err := parseCommandResponse(ct, body)
		if err != nil {
			return
		}
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/json") && cr.Text != string(body) {
			t.Errorf("non-JSON body must be the text")
		}
		// Delivering whatever parsed must not panic.
		s := New(Options{})
		s.deliverCommandResponse("u", "c", "", cr)
	})
}

func FuzzValidProps(f *testing.F) {
	f.Add([]byte(`{"attachments":[{"color":"#2D8CFF","title":"t","title_link":"https://x","actions":[{"name":"n","integration":{"url":"https://x"}}]}]}`))
	f.Add([]byte(`{"attachments":"nope"}`))
	f.Add([]byte(`{"attachments":[1,{"actions":[null]}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var props map[string]any
		if json.Unmarshal(raw, &props) != nil {
			return
		}
		_ = validProps(props)
		_ = findIntegration(props, "a")
		_ = stripIntegrations(props)
	})
}
