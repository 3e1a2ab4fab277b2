package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmzoom/mmzoom/meeting"
)

// What a real admin and user meet: topics as Zoom takes them, replies that read well, and the admin-managed
// app explaining itself before and during its connection.

func TestTopicsAreMadeFitForZoom(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	long := strings.Repeat("Quarterly planning ", 15) // 285 characters
	res := w.run(w.Alice, w.Town, "/zoom start \u202Egnp.exe\u202C "+long)
	card := w.checkStarted(res, w.Town, w.Alice)
	topic, _ := card.Props[meeting.PropTopic].(string)
	if n := utf8.RuneCountInString(topic); n > meeting.MaxTopic {
		t.Errorf("topic of %d characters reached the card, Zoom takes %d", n, meeting.MaxTopic)
	}
	if strings.ContainsRune(topic, '\u202E') {
		t.Errorf("a bidi override reached the card: %q", topic)
	}
	if m := w.meetingOf(card); utf8.RuneCountInString(m.Topic) > meeting.MaxTopic {
		t.Errorf("Zoom was sent a topic of %d characters", utf8.RuneCountInString(m.Topic))
	}
	if !strings.Contains(res.Response.Text, "shortened to 200 characters") {
		t.Errorf("the user was not told the topic was shortened: %q", res.Response.Text)
	}
}

func TestRepliesReadWell(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	res := w.run(w.Alice, w.Town, "/zoom start")
	card := w.checkStarted(res, w.Town, w.Alice)
	if strings.Contains(res.Response.Text, "Zoom meeting Zoom meeting") || strings.Contains(res.Response.Text, "meeting **Zoom meeting**") {
		t.Errorf("the default topic doubles up: %q", res.Response.Text)
	}
	if topic := card.Props[meeting.PropTopic]; topic != "Alice's Zoom meeting" {
		t.Errorf("default topic %q, want the starter's name in it", topic)
	}
	// A card waiting for its host says who created it; nothing calls it started or running.
	text := postedText(w.cards(w.Town))
	if !strings.Contains(text, "Created by alice") || strings.Contains(text, "Started by") {
		t.Errorf("waiting card: %s", text)
	}
	res = w.run(w.Kenji, w.Town, "/zoom start")
	if strings.Contains(res.Response.Text, "running") || strings.Contains(res.Response.Text, "in progress") ||
		!strings.Contains(res.Response.Text, "has not started") {
		// kenji's locale is Japanese: check the Japanese wording too.
		if !strings.Contains(res.Response.Text, "まだ開始されていません") {
			t.Errorf("a meeting nobody started is called running: %q", res.Response.Text)
		}
	}
	m := w.meetingOf(card)
	if err := w.Zoom.StartMeeting(context.Background(), m.ID); err != nil {
		t.Fatal(err)
	}
	w.settle()
	res = w.run(w.Alice, w.Town, "/zoom start")
	if !strings.Contains(res.Response.Text, "in progress") {
		t.Errorf("a started meeting is not said to be in progress: %q", res.Response.Text)
	}
	// No internal name in what users read.
	for _, line := range []string{"/zoom help", "/zoom connect", "/zoom disconnect"} {
		if r := w.run(w.Alice, w.Town, line); strings.Contains(strings.ToLower(r.Response.Text), "mmzoom") {
			t.Errorf("%s says mmzoom: %q", line, r.Response.Text)
		}
	}
}

func TestAdminManagedAppExplainsItself(t *testing.T) {
	w := newWorld(t, meeting.KindAccount)
	// Before any admin connected: a user is told an admin must do it, not that there is nothing to connect.
	res := w.run(w.Kenji, w.Town, "/zoom connect")
	if strings.Contains(res.Response.Text, "連携は不要です") || !strings.Contains(res.Response.Text, "システム管理者") {
		t.Errorf("non-admin before the account is connected: %q", res.Response.Text)
	}
	res = w.run(w.Alice, w.Town, "/zoom connect")
	if strings.HasPrefix(res.Response.Text, "Nothing to connect") || !strings.Contains(res.Response.Text, "system admin must run `/zoom connect`") {
		t.Errorf("non-admin before the account is connected: %q", res.Response.Text)
	}

	// A system admin authorizes, but signs in to Zoom as a plain member of the Zoom account: Zoom grants
	// that user's own scopes only. The admin is told at once, and nothing is kept.
	w.Mattermost.SetRoles(w.Kenji.ID, "system_admin system_user")
	w.clock.Advance(2 * time.Minute) // past the user cache
	res = w.run(w.Kenji, w.Town, "/zoom connect")
	status, page := w.connectAs(newBrowser(t), connectLink(t, res.Response.Text), w.Kenji.Email)
	if status != http.StatusForbidden || !strings.Contains(page, w.Kenji.Email) {
		t.Fatalf("an authorization without admin scopes was accepted: %d %s", status, page)
	}
	res = w.run(w.Alice, w.Town, "/zoom start")
	if len(w.cards(w.Town)) != 0 || !strings.Contains(res.Response.Text, "/zoom connect") {
		t.Errorf("after a refused authorization: %q", res.Response.Text)
	}

	// An admin of the Zoom account authorizes: users are then found by e-mail, and told there is nothing to do.
	w.clock.Advance(2 * time.Minute) // alice's roles were read before: past the user cache
	w.connectAccount()
	w.Mattermost.SetRoles(w.Kenji.ID, "system_user")
	w.clock.Advance(2 * time.Minute)
	res = w.run(w.Kenji, w.Town, "/zoom connect")
	if !strings.HasPrefix(res.Response.Text, "連携は不要です") {
		t.Errorf("non-admin once the account is connected: %q", res.Response.Text)
	}
}
