package main

import "testing"

// TestScheduleSubmittedWhileViewingAnotherChannel: Mattermost's web client sends the channel it shows when
// the user submits (mattermost-redux submitInteractiveDialog), which differs from the command's channel when
// /zoom schedule ran in a thread of another channel (the right-hand side). The signed state says where the
// meeting belongs; the submission is accepted and the card lands in the command's channel.
func TestScheduleSubmittedWhileViewingAnotherChannel(t *testing.T) {
	w := newScheduleWorld(t)
	w.openSchedule(w.Kenji, w.Town, "Design review")
	w.Mattermost.ViewChannel(w.Kenji.ID, w.Private.ID, w.Team.ID)
	res := w.submit(w.Kenji, map[string]string{"when": "明日 14:30", "duration": "45"})
	if !res.Closed {
		t.Fatalf("submission answered %+v", res)
	}
	w.onlyCard(w.Town)
	if cards := w.cards(w.Private); len(cards) != 0 {
		t.Errorf("%d cards in the channel in view, want 0", len(cards))
	}
}
