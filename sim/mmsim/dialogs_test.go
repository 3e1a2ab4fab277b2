package mmsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// dialogIntegration is a slash command integration that opens a dialog with the command's trigger id and
// answers submissions with the replies given, one per submission.
type dialogIntegration struct {
	t       *testing.T
	simURL  string
	mu      sync.Mutex
	opened  []int // status of each dialogs/open call
	trigger string
	subs    []map[string]any
	replies []string
}

func (d *dialogIntegration) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/command" {
		form, _ := url.ParseQuery(string(b))
		d.mu.Lock()
		d.trigger = form.Get("trigger_id")
		d.mu.Unlock()
		status := d.open(form.Get("trigger_id"), "http://"+r.Host+"/dialog")
		d.mu.Lock()
		d.opened = append(d.opened, status)
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
		return
	}
	var sub map[string]any
	_ = json.Unmarshal(b, &sub)
	d.mu.Lock()
	d.subs = append(d.subs, sub)
	reply := `{}`
	if len(d.replies) > 0 {
		reply, d.replies = d.replies[0], d.replies[1:]
	}
	d.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, reply)
}

func (d *dialogIntegration) open(trigger, dialogURL string) int {
	body, _ := json.Marshal(map[string]any{"trigger_id": trigger, "url": dialogURL, "dialog": map[string]any{
		"callback_id": "schedule", "title": "Schedule", "introduction_text": "Times are in Europe/Berlin", "state": "s1",
		"submit_label": "Schedule", "elements": []map[string]any{
			{"display_name": "Topic", "name": "topic", "type": "text", "default": "Standup"},
			{"display_name": "Agenda", "name": "agenda", "type": "textarea", "optional": true},
		}}})
	resp, err := http.Post(d.simURL+"/api/v4/actions/dialogs/open", "application/json", bytes.NewReader(body))
	if err != nil {
		d.t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestDialogOpensWithTheTriggerIDAndSubmitsAsMattermostDoes(t *testing.T) {
	w := newWorld(t)
	d := &dialogIntegration{t: t, simURL: w.srv.URL, replies: []string{`{"errors":{"topic":"Too long"}}`, `{}`}}
	ig := httptest.NewServer(d)
	t.Cleanup(ig.Close)
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL+"/command")
	if res, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", "", "/zoom schedule"); err != nil || res.Status != 200 {
		t.Fatalf("execute: %+v %v", res, err)
	}
	if len(d.opened) != 1 || d.opened[0] != 200 {
		t.Fatalf("dialogs/open answered %v, want 200", d.opened)
	}
	dlg, ok := w.sim.OpenDialog(w.alice.ID)
	if !ok || dlg.Title != "Schedule" || dlg.IntroductionText != "Times are in Europe/Berlin" || dlg.Values["topic"] != "Standup" {
		t.Fatalf("open dialog = %+v, %v", dlg, ok)
	}
	if _, ok := w.sim.OpenDialog(w.bob.ID); ok {
		t.Error("the dialog opened for someone else too")
	}
	// Mattermost keeps no record of trigger ids (model/integration_action.go, DecodeAndVerifyTriggerId checks
	// a signature and an age): the same one opens the dialog again while it lives.
	if st := d.open(d.trigger, ig.URL+"/dialog"); st != http.StatusOK {
		t.Errorf("reused trigger id answered %d, want 200", st)
	}

	res, err := w.sim.SubmitDialog(context.Background(), w.alice.ID, map[string]string{"topic": "A very long topic", "agenda": "notes"}, false)
	if err != nil || res.Closed || res.Errors["topic"] != "Too long" {
		t.Fatalf("first submission = %+v %v, want the field error", res, err)
	}
	dlg, _ = w.sim.OpenDialog(w.alice.ID)
	if dlg.Errors["topic"] != "Too long" || dlg.Values["topic"] != "A very long topic" || dlg.Values["agenda"] != "notes" {
		t.Errorf("after the error the dialog shows %+v; the error and what was typed must stay", dlg)
	}
	res, err = w.sim.SubmitDialog(context.Background(), w.alice.ID, map[string]string{"topic": "Short"}, false)
	if err != nil || !res.Closed {
		t.Fatalf("second submission = %+v %v, want closed", res, err)
	}
	if _, ok := w.sim.OpenDialog(w.alice.ID); ok {
		t.Error("the dialog is still open after {}")
	}
	sub := d.subs[1]
	want := map[string]any{"type": "dialog_submission", "callback_id": "schedule", "state": "s1", "user_id": w.alice.ID,
		"channel_id": w.public.ID, "team_id": w.team.ID, "cancelled": false}
	for k, v := range want {
		if sub[k] != v {
			t.Errorf("submission %s = %v, want %v", k, sub[k], v)
		}
	}
	if s, _ := sub["submission"].(map[string]any); s["topic"] != "Short" || s["agenda"] != "notes" {
		t.Errorf("submission values = %v", sub["submission"])
	}
}

func TestDialogTriggerIDExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.UnixMilli(1_700_000_000_000)
	sim := New(Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetSiteURL(srv.URL)
	team := sim.AddTeam(Team{Name: "t"})
	u := sim.AddUser(User{Username: "u"}, team.ID)
	ch := sim.AddChannel(Channel{TeamID: team.ID, Type: "O", Name: "c"}, u.ID)
	var trigger string
	ig := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		trigger = form.Get("trigger_id")
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(ig.Close)
	sim.AddCommand(team.ID, "zoom", ig.URL)
	if _, err := sim.ExecuteCommand(context.Background(), u.ID, ch.ID, "", "", "/zoom schedule"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(31 * time.Second)
	mu.Unlock()
	d := &dialogIntegration{t: t, simURL: srv.URL}
	if st := d.open(trigger, ig.URL); st != http.StatusBadRequest {
		t.Errorf("expired trigger id answered %d, want 400", st)
	}
	if st := d.open("forged", ig.URL); st != http.StatusBadRequest {
		t.Errorf("unknown trigger id answered %d, want 400", st)
	}
}

func TestUserTimezoneIsThreeStrings(t *testing.T) {
	w := newWorld(t)
	w.sim.SetTimezone(w.bob.ID, Timezone{UseAutomatic: false, Automatic: "Asia/Tokyo", Manual: "Europe/Berlin"})
	for _, c := range []struct {
		user string
		want map[string]any
	}{
		{w.alice.ID, map[string]any{"useAutomaticTimezone": "true", "automaticTimezone": "", "manualTimezone": ""}},
		{w.bob.ID, map[string]any{"useAutomaticTimezone": "false", "automaticTimezone": "Asia/Tokyo", "manualTimezone": "Europe/Berlin"}},
	} {
		_, _, body := w.call(w.botToken, "GET", "/api/v4/users/"+c.user, nil)
		tz, _ := obj(t, body)["timezone"].(map[string]any)
		for k, v := range c.want {
			if tz[k] != v {
				t.Errorf("timezone.%s = %#v, want %#v", k, tz[k], v)
			}
		}
	}
}

func TestDatetimeElementsNeedMattermost11(t *testing.T) {
	w := newWorld(t)
	var trigger string
	ig := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		trigger = form.Get("trigger_id")
		_, _ = io.WriteString(rw, "ok")
	}))
	t.Cleanup(ig.Close)
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL)
	open := func() int {
		if _, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", "", "/zoom schedule"); err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]any{"trigger_id": trigger, "url": ig.URL, "dialog": map[string]any{"title": "Schedule",
			"elements": []map[string]any{{"display_name": "When", "name": "when", "type": "datetime", "default": "2026-12-10T14:30:00+09:00"}}}})
		resp, err := http.Post(w.srv.URL+"/api/v4/actions/dialogs/open", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Before 11.1 the server opens the dialog (it only logs what is invalid) and the web client shows
	// nothing for an element type it does not know.
	if st := open(); st != http.StatusOK {
		t.Errorf("datetime on 9.9 answered %d, want 200", st)
	}
	if d, _ := w.sim.OpenDialog(w.alice.ID); len(d.Elements) != 0 || len(w.sim.DialogWarnings()) == 0 {
		t.Errorf("datetime on 9.9: the client shows %+v, log %v", d.Elements, w.sim.DialogWarnings())
	}
	w.sim.SetClientConfig("Version", "11.3.0")
	if st := open(); st != http.StatusOK {
		t.Errorf("datetime on 11.3 answered %d, want 200", st)
	}
	if d, _ := w.sim.OpenDialog(w.alice.ID); len(d.Elements) != 1 {
		t.Errorf("datetime on 11.3: the client shows %+v", d.Elements)
	}
}

func TestChatPageSeesAndSubmitsItsDialog(t *testing.T) {
	w := newWorld(t)
	d := &dialogIntegration{t: t, simURL: w.srv.URL, replies: []string{`{"errors":{"topic":"Too long"}}`}}
	ig := httptest.NewServer(d)
	t.Cleanup(ig.Close)
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL+"/command")
	if st, _, _ := w.call(w.aliceToken, "GET", "/sim/dialog", nil); st != http.StatusNoContent {
		t.Errorf("no dialog yet: %d", st)
	}
	if _, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", "", "/zoom schedule"); err != nil {
		t.Fatal(err)
	}
	st, _, body := w.call(w.aliceToken, "GET", "/sim/dialog", nil)
	if st != 200 || obj(t, body)["Title"] != "Schedule" {
		t.Fatalf("dialog: %d %v", st, body)
	}
	st, _, body = w.call(w.aliceToken, "POST", "/sim/dialog", map[string]any{"submission": map[string]string{"topic": "x"}})
	if st != 200 || obj(t, body)["Errors"].(map[string]any)["topic"] != "Too long" {
		t.Errorf("submission: %d %v", st, body)
	}
	if st, _, _ := w.call("", "GET", "/sim/dialog", nil); st != http.StatusUnauthorized {
		t.Errorf("without a session: %d", st)
	}
}
