package main

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmzoom/mmzoom/i18n"
	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sim/zoomsim"
)

// The admin's settings govern scheduled meetings as they govern /zoom start: the meeting defaults reach
// Zoom's create request, the options users may change appear in the schedule dialog, the channel policy
// refuses scheduling and subscribing where meetings may not start, and /zoom list shows the occurrences of
// the meetings a channel is subscribed to.

// scheduleDefaults are an admin's defaults: recording, mute and passcode may be changed per meeting.
var scheduleDefaults = meeting.MeetingDefaults{
	Options: meeting.MeetingOptions{
		WaitingRoom: ptr(false), JoinBeforeHost: ptr(true), JoinBeforeHostMinutes: ptr(5), MuteUponEntry: ptr(true),
		HostVideo: ptr(true), ParticipantVideo: ptr(false), AutoRecording: ptr(meeting.RecordCloud), Passcode: ptr(true),
		Authentication: ptr(false),
	},
	UsersMayChange: []string{meeting.OptAutoRecording, meeting.OptMuteUponEntry, meeting.OptPasscode},
}

// element finds a dialog element by name.
func element(d mmsim.Dialog, name string) (mmsim.DialogElement, bool) {
	for _, e := range d.Elements {
		if e.Name == name {
			return e, true
		}
	}
	return mmsim.DialogElement{}, false
}

func TestScheduledMeetingsGetTheMeetingDefaultsAndAllowedOptions(t *testing.T) {
	w := newScheduleWorld(t, func(s *demoSetup) { s.configure = func(c *config) { c.Defaults = scheduleDefaults } })

	// kenji's dialog offers exactly the options the admin allows, in Japanese, set to the admin's defaults.
	d := w.openSchedule(w.Kenji, w.Town, "週次定例")
	rec, ok := element(d, "opt_auto_recording")
	if !ok || rec.Type != "select" || rec.DisplayName != "自動レコーディング" || rec.Default != "cloud" {
		t.Errorf("recording element %+v (present %v)", rec, ok)
	}
	if e, ok := element(d, "opt_passcode"); !ok || e.Default != "true" || e.DisplayName != "パスコード" {
		t.Errorf("passcode element %+v (present %v)", e, ok)
	}
	if e, ok := element(d, "opt_mute_upon_entry"); !ok || e.Default != "true" {
		t.Errorf("mute element %+v (present %v)", e, ok)
	}
	for _, not := range []string{"opt_waiting_room", "opt_join_before_host", "opt_host_video", "opt_participant_video", "opt_meeting_authentication"} {
		if _, ok := element(d, not); ok {
			t.Errorf("the dialog offers %s, which the admin does not let users change", not)
		}
	}

	// Turning the passcode off leaves no security option on: a field error in Japanese, nothing in Zoom.
	before := len(w.Zoom.Meetings())
	values := map[string]string{"topic": "週次定例", "when": "2026-12-08 10:00", "duration": "30", "repeat": "weekly", "until": "4",
		"opt_passcode": "false", "opt_auto_recording": "local", "opt_mute_upon_entry": "false"}
	res := w.submit(w.Kenji, values)
	if res.Closed || !strings.Contains(res.Errors["opt_passcode"], "パスコード、待機室、ミーティング認証") {
		t.Fatalf("an insecure choice answered %+v, want a Japanese field error on the passcode", res)
	}
	if n := len(w.Zoom.Meetings()); n != before {
		t.Fatalf("%d meetings created by a refused submission", n-before)
	}
	// A value the select does not offer is a field error too (a forged submission changes nothing).
	values["opt_passcode"] = "true"
	values["opt_auto_recording"] = "everything"
	if res := w.submit(w.Kenji, values); res.Closed || res.Errors["opt_auto_recording"] == "" {
		t.Fatalf("an unknown recording mode answered %+v", res)
	}

	// The weekly series gets the defaults with kenji's choices.
	values["opt_auto_recording"] = "local"
	if res := w.submit(w.Kenji, values); !res.Closed {
		t.Fatalf("submission answered %+v", res)
	}
	series := w.onlyCard(w.Town)
	m := w.zoomMeeting(series)
	want := map[string]any{"waiting_room": false, "join_before_host": true, "jbh_time": 5.0, "mute_upon_entry": false,
		"host_video": true, "participant_video": false, "auto_recording": "local", "meeting_authentication": false}
	if m.Type != 8 {
		t.Fatalf("Zoom has a meeting of type %d, want 8", m.Type)
	}
	for k, v := range want {
		if m.Settings.Sent[k] != v {
			t.Errorf("Zoom received settings.%s = %v, want %v (all: %v)", k, m.Settings.Sent[k], v, m.Settings.Sent)
		}
	}
	if m.Password == "" || m.Settings.AutoRecording != "local" || m.Settings.MuteUponEntry {
		t.Errorf("the series in Zoom: passcode %q, settings %+v", m.Password, m.Settings)
	}

	// A one-off meeting with the dialog left as it opened gets the admin's defaults.
	one := w.schedule(w.Alice, w.Private, map[string]string{"topic": "Retro", "when": "2026-12-09 15:00", "duration": "60",
		"opt_auto_recording": "cloud", "opt_mute_upon_entry": "true", "opt_passcode": "true"})
	om := w.zoomMeeting(one)
	if om.Type != 2 || om.Settings.Sent["auto_recording"] != "cloud" || om.Settings.Sent["mute_upon_entry"] != true ||
		om.Settings.Sent["jbh_time"] != 5.0 || om.Password == "" {
		t.Errorf("the one-off meeting in Zoom: type %d, sent %v", om.Type, om.Settings.Sent)
	}

	// A reschedule moves the meeting and keeps its options: no option in the dialog, none in the PATCH.
	if res := w.click(w.Kenji, w.Mattermost.Posts(w.Town.ID), "reschedule"); res.Status != 200 {
		t.Fatalf("reschedule click: %+v", res)
	}
	rd, _ := w.Mattermost.OpenDialog(w.Kenji.ID)
	for _, e := range rd.Elements {
		if strings.HasPrefix(e.Name, "opt_") {
			t.Errorf("the reschedule dialog offers %s", e.Name)
		}
	}
	if res := w.submit(w.Kenji, map[string]string{"when": "2026-12-08 11:00", "duration": "45"}); !res.Closed {
		t.Fatalf("reschedule answered %+v", res)
	}
	after := w.zoomMeeting(series)
	if after.Duration != 45 || after.Settings.Patched != nil || after.Settings.AutoRecording != "local" || after.Settings.MuteUponEntry ||
		after.Password != m.Password {
		t.Errorf("after the reschedule: %d min, patched settings %v, settings %+v", after.Duration, after.Settings.Patched, after.Settings)
	}
}

