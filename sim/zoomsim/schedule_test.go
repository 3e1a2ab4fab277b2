package zoomsim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// hookRecorder records the events delivered to a webhook endpoint.
type hookRecorder struct {
	mu     sync.Mutex
	events []map[string]any
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var ev map[string]any
	_ = json.Unmarshal(b, &ev)
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
}

func (h *hookRecorder) last(t *testing.T, event string) map[string]any {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.events) - 1; i >= 0; i-- {
		if h.events[i]["event"] == event {
			return h.events[i]["payload"].(map[string]any)
		}
	}
	t.Fatalf("no %s delivered", event)
	return nil
}

func TestScheduledMeetingKeepsItsStartAndTimezone(t *testing.T) {
	e := newEnv(t, "")
	tok := e.s2sToken(t)
	st, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok,
		`{"topic":"Plan","type":2,"start_time":"2026-12-10T14:30:00","timezone":"Asia/Tokyo","duration":45,"agenda":"Q1"}`)
	if st != 201 {
		t.Fatalf("create: %d %v", st, m)
	}
	// 14:30 in Tokyo is 05:30 UTC; Zoom answers start_time in UTC.
	if m["start_time"] != "2026-12-10T05:30:00Z" || m["timezone"] != "Asia/Tokyo" || m["duration"] != 45.0 || m["agenda"] != "Q1" || m["type"] != 2.0 {
		t.Errorf("created %v", m)
	}
	// A start in UTC ("Z") is taken as it is; the timezone defaults to the host's.
	_, _, u := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"topic":"UTC","type":2,"start_time":"2026-12-10T05:30:00Z"}`)
	if u["start_time"] != "2026-12-10T05:30:00Z" || u["timezone"] != "Asia/Tokyo" {
		t.Errorf("created %v", u)
	}
	for _, c := range []struct{ name, body, field string }{
		{"bad start", `{"type":2,"start_time":"tomorrow"}`, "start_time"},
		{"bad timezone", `{"type":2,"start_time":"2026-12-10T14:30:00","timezone":"Mars/Base"}`, "timezone"},
		{"recurring without recurrence", `{"type":8,"start_time":"2026-12-10T14:30:00"}`, "recurrence"},
		{"too many occurrences", `{"type":8,"start_time":"2026-12-10T14:30:00","recurrence":{"type":1,"end_times":61}}`, "recurrence.end_times"},
	} {
		st, _, body := e.api(t, "POST", "/users/alice@example.com/meetings", tok, c.body)
		errs, _ := body["errors"].([]any)
		if st != 400 || body["code"] != 300.0 || len(errs) != 1 || errs[0].(map[string]any)["field"] != c.field {
			t.Errorf("%s: %d %v, want 400 code 300 naming %s", c.name, st, body, c.field)
		}
	}
}

func TestRecurringMeetingHasOccurrences(t *testing.T) {
	e := newEnv(t, "")
	tok := e.s2sToken(t)
	// Weekly on Thursday (5) at 09:00 Berlin, three times, across no DST change.
	st, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok,
		`{"topic":"Weekly","type":8,"start_time":"2026-12-03T09:00:00","timezone":"Europe/Berlin","duration":30,
		  "recurrence":{"type":2,"repeat_interval":1,"weekly_days":"5","end_times":3}}`)
	if st != 201 {
		t.Fatalf("create: %d %v", st, m)
	}
	occ, _ := m["occurrences"].([]any)
	want := []string{"2026-12-03T08:00:00Z", "2026-12-10T08:00:00Z", "2026-12-17T08:00:00Z"}
	if len(occ) != len(want) {
		t.Fatalf("occurrences %v, want %v", occ, want)
	}
	for i, o := range occ {
		o := o.(map[string]any)
		start, _ := time.Parse(time.RFC3339, want[i])
		if o["start_time"] != want[i] || o["occurrence_id"] != fmt.Sprint(start.UnixMilli()) || o["status"] != "available" {
			t.Errorf("occurrence %d = %v", i, o)
		}
	}
	rec, _ := m["recurrence"].(map[string]any)
	if rec["type"] != 2.0 || rec["weekly_days"] != "5" || rec["end_times"] != 3.0 {
		t.Errorf("recurrence %v", rec)
	}
	id := int64(m["id"].(float64))
	second := occ[1].(map[string]any)["occurrence_id"].(string)
	if st, _, g := e.api(t, "GET", fmt.Sprintf("/meetings/%d?occurrence_id=%s", id, second), tok, ""); st != 200 || g["start_time"] != want[1] {
		t.Errorf("GET occurrence: %d %v", st, g)
	}
	if st, _, g := e.api(t, "GET", fmt.Sprintf("/meetings/%d?occurrence_id=1", id), tok, ""); st != 404 || g["code"] != 3001.0 {
		t.Errorf("GET unknown occurrence: %d %v", st, g)
	}
	// Monthly on the 31st skips months without one.
	_, _, mo := e.api(t, "POST", "/users/alice@example.com/meetings", tok,
		`{"type":8,"start_time":"2027-01-31T10:00:00Z","recurrence":{"type":3,"monthly_day":31,"end_times":2}}`)
	if occ := mo["occurrences"].([]any); len(occ) != 2 || occ[1].(map[string]any)["start_time"] != "2027-03-31T10:00:00Z" {
		t.Errorf("monthly occurrences %v", mo["occurrences"])
	}
}

func TestPatchAndDeleteAnswerAsZoomDocuments(t *testing.T) {
	rec := &hookRecorder{}
	hook := httptest.NewServer(rec)
	defer hook.Close()
	e := newEnv(t, hook.URL)
	tok := e.s2sToken(t)
	ctx := context.Background()
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok,
		`{"topic":"Weekly","type":8,"start_time":"2026-12-03T09:00:00Z","duration":30,"recurrence":{"type":1,"end_times":3}}`)
	id := int64(m["id"].(float64))
	occ := m["occurrences"].([]any)
	first := occ[0].(map[string]any)["occurrence_id"].(string)
	path := fmt.Sprintf("/meetings/%d", id)

	// One occurrence moved: 204, then meeting.updated with the occurrence before and after.
	if st, _, b := e.api(t, "PATCH", path+"?occurrence_id="+first, tok, `{"start_time":"2026-12-03T10:00:00Z"}`); st != 204 {
		t.Fatalf("PATCH occurrence: %d %v", st, b)
	}
	_ = e.sim.WaitDeliveries(ctx)
	p := rec.last(t, "meeting.updated")
	newOcc := p["object"].(map[string]any)["occurrences"].([]any)[0].(map[string]any)
	oldOcc := p["old_object"].(map[string]any)["occurrences"].([]any)[0].(map[string]any)
	if p["operation"] != "single" || p["operator"] != "alice@example.com" || p["object"].(map[string]any)["id"] != float64(id) ||
		newOcc["start_time"] != "2026-12-03T10:00:00Z" || oldOcc["start_time"] != "2026-12-03T09:00:00Z" || p["time_stamp"] == nil {
		t.Errorf("meeting.updated payload %v", p)
	}
	// The whole meeting: only what changed is in object and old_object.
	if st, _, _ := e.api(t, "PATCH", path, tok, `{"topic":"Daily sync","duration":45}`); st != 204 {
		t.Fatalf("PATCH: %d", st)
	}
	_ = e.sim.WaitDeliveries(ctx)
	p = rec.last(t, "meeting.updated")
	obj, old := p["object"].(map[string]any), p["old_object"].(map[string]any)
	if p["operation"] != "all" || obj["topic"] != "Daily sync" || old["topic"] != "Weekly" || obj["duration"] != 45.0 || old["duration"] != 30.0 || obj["agenda"] != nil {
		t.Errorf("meeting.updated payload %v", p)
	}
	// One occurrence deleted.
	if st, _, _ := e.api(t, "DELETE", path+"?occurrence_id="+first, tok, ""); st != 204 {
		t.Fatalf("DELETE occurrence: %d", st)
	}
	if st, _, b := e.api(t, "DELETE", path+"?occurrence_id="+first, tok, ""); st != 404 || b["code"] != 3001.0 {
		t.Errorf("DELETE a deleted occurrence: %d %v", st, b)
	}
	_ = e.sim.WaitDeliveries(ctx)
	p = rec.last(t, "meeting.deleted")
	if d := p["object"].(map[string]any)["occurrences"].([]any); p["operation"] != "single" || len(d) != 1 || d[0].(map[string]any)["occurrence_id"] != first {
		t.Errorf("meeting.deleted payload %v", p)
	}
	// A started meeting cannot be changed or deleted.
	if err := e.sim.StartMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	if st, _, b := e.api(t, "PATCH", path, tok, `{"duration":60}`); st != 400 || b["code"] != 3000.0 {
		t.Errorf("PATCH started: %d %v", st, b)
	}
	if st, _, b := e.api(t, "DELETE", path, tok, ""); st != 400 || b["code"] != 3002.0 {
		t.Errorf("DELETE started: %d %v", st, b)
	}
	if err := e.sim.EndMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := e.api(t, "DELETE", path, tok, ""); st != 204 {
		t.Errorf("DELETE: %d", st)
	}
	_ = e.sim.WaitDeliveries(ctx)
	if p := rec.last(t, "meeting.deleted"); p["operation"] != "all" || p["object"].(map[string]any)["topic"] != "Daily sync" {
		t.Errorf("meeting.deleted payload %v", p)
	}
	if st, _, b := e.api(t, "DELETE", path, tok, ""); st != 404 || b["code"] != 3001.0 {
		t.Errorf("DELETE deleted: %d %v", st, b)
	}
	// An instant meeting that has ended cannot be deleted (3007).
	_, _, inst := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"type":1}`)
	iid := int64(inst["id"].(float64))
	_ = e.sim.StartMeeting(ctx, iid)
	_ = e.sim.EndMeeting(ctx, iid)
	if st, _, b := e.api(t, "DELETE", fmt.Sprintf("/meetings/%d", iid), tok, ""); st != 400 || b["code"] != 3007.0 {
		t.Errorf("DELETE ended instant: %d %v", st, b)
	}
}

