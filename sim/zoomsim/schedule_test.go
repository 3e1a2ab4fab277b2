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
		{"too many occurrences", `{"type":8,"start_time":"2026-12-10T14:30:00","recurrence":{"type":1,"end_times":51}}`, "recurrence.end_times"},
		{"interval over 12 weeks", `{"type":8,"start_time":"2026-12-10T14:30:00","recurrence":{"type":2,"repeat_interval":13,"weekly_days":"5","end_times":2}}`, "recurrence.repeat_interval"},
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
	if p["scope"] != "single" || p["operation"] != nil || p["operator"] != "alice@example.com" || p["object"].(map[string]any)["id"] != float64(id) ||
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
	if p["scope"] != "all" || p["operation"] != nil || obj["topic"] != "Daily sync" || old["topic"] != "Weekly" || obj["duration"] != 45.0 || old["duration"] != 30.0 || obj["agenda"] != nil {
		t.Errorf("meeting.updated payload %v", p)
	}
	// One occurrence deleted.
	if st, _, _ := e.api(t, "DELETE", path+"?occurrence_id="+first, tok, ""); st != 204 {
		t.Fatalf("DELETE occurrence: %d", st)
	}
	// An occurrence id the meeting does not have (or no longer has) is 400 code 3000 "Invalid occurrence_id.",
	// as DELETE /meetings/{meetingId} documents it (Zoom's Meeting API OpenAPI file), not 404.
	for _, bad := range []string{first, "1"} {
		if st, _, b := e.api(t, "DELETE", path+"?occurrence_id="+bad, tok, ""); st != 400 || b["code"] != 3000.0 || b["message"] != "Invalid occurrence_id." {
			t.Errorf("DELETE occurrence %s: %d %v", bad, st, b)
		}
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

// A recurrence without end_times or end_date_time has one occurrence: end_times "defaults to 1", between 1
// and 50 (https://developers.zoom.us/docs/api/references/recurrence-object-definitions/; support.zoom.us
// 214973206: "Recurring meetings can have a maximum of 50 occurrences"). An end date gives at most 50.
func TestRecurrenceEndDefaultsToOneOccurrence(t *testing.T) {
	e := newEnv(t, "")
	tok := e.s2sToken(t)
	for _, c := range []struct {
		name, recurrence string
		want             int
	}{
		{"no end", `{"type":1}`, 1},
		{"weekly, no days, no end", `{"type":2}`, 1},
		{"fifty times", `{"type":1,"end_times":50}`, 50},
		{"end date far away", `{"type":1,"end_date_time":"2028-12-31T00:00:00Z"}`, 50},
		{"end date", `{"type":1,"end_date_time":"2026-12-12T23:59:00Z"}`, 3},
	} {
		st, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok,
			`{"type":8,"start_time":"2026-12-10T09:00:00Z","recurrence":`+c.recurrence+`}`)
		occ, _ := m["occurrences"].([]any)
		if st != 201 || len(occ) != c.want {
			t.Errorf("%s: %d, %d occurrences, want %d", c.name, st, len(occ), c.want)
		}
	}
	// weekly_days defaults to "1" (Sunday): 2026-12-10 is a Thursday, the first Sunday after it the 13th.
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok,
		`{"type":8,"start_time":"2026-12-10T09:00:00Z","recurrence":{"type":2,"end_times":1}}`)
	if occ, _ := m["occurrences"].([]any); len(occ) != 1 || occ[0].(map[string]any)["start_time"] != "2026-12-13T09:00:00Z" {
		t.Errorf("weekly without days: %v", m["occurrences"])
	}
}

// GET /meetings/{meetingId} lists the occurrences still to come; those that are over only with
// show_previous_occurrences=true ("Set the value of this field to true if you would like to view meeting
// details of all previous occurrences", Zoom's Meeting API OpenAPI file). One of them stays readable by id.
func TestGetMeetingListsPreviousOccurrencesOnlyWhenAsked(t *testing.T) {
	e := newEnv(t, "")
	tok := e.s2sToken(t)
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok,
		`{"type":8,"start_time":"2026-12-03T09:00:00Z","duration":30,"recurrence":{"type":2,"weekly_days":"5","end_times":3}}`)
	if occ, _ := m["occurrences"].([]any); len(occ) != 3 {
		t.Fatalf("created with %v", m["occurrences"])
	}
	first := m["occurrences"].([]any)[0].(map[string]any)["occurrence_id"].(string)
	path := fmt.Sprintf("/meetings/%d", int64(m["id"].(float64)))
	e.now = time.Date(2026, 12, 3, 9, 31, 0, 0, time.UTC) // the first one is over
	tok = e.s2sToken(t)
	if _, _, g := e.api(t, "GET", path, tok, ""); len(g["occurrences"].([]any)) != 2 ||
		g["occurrences"].([]any)[0].(map[string]any)["start_time"] != "2026-12-10T09:00:00Z" {
		t.Errorf("GET: %v, want the two still to come", g["occurrences"])
	}
	if _, _, g := e.api(t, "GET", path+"?show_previous_occurrences=true", tok, ""); len(g["occurrences"].([]any)) != 3 {
		t.Errorf("GET with show_previous_occurrences: %v, want all three", g["occurrences"])
	}
	if st, _, g := e.api(t, "GET", path+"?occurrence_id="+first, tok, ""); st != 200 || g["start_time"] != "2026-12-03T09:00:00Z" {
		t.Errorf("GET the past occurrence: %d %v", st, g)
	}
}

// Creates and updates share the host's daily limit ("100 create/update requests per day (UTC) per user",
// developers.zoom.us/docs/api/rate-limits/; PATCH lists the limit among its errors); a new UTC day resets it.
func TestCreatesAndUpdatesShareTheDailyLimit(t *testing.T) {
	e := newEnv(t, "")
	e.sim.SetDailyLimit(2)
	tok := e.s2sToken(t)
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"type":2,"start_time":"2026-12-10T09:00:00Z"}`)
	path := fmt.Sprintf("/meetings/%d", int64(m["id"].(float64)))
	if st, _, b := e.api(t, "PATCH", path, tok, `{"duration":45}`); st != 204 {
		t.Fatalf("first PATCH: %d %v", st, b)
	}
	if st, _, b := e.api(t, "PATCH", path, tok, `{"duration":50}`); st != 429 {
		t.Errorf("PATCH over the limit: %d %v", st, b)
	}
	if st, _, b := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"type":1}`); st != 429 {
		t.Errorf("create over the limit: %d %v", st, b)
	}
	e.now = e.now.Add(24 * time.Hour)
	tok = e.s2sToken(t)
	if st, _, b := e.api(t, "PATCH", path, tok, `{"duration":50}`); st != 204 {
		t.Errorf("PATCH the next day: %d %v", st, b)
	}
}
