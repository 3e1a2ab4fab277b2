package mmsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestInvalidDialogOpensAndIsLogged pins OpenInteractiveDialog (server/channels/app/integration_action.go):
// Dialog.IsValid (server/public/model/integration_action.go) only produces a warning in the server log, and
// its limits are bytes: a 9-character Japanese display_name (27 bytes) is over the 24, an 8-character one is not.
func TestInvalidDialogOpensAndIsLogged(t *testing.T) {
	for _, c := range []struct {
		name, title, label string
		warned             bool
	}{
		{"long", "ミーティングを予約", "開始日時とタイムゾーン", true}, // title 27 bytes, label 33 bytes
		{"eight", "予約する", "開始日時を選ぶまで", true},       // label 9 characters, 27 bytes
		{"valid", "予約する", "開始日時を選ぶ", false},        // 7 characters, 21 bytes
		{"english", "Schedule a Zoom meeting", strings.Repeat("x", 24), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			trigger := w.triggerFor(t)
			body, _ := json.Marshal(map[string]any{"trigger_id": trigger, "url": "http://127.0.0.1:1/dialog", "dialog": map[string]any{
				"title": c.title, "elements": []map[string]any{{"display_name": c.label, "name": "when", "type": "text"}}}})
			resp, err := http.Post(w.srv.URL+"/api/v4/actions/dialogs/open", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("dialogs/open answered %d, want 200", resp.StatusCode)
			}
			d, ok := w.sim.OpenDialog(w.alice.ID)
			if !ok || d.Title != c.title || len(d.Elements) != 1 || d.Elements[0].DisplayName != c.label {
				t.Errorf("the client shows %+v", d)
			}
			if got := len(w.sim.DialogWarnings()) > 0; got != c.warned {
				t.Errorf("warned %v (%v), want %v", got, w.sim.DialogWarnings(), c.warned)
			}
		})
	}
}

// triggerFor runs a new command as alice and returns the trigger id Mattermost sent with it.
func (w *world) triggerFor(t *testing.T) string {
	t.Helper()
	var mu sync.Mutex
	var trigger string
	ig := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		mu.Lock()
		trigger = form.Get("trigger_id")
		mu.Unlock()
		_, _ = io.WriteString(rw, "ok")
	}))
	t.Cleanup(ig.Close)
	// A command of its own: commands sharing a trigger would be picked in map order.
	name := newID()
	w.sim.AddCommand(w.team.ID, name, ig.URL)
	if _, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", "", "/"+name+" schedule"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return trigger
}

// TestTriggerIDLivedThreeSecondsBefore9: model.InteractiveDialogTriggerTimeoutMilliseconds (3000) bounded a
// trigger id's life until OutgoingIntegrationRequestsTimeout took over (server/public/model/
// integration_action.go of 5.x and of current Mattermost).
func TestTriggerIDLivedThreeSecondsBefore9(t *testing.T) {
	var mu sync.Mutex
	now := time.UnixMilli(1_700_000_000_000)
	sim := New(Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetSiteURL(srv.URL)
	team := sim.AddTeam(Team{Name: "t"})
	alice := sim.AddUser(User{Username: "alice"}, team.ID)
	ch := sim.AddChannel(Channel{TeamID: team.ID, Type: "O", Name: "c"}, alice.ID)
	w := &world{t: t, sim: sim, srv: srv, team: team, alice: alice, public: ch}
	for _, c := range []struct {
		version string
		after   time.Duration
		want    int
	}{
		{"5.36.1", 2 * time.Second, http.StatusOK},
		{"5.36.1", 4 * time.Second, http.StatusBadRequest},
		{"9.9.0", 4 * time.Second, http.StatusOK},
		{"9.9.0", 31 * time.Second, http.StatusBadRequest},
	} {
		sim.SetClientConfig("Version", c.version)
		trigger := w.triggerFor(t)
		mu.Lock()
		now = now.Add(c.after)
		mu.Unlock()
		body, _ := json.Marshal(map[string]any{"trigger_id": trigger, "url": "http://127.0.0.1:1/dialog", "dialog": map[string]any{
			"title": "Schedule", "elements": []map[string]any{}}})
		resp, err := http.Post(srv.URL+"/api/v4/actions/dialogs/open", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s, opened %v after the command: %d, want %d", c.version, c.after, resp.StatusCode, c.want)
		}
	}
}