// Without options users may change, the dialog has no option element, and without meeting_defaults no
// settings reach Zoom: Zoom applies the host's and the account's own.
func TestScheduleDialogWithoutAllowedOptions(t *testing.T) {
	w := newScheduleWorld(t)
	d := w.openSchedule(w.Alice, w.Town, "")
	for _, e := range d.Elements {
		if strings.HasPrefix(e.Name, "opt_") {
			t.Errorf("the dialog offers %s with no users_may_change", e.Name)
		}
	}
	if res := w.submit(w.Alice, map[string]string{"when": "2026-12-08 10:00", "duration": "30"}); !res.Closed {
		t.Fatalf("submission answered %+v", res)
	}
	if sent := w.zoomMeeting(w.onlyCard(w.Town)).Settings.Sent; len(sent) != 0 {
		t.Errorf("settings sent without meeting_defaults: %v", sent)
	}
}

func TestChannelPolicyGovernsScheduleAndSubscribe(t *testing.T) {
	w := newScheduleWorld(t, func(s *demoSetup) { s.configure = func(c *config) { c.BigChannel = 2 } })
	w.Mattermost.SetRoles(w.Alice.ID, "system_user system_admin")
	// A channel with more members than the threshold: the dialog opens at once (no confirmation first) and
	// says how many people will see the card.
	d := w.openSchedule(w.Kenji, w.Town, "")
	if !strings.Contains(d.IntroductionText, "人のメンバー") {
		t.Errorf("the dialog in a big channel does not say how many will see it: %q", d.IntroductionText)
	}
	if _, err := w.Mattermost.SubmitDialog(context.Background(), w.Kenji.ID, nil, true); err != nil { // kenji closes it
		t.Fatal(err)
	}
	if res := w.run(w.Alice, w.Town, "/zoom admin channel-policy no-public"); !strings.Contains(res.Response.Text, "saved") {
		t.Fatalf("policy: %q", res.Response.Text)
	}

	// In a public channel kenji is refused scheduling with /zoom start's explanation, in Japanese.
	res := w.run(w.Kenji, w.Town, "/zoom schedule 設計レビュー")
	if !strings.Contains(res.Response.Text, "公開チャンネル") || !strings.Contains(res.Response.Text, "/zoom admin channel-policy") {
		t.Errorf("schedule in a public channel: %q", res.Response.Text)
	}
	if _, ok := w.Mattermost.OpenDialog(w.Kenji.ID); ok {
		t.Error("a dialog opened where meetings may not start")
	}
	m, err := w.Zoom.AddScheduledMeeting(w.Kenji.Email, "Standup", time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC), "Asia/Tokyo", 15,
		&zoomsim.Recurrence{Type: 1, RepeatInterval: 1, EndTimes: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res := w.run(w.Kenji, w.Town, "/zoom subscribe "+formatID(m.ID)); !strings.Contains(res.Response.Text, "公開チャンネル") {
		t.Errorf("subscribe in a public channel: %q", res.Response.Text)
	}
	if res := w.run(w.Kenji, w.Town, "/zoom subscriptions"); strings.Contains(res.Response.Text, "Standup") {
		t.Errorf("a refused subscription was saved: %q", res.Response.Text)
	}

	// In a private channel the dialog opens.
	w.Mattermost.AddMember(w.Private.ID, w.Kenji.ID)
	w.openSchedule(w.Kenji, w.Private, "")
	// The channel admin turns meetings off while the dialog is open: the submission is refused as a whole,
	// saying who did it, and nothing reaches Zoom.
	w.Mattermost.SetChannelAdmin(w.Private.ID, w.Alice.ID)
	if res := w.run(w.Alice, w.Private, "/zoom channel off"); !strings.Contains(res.Response.Text, "/zoom channel on") {
		t.Fatalf("channel off: %q", res.Response.Text)
	}
	before := len(w.Zoom.Meetings())
	sub := w.submit(w.Kenji, map[string]string{"when": "2026-12-08 10:00", "duration": "30"})
	if sub.Closed || !strings.Contains(sub.Error, "@"+w.Alice.Username) || !strings.Contains(sub.Error, "/zoom channel on") {
		t.Errorf("submission after the channel was turned off: %+v", sub)
	}
	if n := len(w.Zoom.Meetings()); n != before || len(w.cards(w.Private)) != 0 {
		t.Errorf("a refused submission created %d meetings", n-before)
	}
	if res := w.run(w.Alice, w.Private, "/zoom channel on"); res.Error != "" {
		t.Fatal(res.Error)
	}
	w.openSchedule(w.Kenji, w.Private, "")
	if sub := w.submit(w.Kenji, map[string]string{"when": "2026-12-08 10:00", "duration": "30"}); !sub.Closed {
		t.Errorf("submission in an allowed channel: %+v", sub)
	}
	if res := w.run(w.Kenji, w.Private, "/zoom subscribe "+formatID(m.ID)); !strings.Contains(res.Response.Text, "登録しました") {
		t.Errorf("subscribe in an allowed channel: %q", res.Response.Text)
	}
}

func TestListShowsTheOccurrencesOfSubscribedMeetings(t *testing.T) {
	w := newScheduleWorld(t)
	// A daily meeting made in Zoom at 08:00 UTC (09:00 in Berlin, 17:00 in Tokyo) from Tuesday, five times.
	m, err := w.Zoom.AddScheduledMeeting(w.Alice.Email, "Zoom-made standup", time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC), "Europe/Berlin", 15,
		&zoomsim.Recurrence{Type: 1, RepeatInterval: 1, EndTimes: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res := w.run(w.Alice, w.Town, "/zoom subscribe "+formatID(m.ID)); !strings.Contains(res.Response.Text, "now subscribed") {
		t.Fatalf("subscribe: %q", res.Response.Text)
	}
	// A meeting scheduled here on Wednesday at 10:00 Berlin sits between the occurrences.
	w.schedule(w.Alice, w.Town, map[string]string{"topic": "Planning", "when": "2026-12-09 10:00", "duration": "30"})

	calls := w.Zoom.Stats().APICalls
	text := w.run(w.Kenji, w.Town, "/zoom list").Response.Text
	if n := w.Zoom.Stats().APICalls - calls; n != 0 {
		t.Errorf("/zoom list made %d Zoom calls, want none", n)
	}
	// kenji reads in Tokyo, in Japanese: soonest first, the subscription's occurrences marked as such.
	order := []string{"2026年12月8日(火) 17:00 (UTC+09:00) · **Zoom-made standup**", "2026年12月9日(水) 17:00", "2026年12月9日(水) 18:00 (UTC+09:00) · **Planning**",
		"2026年12月10日(木) 17:00", "2026年12月11日(金) 17:00", "2026年12月12日(土) 17:00"}
	last := -1
	for _, want := range order {
		i := strings.Index(text, want)
		if i <= last {
			t.Errorf("list:\n%s\nwant %q after the previous entry", text, want)
		}
		last = i
	}
	if strings.Count(text, "登録中") != 5 || !strings.Contains(text, m.JoinURL) {
		t.Errorf("the five occurrences are not marked as subscribed, with the Join link:\n%s", text)
	}
	// Nobody's own list holds someone else's meeting through a subscription.
	if mine := w.run(w.Alice, w.Town, "/zoom list mine").Response.Text; strings.Contains(mine, "standup") {
		t.Errorf("alice's own list shows the subscription:\n%s", mine)
	}

	// The host moves the series in Zoom: meeting.updated refreshes the cached occurrences.
	if err := w.Zoom.HostUpdate(m.ID, "", "2026-12-08T11:00:00", 0); err != nil {
		t.Fatal(err)
	}
	if err := w.Zoom.WaitDeliveries(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.settle()
	text = w.run(w.Maria, w.Town, "/zoom list").Response.Text
	if !strings.Contains(text, "Tue, Dec 8, 2026 11:00 (UTC+01:00) · **Zoom-made standup**") || strings.Contains(text, "Dec 8, 2026 09:00") ||
		!strings.Contains(text, "subscribed") {
		t.Errorf("after the host moved the series to 11:00 Berlin, maria's list:\n%s", text)
	}
}

// Mattermost refuses a dialog element whose display_name is longer than 24 characters (the adapter clips
// it): every option's label fits whole, in both languages.
func TestScheduleOptionLabelsFitMattermost(t *testing.T) {
	cat := i18n.MustLoad()
	for _, loc := range cat.Locales() {
		for _, name := range meeting.OptionNames {
			if label := cat.T(loc, "schedule.option."+name); label == "" || utf8.RuneCountInString(label) > 24 {
				t.Errorf("%s label of %s %q: want 1 to 24 characters", loc, name, label)
			}
		}
	}
}

// /zoom help lists what the user can use: no option flags when the admin allows none, the admin commands
// only for system admins.
func TestHelpListsOnlyAvailableCommands(t *testing.T) {
	w := newScheduleWorld(t)
	w.Mattermost.SetRoles(w.Alice.ID, "system_user system_admin")
	kenji := w.run(w.Kenji, w.Town, "/zoom help").Response.Text
	alice := w.run(w.Alice, w.Town, "/zoom help").Response.Text
	for _, h := range []string{kenji, alice} {
		if strings.Contains(h, "--waiting-room") || !strings.Contains(h, "/zoom channel on|off") || !strings.Contains(h, "/zoom schedule") {
			t.Errorf("help without allowed options:\n%s", h)
		}
	}
	if strings.Contains(kenji, "/zoom admin") || !strings.Contains(alice, "/zoom admin channel-policy") {
		t.Errorf("admin commands: kenji (not an admin) sees %q; alice (system admin) sees %q", kenji, alice)
	}
	w2 := newScheduleWorld(t, func(s *demoSetup) { s.configure = func(c *config) { c.Defaults = scheduleDefaults } })
	// Only the flags of the options users may change: recording, mute and passcode, not the waiting room.
	if h := w2.run(w2.Kenji, w2.Town, "/zoom help").Response.Text; !strings.Contains(h, "--record=cloud") || strings.Contains(h, "--waiting-room") {
		t.Errorf("help with allowed options lists other flags than the allowed ones:\n%s", h)
	}
}
