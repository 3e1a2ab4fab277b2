package mattermost

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestSigner() (*Signer, *fakeClock) {
	clk := &fakeClock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	return NewSigner([]byte("0123456789abcdef0123456789abcdef"), "https://mmzoom.example/mattermost/action", clk.now), clk
}

// roundTrip sends a context through JSON, as it travels through Mattermost.
func roundTrip(t *testing.T, ctx map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyRefusesWhatWasNotSigned(t *testing.T) {
	s, clk := newTestSigner()
	action := meeting.Action{Name: meeting.ActionStartNew, UserID: "alice", ChannelID: "town", Once: true,
		Args: map[string]string{"topic": "Retro", "team": "t1"}}
	good := func() map[string]any { return roundTrip(t, s.Context(action, "")) }

	a, err := s.Verify(good(), "alice", "town")
	if err != nil || a.Name != meeting.ActionStartNew || a.Args["topic"] != "Retro" || a.Nonce == "" || !a.Once || a.OnEphemeral {
		t.Fatalf("a good context: %+v %v", a, err)
	}
	idem, err := s.Verify(roundTrip(t, s.Context(meeting.Action{Name: meeting.ActionSetPMI, UserID: "alice"}, "dm")), "alice", "dm")
	if err != nil || idem.Nonce != "" || idem.Once || idem.ChannelID != "dm" {
		t.Errorf("an idempotent action bound to the posting channel: %+v %v", idem, err)
	}

	cases := []struct {
		name    string
		ctx     func() map[string]any
		user    string
		channel string
		advance time.Duration
	}{
		{"forged signature", func() map[string]any { c := good(); c["sig"] = "AAAA"; return c }, "alice", "town", 0},
		{"no signature", func() map[string]any { c := good(); delete(c, "sig"); return c }, "alice", "town", 0},
		{"altered argument", func() map[string]any {
			c := good()
			c["args"].(map[string]any)["topic"] = "Other"
			return c
		}, "alice", "town", 0},
		{"added argument", func() map[string]any {
			c := good()
			c["args"].(map[string]any)["force"] = "1"
			return c
		}, "alice", "town", 0},
		{"altered action", func() map[string]any { c := good(); c["action"] = meeting.ActionStartPMI; return c }, "alice", "town", 0},
		{"altered nonce", func() map[string]any { c := good(); c["nonce"] = "x"; return c }, "alice", "town", 0},
		{"removed nonce", func() map[string]any { c := good(); delete(c, "nonce"); return c }, "alice", "town", 0},
		{"marked ephemeral", func() map[string]any { c := good(); c["eph"] = "1"; return c }, "alice", "town", 0},
		{"extended expiry", func() map[string]any { c := good(); c["expires"] = "99999999999"; return c }, "alice", "town", 0},
		{"non-string argument", func() map[string]any {
			c := good()
			c["args"].(map[string]any)["topic"] = 7.0
			return c
		}, "alice", "town", 0},
		{"another user", good, "mallory", "town", 0},
		{"another channel", good, "alice", "design", 0},
		{"expired", good, "alice", "town", defaultButtonTTL + time.Second},
		{"empty", func() map[string]any { return map[string]any{} }, "alice", "town", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := c.ctx()
			clk.t = clk.t.Add(c.advance)
			defer func() { clk.t = clk.t.Add(-c.advance) }()
			if _, err := s.Verify(ctx, c.user, c.channel); !errors.Is(err, ErrBadContext) {
				t.Errorf("err %v, want ErrBadContext", err)
			}
		})
	}
	other := NewSigner([]byte("another key of thirty-two bytes!"), "", clk.now)
	if _, err := other.Verify(good(), "alice", "town"); err == nil {
		t.Error("a context signed with another key verified")
	}
}

// A context signed before contexts carried the ephemeral mark (a direct message posted by the previous
// version) still verifies: the mark is signed only when present.
func TestContextsWithoutTheEphemeralMarkStillVerify(t *testing.T) {
	s, _ := newTestSigner()
	ctx := map[string]any{"action": meeting.ActionConfirmLink, "user_id": "alice", "channel_id": "dm",
		"expires": "1795597200", "nonce": "n1", "args": map[string]any{}, "sig": "J47CULg5kZUs7esztP3UcWV4mzOW-ywMJSUmLb8pXOg"} // signed by the previous version with the test key
	a, err := s.Verify(ctx, "alice", "dm")
	if err != nil || a.OnEphemeral || a.Nonce != "n1" {
		t.Errorf("an older context: %+v %v", a, err)
	}
}

