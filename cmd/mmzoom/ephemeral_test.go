package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// The questions mmzoom asks (a meeting is already running here; Personal Meeting ID or new ID; /zoom
// settings) are ephemeral replies. Mattermost never stores those: their buttons are clicked through a sealed
// cookie, an answer with an update makes Mattermost answer 404 and drop the text, and goto_location is
// ignored for clicks. These tests drive everything as a person in Mattermost's web client would, over the
// simulator's HTTP API only.

// mmClient is one person signed in to the Mattermost simulator over HTTP.
type mmClient struct {
	w     *world
	user  mmsim.User
	token string
}

// clientPost is a post as Mattermost's client gets it (an ephemeral one arrives over the WebSocket).
type clientPost struct {
	ID      string         `json:"id"`
	RootID  string         `json:"root_id"`
	Message string         `json:"message"`
	Props   map[string]any `json:"props"`
}

// signIn logs user in with the demo password, as the web client does.
func (w *world) signIn(user mmsim.User) *mmClient {
	w.t.Helper()
	resp, err := http.Post(w.MMURL+"/api/v4/users/login", "application/json",
		strings.NewReader(`{"login_id":"`+user.Username+`","password":"demo"}`))
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Token") == "" {
		w.t.Fatalf("signing in as %s: %d", user.Username, resp.StatusCode)
	}
	return &mmClient{w: w, user: user, token: resp.Header.Get("Token")}
}

