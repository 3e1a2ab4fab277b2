package main

import "testing"

// TestScheduleTopicOnItsOwnLine: a user who puts the topic on the next line (Shift+Enter) gets the same
// dialog; Mattermost delivers "schedule\nWeekly sync" as the text (server/channels/app/command.go splits
// the trigger off at the first whitespace and keeps the rest).
func TestScheduleTopicOnItsOwnLine(t *testing.T) {
	w := newScheduleWorld(t)
	res := w.run(w.Alice, w.Town, "/zoom schedule\nWeekly sync")
	if res.Error != "" {
		t.Fatalf("/zoom schedule: %s", res.Error)
	}
	d, ok := w.Mattermost.OpenDialog(w.Alice.ID)
	if !ok || d.Values["topic"] != "Weekly sync" {
		t.Fatalf("dialog %+v (open %v), answer %+v: want the topic of the second line", d, ok, res.Response)
	}
}