func TestResponsesCarrySignedButtons(t *testing.T) {
	s, _ := newTestSigner()
	r := &meeting.Reply{Text: "Choose", GotoLocation: "https://zoom.example/s/1", Attachments: []meeting.Attachment{{
		Text: "hint", Buttons: []meeting.Button{{ID: "usepmi", Name: "PMI", Action: meeting.Action{Name: meeting.ActionStartPMI, UserID: "alice", Once: true}}},
	}}}
	cr := s.CommandResponse(r, "town")
	if cr.ResponseType != "ephemeral" || cr.GotoLocation != r.GotoLocation || len(cr.Attachments) != 1 {
		t.Fatalf("command response %+v", cr)
	}
	act := cr.Attachments[0].Actions[0]
	if act.Type != "button" || act.Style != "default" || act.Integration.URL != "https://mmzoom.example/mattermost/action" {
		t.Errorf("action %+v", act)
	}
	a, err := s.Verify(roundTrip(t, act.Integration.Context), "alice", "town")
	if err != nil || !a.OnEphemeral {
		t.Errorf("the button of an ephemeral reply: %+v %v, want a verified action marked ephemeral", a, err)
	}
	stored := s.Attachments(r.Attachments, "town")[0].Actions[0]
	if a, err := s.Verify(roundTrip(t, stored.Integration.Context), "alice", "town"); err != nil || a.OnEphemeral {
		t.Errorf("the button of a stored post: %+v %v, want a verified action not marked ephemeral", a, err)
	}
}

// The single-use buttons of one post are one question: they share one nonce, and another post's differ.
func TestButtonsOfOnePostShareOneNonce(t *testing.T) {
	s, _ := newTestSigner()
	once := func(id string) meeting.Button {
		return meeting.Button{ID: id, Name: id, Action: meeting.Action{Name: meeting.ActionStartPMI, UserID: "alice", Once: true}}
	}
	atts := []meeting.Attachment{{Buttons: []meeting.Button{once("a"), once("b")}}, {Buttons: []meeting.Button{once("c"),
		{ID: "d", Name: "d", Action: meeting.Action{Name: meeting.ActionSetPMI, UserID: "alice"}}}}}
	nonces := func(atts []Attachment) []string {
		var out []string
		for _, at := range atts {
			for _, act := range at.Actions {
				a, err := s.Verify(roundTrip(t, act.Integration.Context), "alice", "town")
				if err != nil {
					t.Fatalf("button %s: %v", act.ID, err)
				}
				out = append(out, a.Nonce)
			}
		}
		return out
	}
	for name, got := range map[string][]string{
		"stored post":     nonces(s.Attachments(atts, "town")),
		"ephemeral reply": nonces(s.CommandResponse(&meeting.Reply{Attachments: atts}, "town").Attachments),
	} {
		if got[0] == "" || got[1] != got[0] || got[2] != got[0] || got[3] != "" {
			t.Errorf("%s: nonces %q, want one shared by the single-use buttons and none on the other", name, got)
		}
	}
	if a, b := nonces(s.Attachments(atts, "town")), nonces(s.Attachments(atts, "town")); a[0] == b[0] {
		t.Error("two posts share a nonce")
	}
}

func TestActionResponseUpdatesOnlyStoredPosts(t *testing.T) {
	s, _ := newTestSigner()
	reply := func() *meeting.Reply {
		return &meeting.Reply{Text: "Start it here", GotoLocation: "https://zoom.example/s/1", Update: &meeting.Post{Message: "Done"}}
	}
	ar := s.ActionResponse(reply(), meeting.Action{ChannelID: "dm"})
	if ar.Update == nil || ar.Update.Message != "Done" || ar.Update.Props == nil || ar.EphemeralText != "Start it here" {
		t.Errorf("an update must replace props (to retire the buttons): %+v", ar)
	}
	b, _ := json.Marshal(ar)
	if !strings.Contains(string(b), `"props":{}`) {
		t.Errorf("props not sent as an empty map: %s", b)
	}

	ar = s.ActionResponse(reply(), meeting.Action{ChannelID: "town", OnEphemeral: true})
	b, _ = json.Marshal(ar)
	if ar.Update != nil || strings.Contains(string(b), `"update"`) {
		t.Errorf("a click on an ephemeral post was answered with an update: %s", b)
	}
	if ar.EphemeralText != "Done\nStart it here" || ar.GotoLocation != "https://zoom.example/s/1" {
		t.Errorf("the answer lost what the update said: %+v", ar)
	}
}

func FuzzVerify(f *testing.F) {
	s, _ := newTestSigner()
	good, _ := json.Marshal(s.Context(meeting.Action{Name: "set_pmi", UserID: "u", ChannelID: "c"}, ""))
	f.Add(string(good), "u", "c")
	f.Add(`{"action":"x","sig":"y"}`, "u", "c")
	f.Add(`{"args":{"a":1},"expires":"1"}`, "", "")
	f.Fuzz(func(t *testing.T, raw, user, channel string) {
		var ctx map[string]any
		if json.Unmarshal([]byte(raw), &ctx) != nil {
			return
		}
		a, err := s.Verify(ctx, user, channel)
		if err == nil && (a.UserID != user || a.ChannelID != channel || raw != string(good)) {
			// Only the one context this signer made verifies: random input must never.
			var orig map[string]any
			_ = json.Unmarshal(good, &orig)
			if !jsonEqual(orig, ctx) {
				t.Fatalf("forged context verified: %s", raw)
			}
		}
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
