package zoom

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// GET /meetings/{meetingId}/meeting_summary takes the instance UUID, double-encoded when it begins with "/"
// or holds "//" (Zoom reads a once-encoded one as another path); the answer is read as the event's summary.
func TestMeetingSummaryDoubleEncodesTheUUID(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"meeting_id":81234567890,"meeting_uuid":"/ab//cd==","summary_title":"Plan 計画","summary_overview":"We agreed.",
			"summary_details":[{"label":"Dates","summary":"Friday"}],"next_steps":["Ship it"],"summary_doc_url":"https://docs.zoom.us/doc/x"}`))
	}))
	defer srv.Close()
	c, err := NewClient(srv.Client(), srv.URL+"/v2/", func() time.Time { return time.Unix(1_800_000_000, 0) })
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.MeetingSummary(context.Background(), "/ab//cd==")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/v2/meetings/%252Fab%252F%252Fcd%253D%253D/meeting_summary"; got != want {
		t.Errorf("path %s, want %s", got, want)
	}
	if s.Title != "Plan 計画" || s.Overview != "We agreed." || len(s.Details) != 1 || s.Details[0].Label != "Dates" ||
		len(s.NextSteps) != 1 || s.DocURL != "https://docs.zoom.us/doc/x" {
		t.Errorf("summary %+v", s)
	}
}

// summary_content (Markdown; Zoom's changelog of 2025-04-24) reaches the domain, from an event or the
// endpoint alike; a template summary has nothing else.
func TestSummaryContentIsRead(t *testing.T) {
	ev, err := ParseEvent([]byte(`{"event":"meeting.summary_completed","event_ts":1765180800000,"payload":{"account_id":"a",
		"object":{"meeting_id":81234567890,"meeting_uuid":"u==","summary_title":"Plan","summary_details":[],"next_steps":[],
		"summary_content":"## Quick recap\n\nWe agreed."}}}`))
	if err != nil || ev.Summary == nil || ev.Summary.Content != "## Quick recap\n\nWe agreed." {
		t.Fatalf("ParseEvent: %+v %v", ev, err)
	}
	if d := ev.Summary.Domain(); d.Content != ev.Summary.Content || len(d.Details) != 0 {
		t.Errorf("domain summary %+v", d)
	}
}
