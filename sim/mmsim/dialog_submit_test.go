package mmsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestDialogSubmissionFailures pins how Mattermost takes an integration's answer to a submission
// (server/channels/app/integration_action.go, DoActionRequest and SubmitInteractiveDialog): a status other
// than 200 is 400 "Action integration error." with the dialog kept open; a body that is not JSON is a 500;
// an empty body closes the dialog.
func TestDialogSubmissionFailures(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		body   string
		want   int
		closed bool
	}{
		{"integration error", http.StatusInternalServerError, `{}`, http.StatusBadRequest, false},
		{"not JSON", http.StatusOK, "ok", http.StatusInternalServerError, false},
		{"blank line", http.StatusOK, "\n", http.StatusInternalServerError, false},
		{"empty", http.StatusOK, "", http.StatusOK, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			trigger := w.triggerFor(t)
			ig := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.WriteHeader(c.status)
				_, _ = rw.Write([]byte(c.body))
			}))
			t.Cleanup(ig.Close)
			d := &dialogIntegration{t: t, simURL: w.srv.URL}
			if st := d.open(trigger, ig.URL); st != http.StatusOK {
				t.Fatalf("open: %d", st)
			}
			res, err := w.sim.SubmitDialog(context.Background(), w.alice.ID, map[string]string{"topic": "x"}, false)
			if err != nil {
				t.Fatal(err)
			}
			_, open := w.sim.OpenDialog(w.alice.ID)
			if res.Status != c.want || res.Closed != c.closed || open == c.closed {
				t.Errorf("status %d closed %v (still open %v), want %d closed %v", res.Status, res.Closed, open, c.want, c.closed)
			}
		})
	}
}

// TestSubmissionCarriesTheChannelInView pins mattermost-redux's submitInteractiveDialog
// (mattermost-redux actions, submitInteractiveDialog): channel_id and team_id are the
// client's current channel and team when the user submits, not the command's.
func TestSubmissionCarriesTheChannelInView(t *testing.T) {
	w := newWorld(t)
	d := &dialogIntegration{t: t, simURL: w.srv.URL}
	ig := httptest.NewServer(d)
	t.Cleanup(ig.Close)
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL+"/command")
	if _, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", "", "/zoom schedule"); err != nil {
		t.Fatal(err)
	}
	w.sim.ViewChannel(w.alice.ID, w.private.ID, w.team.ID)
	if _, err := w.sim.SubmitDialog(context.Background(), w.alice.ID, nil, false); err != nil {
		t.Fatal(err)
	}
	if len(d.subs) != 1 || d.subs[0]["channel_id"] != w.private.ID {
		t.Errorf("submission %v, want the channel in view (%s)", d.subs, w.private.ID)
	}
}

// TestCancelNotificationHasNoSubmission: with notify_on_cancel, the client cancels with url, callback_id,
// state and cancelled only, so model.SubmitDialogRequest reaches the integration with "submission":null.
func TestCancelNotificationHasNoSubmission(t *testing.T) {
	w := newWorld(t)
	trigger := w.triggerFor(t)
	var mu sync.Mutex
	var got []byte
	ig := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = b
		mu.Unlock()
	}))
	t.Cleanup(ig.Close)
	body, _ := json.Marshal(map[string]any{"trigger_id": trigger, "url": ig.URL, "dialog": map[string]any{"title": "Schedule",
		"notify_on_cancel": true, "state": "s1", "elements": []map[string]any{{"display_name": "Topic", "name": "topic", "type": "text", "default": "x"}}}})
	resp, err := http.Post(w.srv.URL+"/api/v4/actions/dialogs/open", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := w.sim.SubmitDialog(context.Background(), w.alice.ID, nil, true); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var sub map[string]any
	if err := json.Unmarshal(got, &sub); err != nil || sub["cancelled"] != true || sub["submission"] != nil || sub["state"] != "s1" {
		t.Errorf("cancel notification %s (%v)", got, err)
	}
	if _, ok := sub["submission"]; !ok {
		t.Errorf("cancel notification has no submission key at all: %s", got)
	}
}
