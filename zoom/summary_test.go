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
