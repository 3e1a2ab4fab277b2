package main

import (
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

func ptr[T any](v T) *T { return &v }

// sentSettings is what the create request of the meeting on card carried in settings, as Zoom received it.
func (w *world) sentSettings(card mmsim.Post) map[string]any {
	w.t.Helper()
	return w.meetingOf(card).Settings.Sent
}

func TestMeetingDefaultsReachZoom(t *testing.T) {
	defaults := meeting.MeetingDefaults{
		Options: meeting.MeetingOptions{
			WaitingRoom: ptr(false), JoinBeforeHost: ptr(true), JoinBeforeHostMinutes: ptr(5), MuteUponEntry: ptr(true),
			HostVideo: ptr(true), ParticipantVideo: ptr(false), AutoRecording: ptr(meeting.RecordCloud), Passcode: ptr(true),
			Authentication: ptr(false),
		},
		UsersMayChange: []string{meeting.OptAutoRecording, meeting.OptMuteUponEntry, meeting.OptPasscode},
	}
	w := newWorld(t, meeting.KindS2S, func(s *demoSetup) { s.configure = func(c *config) { c.Defaults = defaults } })
	alice := w.signIn(w.Alice)

	alice.command(w.Town, "/zoom start Weekly")
	card := w.onlyCard(w.Town)
	sent := w.sentSettings(card)
	want := map[string]any{"waiting_room": false, "join_before_host": true, "jbh_time": 5.0, "mute_upon_entry": true,
		"host_video": true, "participant_video": false, "auto_recording": "cloud", "meeting_authentication": false}
	for k, v := range want {
		if sent[k] != v {
			t.Errorf("Zoom received settings.%s = %v, want %v (all: %v)", k, sent[k], v, sent)
		}
	}
	if m := w.meetingOf(card); m.Password == "" || !strings.Contains(m.JoinURL, "pwd=") {
		t.Errorf("passcode on by default, but the meeting has none: %+v", m)
	}

	// What the admin allows, the user changes per meeting; the topic follows the flags.
	alice.command(w.Private, "/zoom start --record=local --no-mute Retro")
	card = w.onlyCard(w.Private)
	sent = w.sentSettings(card)
	if sent["auto_recording"] != "local" || sent["mute_upon_entry"] != false || sent["host_video"] != true {
		t.Errorf("overrides did not reach Zoom: %v", sent)
	}
	if card.Props[meeting.PropTopic] != "Retro" {
		t.Errorf("topic %v, want Retro", card.Props[meeting.PropTopic])
	}

	// Turning the passcode off leaves no security option on: refused before Zoom is asked.
	before := len(w.Zoom.Meetings())
	alice.command(w.DM, "/zoom start --no-passcode")
	alice.shows(w.DM, "at least one of passcode, waiting room or meeting authentication")
	// What the admin does not allow is refused, naming the flag and what may be set.
	alice.command(w.DM, "/zoom start --waiting-room Standup")
	alice.shows(w.DM, "`--waiting-room`", "`--record=cloud|local|none`")
	// A flag mmzoom does not know is named; a topic starting with dashes goes after "--".
	alice.command(w.DM, "/zoom start --recrod=cloud")
	alice.shows(w.DM, "--recrod=cloud")
	if n := len(w.Zoom.Meetings()); n != before {
		t.Fatalf("%d meetings created by refused starts", n-before)
	}
	alice.command(w.DM, "/zoom start -- --draft-- review")
	if got := w.onlyCard(w.DM).Props[meeting.PropTopic]; got != "--draft-- review" {
		t.Errorf("topic %v, want --draft-- review", got)
	}
}

// Without meeting_defaults mmzoom sends no settings: Zoom applies the host's and the account's own.
func TestNoMeetingDefaultsLeaveSettingsToZoom(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	alice := w.signIn(w.Alice)
	alice.command(w.Town, "/zoom start")
	if sent := w.sentSettings(w.onlyCard(w.Town)); len(sent) != 0 {
		t.Errorf("settings sent without meeting_defaults: %v", sent)
	}
	alice.command(w.Private, "/zoom start --waiting-room")
	alice.shows(w.Private, "`--waiting-room`", "not allowed any meeting options")
	if len(w.cards(w.Private)) != 0 {
		t.Error("a flag the admin did not allow started a meeting")
	}
}