func TestHostChangesInZoomSendEvents(t *testing.T) {
	rec := &hookRecorder{}
	hook := httptest.NewServer(rec)
	defer hook.Close()
	e := newEnv(t, hook.URL)
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", e.s2sToken(t), `{"type":2,"start_time":"2026-12-10T14:30:00","timezone":"Asia/Tokyo"}`)
	id := int64(m["id"].(float64))
	if err := e.sim.HostUpdate(id, "", "2026-12-11T15:00:00", 0); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(context.Background())
	p := rec.last(t, "meeting.updated")
	if p["object"].(map[string]any)["start_time"] != "2026-12-11T06:00:00Z" || p["old_object"].(map[string]any)["start_time"] != "2026-12-10T05:30:00Z" {
		t.Errorf("meeting.updated payload %v", p)
	}
	if err := e.sim.HostDelete(id, ""); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(context.Background())
	if p := rec.last(t, "meeting.deleted"); p["operation"] != "all" || p["operator_id"] != e.alice.ID {
		t.Errorf("meeting.deleted payload %v", p)
	}
	if _, ok := e.sim.Meeting(id); ok {
		t.Error("the meeting is still there")
	}
}

func TestOnlyTheHostsGrantChangesAMeeting(t *testing.T) {
	e := newEnv(t, "")
	const verifier = "a-verifier-that-is-long-enough-to-be-a-real-pkce-verifier-0123456789"
	_, tok := e.tokenReq(t, url.Values{"grant_type": {"authorization_code"}, "code": {e.code(t, s256(verifier))},
		"redirect_uri": {"https://app.example/cb"}, "code_verifier": {verifier}}, true)
	alice := tok["access_token"].(string)
	e.sim.AddUser(User{Email: "bob@example.com"})
	_, _, m := e.api(t, "POST", "/users/bob@example.com/meetings", e.s2sToken(t), `{"type":2,"start_time":"2026-12-10T05:30:00Z"}`)
	path := fmt.Sprintf("/meetings/%d", int64(m["id"].(float64)))
	for _, method := range []string{"PATCH", "DELETE"} {
		if st, _, b := e.api(t, method, path, alice, `{"duration":30}`); st != 400 || b["code"] != 3003.0 || b["message"] != "You are not the meeting host." {
			t.Errorf("%s by someone else's user-level grant: %d %v", method, st, b)
		}
	}
	if _, ok := e.sim.Meeting(int64(m["id"].(float64))); !ok {
		t.Error("the meeting was deleted")
	}
}
