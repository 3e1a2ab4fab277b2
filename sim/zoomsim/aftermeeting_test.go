package zoomsim

import (
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

// recorder is a webhook endpoint that keeps every event body it is sent.
type recorder struct {
	mu     sync.Mutex
	bodies map[string][]map[string]any
}

func newRecorder(t *testing.T) (*recorder, string) {
	rec := &recorder{bodies: map[string][]map[string]any{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev map[string]any
		_ = json.Unmarshal(b, &ev)
		rec.mu.Lock()
		name, _ := ev["event"].(string)
		rec.bodies[name] = append(rec.bodies[name], ev)
		rec.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return rec, srv.URL
}

func (r *recorder) last(t *testing.T, event string) (map[string]any, map[string]any) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.bodies[event]
	if len(list) == 0 {
		t.Fatalf("no %s delivered (got %v)", event, r.bodies)
	}
	ev := list[len(list)-1]
	payload, _ := ev["payload"].(map[string]any)
	obj, _ := payload["object"].(map[string]any)
	return ev, obj
}

// endedMeeting creates, starts and ends a meeting whose instance UUID is uuid.
func (e *env) endedMeeting(t *testing.T, tok, uuid string) int64 {
	t.Helper()
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"topic":"Plan 計画"}`)
	id := int64(m["id"].(float64))
	e.sim.mu.Lock()
	e.sim.meetings[id].UUID = uuid
	e.sim.mu.Unlock()
	ctx := context.Background()
	if err := e.sim.StartMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(20 * time.Minute)
	if err := e.sim.EndMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSummaryEventsAndEndpoint(t *testing.T) {
	rec, hook := newRecorder(t)
	e := newEnv(t, hook)
	tok := e.s2sToken(t)
	const uuid = "/ab//cdEF12+gh=="
	id := e.endedMeeting(t, tok, uuid)
	ctx := context.Background()
	sum := Summary{Title: "Plan", Overview: "We agreed.", Details: []SummaryDetail{{"Dates", "Friday"}}, NextSteps: []string{"Ship it"}}
	if err := e.sim.SummaryCompleted(ctx, id, sum, SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(ctx)
	_, obj := rec.last(t, EventSummaryCompleted)
	if _, isNumber := obj["meeting_id"].(float64); !isNumber || obj["meeting_uuid"] != uuid || obj["summary_title"] != "Plan" ||
		obj["summary_overview"] != "We agreed." || obj["summary_doc_url"] == nil {
		t.Errorf("summary_completed object %v (meeting_id must be a number)", obj)
	}
	details, _ := obj["summary_details"].([]any)
	if len(details) != 1 || details[0].(map[string]any)["label"] != "Dates" || len(obj["next_steps"].([]any)) != 1 {
		t.Errorf("details %v next steps %v", obj["summary_details"], obj["next_steps"])
	}
	for _, k := range []string{"meeting_start_time", "meeting_end_time", "summary_created_time", "summary_last_modified_time", "meeting_host_id"} {
		if s, _ := obj[k].(string); s == "" {
			t.Errorf("no %s", k)
		}
	}

	// The endpoint: a UUID beginning with "/" or holding "//" is found only when encoded twice.
	cases := []struct {
		name, key string
		status    int
	}{
		{"encoded twice", url.PathEscape(url.PathEscape(uuid)), 200},
		{"encoded once", url.PathEscape(uuid), 404},
		{"meeting id: the latest instance", jsonString(id), 200},
		{"unknown", "nope", 404},
	}
	for _, c := range cases {
		st, _, body := e.api(t, "GET", "/meetings/"+c.key+"/meeting_summary", tok, "")
		if st != c.status {
			t.Errorf("%s: %d %v, want %d", c.name, st, body, c.status)
		}
		if st == 200 && (body["summary_title"] != "Plan" || len(body["summary_details"].([]any)) != 1 || body["meeting_uuid"] != uuid) {
			t.Errorf("%s: %v", c.name, body)
		}
	}
	if st, _, _ := e.api(t, "GET", "/meetings/"+jsonString(id)+"/meeting_summary", "", ""); st != 401 {
		t.Errorf("no token: %d", st)
	}

	// A partial event leaves the content to the endpoint.
	id2 := e.endedMeeting(t, tok, "plainUUID==")
	if err := e.sim.SummaryCompleted(ctx, id2, sum, SummaryOptions{Partial: true}); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(ctx)
	if _, obj := rec.last(t, EventSummaryCompleted); obj["summary_details"] != nil || obj["next_steps"] != nil || obj["summary_title"] != "Plan" {
		t.Errorf("partial event %v", obj)
	}

	// Updates, trash and deletion, under Zoom's event names.
	edited := Summary{Title: "Plan v2", Details: []SummaryDetail{{"Dates", "Monday"}}, NextSteps: []string{"Wait"}}
	if err := e.sim.SummaryUpdated(ctx, id, edited); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(ctx)
	ev, obj := rec.last(t, EventSummaryUpdated)
	ed, _ := obj["edited_summary"].(map[string]any)
	if s, _ := ed["summary_details"].(string); !strings.Contains(s, "Monday") || obj["summary_title"] != "Plan v2" {
		t.Errorf("summary_updated %v", obj)
	}
	if p := ev["payload"].(map[string]any); p["operator"] == nil || p["operator_id"] == nil {
		t.Errorf("summary_updated payload without operator: %v", p)
	}
	for _, step := range []struct {
		do     func(context.Context, int64) error
		event  string
		status int
	}{{e.sim.SummaryTrashed, EventSummaryTrashed, 404}, {e.sim.SummaryRecovered, EventSummaryRecovered, 200}, {e.sim.SummaryDeleted, EventSummaryDeleted, 404}} {
		if err := step.do(ctx, id); err != nil {
			t.Fatal(err)
		}
		_ = e.sim.WaitDeliveries(ctx)
		if _, obj := rec.last(t, step.event); obj["meeting_uuid"] != uuid || obj["summary_details"] != nil {
			t.Errorf("%s carries %v (metadata only)", step.event, obj)
		}
		if st, _, _ := e.api(t, "GET", "/meetings/"+jsonString(id)+"/meeting_summary", tok, ""); st != step.status {
			t.Errorf("after %s: %d, want %d", step.event, st, step.status)
		}
	}
}

func TestRecordingFilesNeedTheDownloadTokenAsBearer(t *testing.T) {
	rec, hook := newRecorder(t)
	e := newEnv(t, hook)
	tok := e.s2sToken(t)
	id := e.endedMeeting(t, tok, "u1==")
	ctx := context.Background()
	if err := e.sim.TranscriptCompleted(ctx, id, DemoTranscript); err != nil {
		t.Fatal(err)
	}
	e.sim.SetMeetingChat(id, "09:00:01 From Alice to Everyone: hi\n")
	if err := e.sim.RecordingCompleted(ctx, id); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(ctx)
	for _, c := range []struct{ event, fileType, content string }{
		{"recording.transcript_completed", "TRANSCRIPT", "WEBVTT"}, {"recording.completed", "CHAT", "From Alice"},
	} {
		ev, obj := rec.last(t, c.event)
		token, _ := ev["download_token"].(string)
		var file map[string]any
		for _, f := range obj["recording_files"].([]any) {
			if fm := f.(map[string]any); fm["file_type"] == c.fileType {
				file = fm
			}
		}
		if token == "" || file == nil {
			t.Fatalf("%s: token %q, no %s file in %v", c.event, token, c.fileType, obj)
		}
		u := file["download_url"].(string)
		get := func(u, bearer string) (int, string) {
			req, _ := http.NewRequest("GET", u, nil)
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if st, _ := get(u, ""); st != 401 {
			t.Errorf("%s without the token: %d", c.fileType, st)
		}
		if st, _ := get(u+"?access_token="+url.QueryEscape(token), ""); st != 401 {
			t.Errorf("%s with the token in the query: %d", c.fileType, st)
		}
		if st, _ := get(u, "wrong"); st != 401 {
			t.Errorf("%s with a wrong token: %d", c.fileType, st)
		}
		if st, body := get(u, token); st != 200 || !strings.Contains(body, c.content) {
			t.Errorf("%s with the token: %d %q", c.fileType, st, body)
		}
		// The token opens the file for 24 hours.
		e.now = e.now.Add(24 * time.Hour)
		if st, _ := get(u, token); st != 401 {
			t.Errorf("%s with a token a day old: %d", c.fileType, st)
		}
		e.now = e.now.Add(-24 * time.Hour)
	}
	var bearer int
	for _, d := range e.sim.Downloads() {
		if d.Bearer {
			bearer++
		}
	}
	if bearer != 4 { // two good downloads and two with a day-old token
		t.Errorf("downloads %+v", e.sim.Downloads())
	}
}

// summary_content carries the whole summary in Markdown (changelog 2025-04-24); a template summary has no
// other text: summary_details and next_steps empty, no summary_overview, in the event and the endpoint.
func TestSummaryContentOnly(t *testing.T) {
	rec, hook := newRecorder(t)
	e := newEnv(t, hook)
	tok := e.s2sToken(t)
	id := e.endedMeeting(t, tok, "contentUUID==")
	ctx := context.Background()
	md := "## Quick recap\n\nWe agreed to ship.\n\n## Next steps\n\n- **Alice**: fix the bugs\n"
	if err := e.sim.SummaryCompleted(ctx, id, Summary{Title: "Plan", Content: md}, SummaryOptions{ContentOnly: true}); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(ctx)
	_, obj := rec.last(t, EventSummaryCompleted)
	_, _, body := e.api(t, "GET", "/meetings/"+url.PathEscape(url.PathEscape("contentUUID=="))+"/meeting_summary", tok, "")
	for name, o := range map[string]map[string]any{"event": obj, "endpoint": body} {
		if o["summary_content"] != md || len(o["summary_details"].([]any)) != 0 || len(o["next_steps"].([]any)) != 0 || o["summary_overview"] != nil {
			t.Errorf("%s: %v", name, o)
		}
	}
}