// call makes a REST call as the user and returns the status and the body.
func (c *mmClient) call(method, path string, body any) (int, []byte) {
	c.w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.w.MMURL+path, rd)
	if err != nil {
		c.w.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// command types a slash command in ch.
func (c *mmClient) command(ch mmsim.Channel, line string) {
	c.w.t.Helper()
	status, body := c.call("POST", "/api/v4/commands/execute", map[string]string{"channel_id": ch.ID, "team_id": c.w.Team.ID, "command": line})
	if status != http.StatusOK {
		c.w.t.Fatalf("%s: %d %s", line, status, body)
	}
}

// shown is what the user was shown ephemerally in ch, oldest first.
func (c *mmClient) shown(ch mmsim.Channel) []clientPost {
	c.w.t.Helper()
	status, body := c.call("GET", "/sim/ephemeral?channel_id="+ch.ID, nil)
	var out []clientPost
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil {
		c.w.t.Fatalf("ephemeral posts: %d %s", status, body)
	}
	return out
}

// lastShown is the newest ephemeral message in ch.
func (c *mmClient) lastShown(ch mmsim.Channel) clientPost {
	c.w.t.Helper()
	s := c.shown(ch)
	if len(s) == 0 {
		c.w.t.Fatalf("%s was shown nothing in %s", c.user.Username, ch.Name)
	}
	return s[len(s)-1]
}

// question is the newest ephemeral post in ch with button id.
func (c *mmClient) question(ch mmsim.Channel, id string) clientPost {
	c.w.t.Helper()
	s := c.shown(ch)
	for i := len(s) - 1; i >= 0; i-- {
		if buttonCookie(s[i], id) != "" {
			return s[i]
		}
	}
	c.w.t.Fatalf("no question with button %q shown to %s: %+v", id, c.user.Username, s)
	return clientPost{}
}

// buttonCookie is the sealed cookie of button id of an ephemeral post.
func buttonCookie(p clientPost, id string) string {
	atts, _ := p.Props["attachments"].([]any)
	for _, a := range atts {
		am, _ := a.(map[string]any)
		acts, _ := am["actions"].([]any)
		for _, act := range acts {
			if m, _ := act.(map[string]any); m["id"] == id {
				s, _ := m["cookie"].(string)
				return s
			}
		}
	}
	return ""
}

// click clicks button id of question q as the web client does, and returns the status and body it got.
func (c *mmClient) click(q clientPost, id string) (int, string) {
	c.w.t.Helper()
	status, body := c.call("POST", "/api/v4/posts/"+q.ID+"/actions/"+id, map[string]string{"cookie": buttonCookie(q, id)})
	return status, string(body)
}

// clickOK clicks and fails the test unless Mattermost answered the click with 200, and returns the message
// the click made the user see.
func (c *mmClient) clickOK(ch mmsim.Channel, q clientPost, id string) string {
	c.w.t.Helper()
	before := len(c.shown(ch))
	status, body := c.click(q, id)
	if status != http.StatusOK {
		c.w.t.Fatalf("clicking %s: Mattermost answered %d %s", id, status, body)
	}
	after := c.shown(ch)
	if len(after) != before+1 {
		c.w.t.Fatalf("clicking %s showed %d messages, want 1: %+v", id, len(after)-before, after[before:])
	}
	return after[len(after)-1].Message
}

// hostLink is the Markdown link to a meeting's start_url, as the answer to a click carries it.
func hostLink(m string) string { return "](" + m + ")" }

func TestRecentMeetingQuestionAnsweredByAClick(t *testing.T) {
	cases := []struct {
		button string
		want   func(w *world, first mmsim.Post) (text string, cards int)
	}{
		{"startnew", func(w *world, _ mmsim.Post) (string, int) {
			cards := w.cards(w.Town)
			return hostLink(w.meetingOf(cards[len(cards)-1]).StartURL), 2
		}},
		{"joinrecent", func(w *world, first mmsim.Post) (string, int) {
			return "](" + w.meetingOf(first).JoinURL + ")", 1
		}},
	}
	for _, c := range cases {
		t.Run(c.button, func(t *testing.T) {
			w := newWorld(t, meeting.KindS2S)
			alice, kenji := w.signIn(w.Alice), w.signIn(w.Kenji)
			alice.command(w.Town, "/zoom start Standup")
			first := w.onlyCard(w.Town)
			kenji.command(w.Town, "/zoom start")
			if len(w.cards(w.Town)) != 1 {
				t.Fatal("a second meeting was started without asking")
			}
			got := kenji.clickOK(w.Town, kenji.question(w.Town, c.button), c.button)
			wantText, wantCards := c.want(w, first)
			if !strings.Contains(got, wantText) || !hasJapanese(got) {
				t.Errorf("kenji was shown %q, want the link %q, in Japanese", got, wantText)
			}
			if n := len(w.cards(w.Town)); n != wantCards {
				t.Errorf("%d cards, want %d", n, wantCards)
			}
			for _, m := range w.Zoom.Meetings() {
				if strings.Contains(postedText(w.Mattermost.Posts(w.Town.ID)), m.StartURL) {
					t.Error("a host start link was posted in the channel")
				}
			}
		})
	}
}

func TestPersonalMeetingIDQuestionBothAnswers(t *testing.T) {
	for _, c := range []struct {
		button string
		pmi    bool
	}{{"usepmi", true}, {"usenew", false}} {
		t.Run(c.button, func(t *testing.T) {
			w := newWorld(t, meeting.KindS2S)
			alice := w.signIn(w.Alice)
			alice.command(w.Town, "/zoom settings")
			alice.clickOK(w.Town, alice.question(w.Town, "pmiask"), "pmiask")
			alice.command(w.Town, "/zoom start Planning")
			if len(w.cards(w.Town)) != 0 {
				t.Fatal("started without asking about the Personal Meeting ID")
			}
			got := alice.clickOK(w.Town, alice.question(w.Town, c.button), c.button)
			m := w.meetingOf(w.onlyCard(w.Town))
			zu, _ := w.Zoom.UserByEmail(w.Alice.Email)
			if (m.ID == zu.PMI) != c.pmi {
				t.Errorf("meeting %d, PMI %d: want the PMI used = %v", m.ID, zu.PMI, c.pmi)
			}
			if !strings.Contains(got, hostLink(m.StartURL)) || !strings.Contains(got, "Planning") {
				t.Errorf("alice was shown %q, want the start link of %q", got, "Planning")
			}
		})
	}
}

func TestSettingsChoiceIsSavedAndConfirmed(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	alice := w.signIn(w.Alice)
	alice.command(w.Town, "/zoom settings")
	got := alice.clickOK(w.Town, alice.question(w.Town, "pmipmi"), "pmipmi")
	if !strings.Contains(got, "Saved") || !strings.Contains(got, "Always") {
		t.Errorf("alice was shown %q, want the saved choice", got)
	}
	// She changes her mind on the same question: settings buttons stay usable.
	got = alice.clickOK(w.Town, alice.question(w.Town, "pminew"), "pminew")
	if !strings.Contains(got, "Never") {
		t.Errorf("alice was shown %q, want the new choice", got)
	}
	alice.command(w.Town, "/zoom start")
	zu, _ := w.Zoom.UserByEmail(w.Alice.Email)
	if m := w.meetingOf(w.onlyCard(w.Town)); m.ID == zu.PMI {
		t.Error("the saved choice (never the PMI) was not applied")
	}
}

// One question, one answer: two buttons of the same question (or the same button on a stale copy) start one
// meeting; the later click is told, in the user's language, that the question was answered.
func TestAQuestionAnsweredTwiceStartsOneMeeting(t *testing.T) {
	for _, c := range []struct {
		name     string
		user     func(w *world) mmsim.User
		answered string
	}{
		{"english", func(w *world) mmsim.User { return w.Alice }, "You already answered this question."},
		{"japanese", func(w *world) mmsim.User { return w.Kenji }, "この質問にはすでに回答済みです。"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, meeting.KindS2S)
			u := w.signIn(c.user(w))
			u.command(w.Town, "/zoom settings")
			u.clickOK(w.Town, u.question(w.Town, "pmiask"), "pmiask")
			u.command(w.Town, "/zoom start")
			q := u.question(w.Town, "usenew")
			u.clickOK(w.Town, q, "usenew")
			for _, again := range []string{"usepmi", "usenew"} {
				if got := u.clickOK(w.Town, q, again); got != c.answered {
					t.Errorf("clicking %s after answering showed %q, want %q", again, got, c.answered)
				}
			}
			if n, cards := len(w.Zoom.Meetings()), len(w.cards(w.Town)); n != 1 || cards != 1 {
				t.Errorf("%d meetings and %d cards, want 1", n, cards)
			}
		})
	}
}

