package main

import (
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
)

// The host cancels the next occurrence from the series card after deleting it in Zoom's web portal while
// Zoom's meeting.deleted did not reach mmzoom. Zoom answers such a DELETE with 400, code 3000 "Invalid
// occurrence_id." (DELETE /meetings/{meetingId} in Zoom's Meeting API OpenAPI file): the occurrence is gone,
// which is what the host asked for, so the card shows it cancelled rather than an error.
func TestCancellingAnOccurrenceAlreadyDeletedInZoom(t *testing.T) {
	w := newScheduleWorld(t)
	series := w.schedule(w.Alice, w.Town, map[string]string{"topic": "Weekly planning", "when": "2026-12-10 10:00", "duration": "30",
		"repeat": "weekly", "until": "3"})
	m := w.zoomMeeting(series)
	w.Zoom.SetWebhooksDisabled(true)
	if err := w.Zoom.HostDelete(m.ID, m.Occurrences[0].ID); err != nil {
		t.Fatal(err)
	}
	w.Zoom.SetWebhooksDisabled(false)
	res := w.click(w.Alice, w.Mattermost.Posts(w.Town.ID), "cancelnext")
	if res.Status != 200 || !strings.Contains(res.EphemeralText, "is cancelled; the others stay") {
		t.Fatalf("cancelling an occurrence Zoom no longer has answered %+v", res)
	}
	w.settle()
	series, _ = w.Mattermost.Post(series.ID)
	if series.Props[meeting.PropScheduledStart] != "2026-12-17T09:00:00Z" || series.Props[meeting.PropStatus] != "scheduled" {
		t.Errorf("series card after its first occurrence was cancelled: %+v", series.Props)
	}
}
