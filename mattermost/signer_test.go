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

	a, nonce, err := s.Verify(good(), "alice", "town")
	if err != nil || a.Name != meeting.ActionStartNew || a.Args["topic"] != "Retro" || nonce == "" || !a.Once {
		t.Fatalf("a good context: %+v %q %v", a, nonce, err)
	}
	idem, n2, err := s.Verify(roundTrip(t, s.Context(meeting.Action{Name: meeting.ActionSetPMI, UserID: "alice"}, "dm")), "alice", "dm")
	if err != nil || n2 != "" || idem.ChannelID != "dm" {
		t.Errorf("an idempotent action bound to the posting channel: %+v %q %v", idem, n2, err)
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
			if _, _, err := s.Verify(ctx, c.user, c.channel); !errors.Is(err, ErrBadContext) {
				t.Errorf("err %v, want ErrBadContext", err)
			}
		})
	}
	other := NewSigner([]byte("another key of thirty-two bytes!"), "", clk.now)
	if _, _, err := other.Verify(good(), "alice", "town"); err == nil {
		t.Error("a context signed with another key verified")
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
	if _, _, err := s.Verify(roundTrip(t, act.Integration.Context), "alice", "town"); err != nil {
		t.Errorf("the button's context does not verify: %v", err)
	}
	ar := s.ActionResponse(&meeting.Reply{Update: &meeting.Post{Message: "Done"}}, "town")
	if ar.Update == nil || ar.Update.Message != "Done" || ar.Update.Props == nil {
		t.Errorf("an update must replace props (to retire the buttons): %+v", ar.Update)
	}
	b, _ := json.Marshal(ar)
	if !strings.Contains(string(b), `"props":{}`) {
		t.Errorf("props not sent as an empty map: %s", b)
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
		a, _, err := s.Verify(ctx, user, channel)
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