// A click whose context is not the user's own, untouched one is refused before it can spend the question:
// nothing starts, and the user's own answer still works afterwards.
func TestForgedClickNeitherActsNorSpendsTheQuestion(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	kenji := w.signIn(w.Kenji)
	w.signIn(w.Alice).command(w.Town, "/zoom start")
	// The question as mmzoom sent it to Mattermost (the client only gets it sealed).
	res := w.run(w.Kenji, w.Town, "/zoom start")
	var ctx map[string]any
	for _, a := range res.Response.Attachments {
		for _, act := range a["actions"].([]any) {
			if m := act.(map[string]any); m["id"] == "startnew" {
				ctx = m["integration"].(map[string]any)["context"].(map[string]any)
			}
		}
	}
	if ctx == nil {
		t.Fatalf("no start-another button in %+v", res.Response)
	}
	q := kenji.question(w.Town, "startnew")

	// Maria may click in the channel, but the context is bound to kenji: Mattermost passes mmzoom's 403 on.
	if status, body := w.signIn(w.Maria).click(q, "startnew"); status == http.StatusOK {
		t.Errorf("maria clicked kenji's question: %d %s", status, body)
	}
	// Nor is a click posted straight to mmzoom with the context or its binding changed.
	for name, f := range map[string]func(req, ctx map[string]any){
		"as another user":    func(req, _ map[string]any) { req["user_id"] = w.Maria.ID },
		"in another channel": func(req, _ map[string]any) { req["channel_id"] = w.Private.ID },
		"altered argument":   func(_, ctx map[string]any) { ctx["args"].(map[string]any)["topic"] = "Other" },
		"other nonce":        func(_, ctx map[string]any) { ctx["nonce"] = "forged" },
		"unmarked ephemeral": func(_, ctx map[string]any) { delete(ctx, "eph") },
		"forged signature":   func(_, ctx map[string]any) { ctx["sig"] = "AAAA" },
	} {
		var c map[string]any
		b, _ := json.Marshal(ctx)
		_ = json.Unmarshal(b, &c)
		req := map[string]any{"user_id": w.Kenji.ID, "user_name": "kenji", "channel_id": w.Town.ID, "team_id": w.Team.ID,
			"post_id": q.ID, "type": "button", "context": c}
		f(req, c)
		b, _ = json.Marshal(req)
		resp, err := http.Post(w.MMZoomURL+"/mattermost/action", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, resp.StatusCode)
		}
	}
	if n := len(w.Zoom.Meetings()); n != 1 {
		t.Fatalf("%d meetings after refused clicks, want 1", n)
	}
	got := kenji.clickOK(w.Town, q, "startnew")
	cards := w.cards(w.Town)
	if len(cards) != 2 {
		t.Fatalf("%d cards after kenji's own answer, want 2", len(cards))
	}
	if link := hostLink(w.meetingOf(cards[1]).StartURL); !strings.Contains(got, link) {
		t.Errorf("kenji's own answer after the forgeries showed %q, want the start link %q", got, link)
	}
}
