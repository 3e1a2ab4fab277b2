package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sim/zoomsim"
)

// Scheduled meetings end to end: the dialog through the Mattermost simulator, Zoom's scheduled and
// recurring meetings through the Zoom simulator, reminders through the durable queue. Every test owns its
// clock and starts on a fixed day (Monday 7 December 2026, 00:00 UTC: 09:00 in Tokyo, 01:00 in Berlin).

var scheduleDay = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

// newScheduleWorld is an s2s world on scheduleDay: kenji schedules from Tokyo (Japanese), alice from
// Berlin, and maria reads in Berlin; all three are in Town Square.
func newScheduleWorld(t *testing.T, opts ...func(*demoSetup)) *world {
	w := newWorld(t, meeting.KindS2S, opts...)
	w.clock.mu.Lock()
	w.clock.t = scheduleDay
	w.clock.mu.Unlock()
	mm := w.Mattermost
	mm.SetTimezone(w.Kenji.ID, mmsim.Timezone{UseAutomatic: false, Automatic: "America/New_York", Manual: "Asia/Tokyo"})
	mm.SetTimezone(w.Alice.ID, mmsim.Timezone{UseAutomatic: true, Automatic: "Europe/Berlin"})
	mm.SetTimezone(w.Maria.ID, mmsim.Timezone{UseAutomatic: true, Automatic: "Europe/Berlin"})
	mm.AddMember(w.Town.ID, w.Maria.ID)
	return w
}

// openSchedule runs `/zoom schedule <topic>` as user in ch and returns the dialog it opened.
func (w *world) openSchedule(user mmsim.User, ch mmsim.Channel, topic string) mmsim.Dialog {
	w.t.Helper()
	res := w.run(user, ch, strings.TrimSpace("/zoom schedule "+topic))
	if res.Error != "" {
		w.t.Fatalf("/zoom schedule: %s", res.Error)
	}
	d, ok := w.Mattermost.OpenDialog(user.ID)
	if !ok {
		w.t.Fatalf("/zoom schedule opened no dialog (answer %+v)", res.Response)
	}
	return d
}

// submit fills in user's open dialog and submits it; background work and queued jobs then settle.
func (w *world) submit(user mmsim.User, values map[string]string) *mmsim.DialogResult {
	w.t.Helper()
	res, err := w.Mattermost.SubmitDialog(context.Background(), user.ID, values, false)
	if err != nil {
		w.t.Fatalf("submitting the dialog: %v", err)
	}
	w.settle()
	return res
}

// schedule opens the dialog and submits it, expecting it to close.
func (w *world) schedule(user mmsim.User, ch mmsim.Channel, values map[string]string) mmsim.Post {
	w.t.Helper()
	w.openSchedule(user, ch, "")
	if res := w.submit(user, values); !res.Closed {
		w.t.Fatalf("the dialog stayed open: %+v", res)
	}
	cards := w.cards(ch)
	if len(cards) == 0 {
		w.t.Fatal("no card after scheduling")
	}
	return cards[len(cards)-1]
}

// zoomMeeting is the Zoom meeting a card shows.
func (w *world) zoomMeeting(card mmsim.Post) zoomsim.Meeting {
	w.t.Helper()
	var id int64
	_ = json.Unmarshal([]byte(card.Props[meeting.PropMeetingID].(string)), &id)
	m, ok := w.Zoom.Meeting(id)
	if !ok {
		w.t.Fatalf("Zoom has no meeting %d", id)
	}
	return m
}

// advanceTo moves the shared clock to t.
func (w *world) advanceTo(t time.Time) {
	w.clock.mu.Lock()
	w.clock.t = t
	w.clock.mu.Unlock()
}

// reminders are the reminder posts in ch (thread replies included).
func (w *world) reminders(ch mmsim.Channel) []mmsim.Post {
	var out []mmsim.Post
	for _, p := range w.Mattermost.Posts(ch.ID) {
		if strings.Contains(p.Message, "⏰") {
			out = append(out, p)
		}
	}
	return out
}

func TestScheduleInTokyoReadInBerlin(t *testing.T) {
	w := newScheduleWorld(t)
	d := w.openSchedule(w.Kenji, w.Town, "設計レビュー")
	if !strings.Contains(d.IntroductionText, "Asia/Tokyo (UTC+09:00)") || d.Title != "Zoom ミーティングを予約" || d.Values["topic"] != "設計レビュー" {
		t.Fatalf("dialog %+v: it must be in Japanese, name kenji's timezone and keep the topic", d)
	}
	res := w.submit(w.Kenji, map[string]string{"when": "明日 14:30", "duration": "45", "agenda": "API の見直し"})
	if !res.Closed {
		t.Fatalf("submission answered %+v", res)
	}
	card := w.onlyCard(w.Town)
	m := w.zoomMeeting(card)
	// 14:30 on Tuesday in Tokyo is 05:30 UTC; Zoom was told the local time and the timezone.
	if m.Type != 2 || !m.StartTime.Equal(time.Date(2026, 12, 8, 5, 30, 0, 0, time.UTC)) || m.Timezone != "Asia/Tokyo" ||
		m.Duration != 45 || m.Agenda != "API の見直し" || m.Topic != "設計レビュー" {
		t.Errorf("Zoom has %+v", m)
	}
	if card.Props[meeting.PropStatus] != "scheduled" || card.Props[meeting.PropScheduledStart] != "2026-12-08T05:30:00Z" ||
		card.Props[meeting.PropScheduledTimezone] != "Asia/Tokyo" || card.Props[meeting.PropScheduledMinutes] != 45.0 {
		t.Errorf("card props %v", card.Props)
	}
	text := rendered(card)
	for _, want := range []string{"2026年12月8日(火) 14:30 (UTC+09:00)", "45 分", m.JoinURL} {
		if !strings.Contains(text, want) {
			t.Errorf("card does not show %q:\n%s", want, text)
		}
	}
	// maria reads the same meeting in Berlin time.
	list := w.run(w.Maria, w.Town, "/zoom list")
	if !strings.Contains(list.Response.Text, "Tue, Dec 8, 2026 06:30 (UTC+01:00)") || !strings.Contains(list.Response.Text, m.JoinURL) {
		t.Errorf("maria's list:\n%s", list.Response.Text)
	}
	// The scheduled card is no running meeting: /zoom start does not ask about it.
	start := w.run(w.Alice, w.Town, "/zoom start")
	if strings.Contains(start.Response.Text, "設計レビュー") || len(w.cards(w.Town)) != 2 {
		t.Errorf("/zoom start asked about the scheduled meeting: %+v", start.Response)
	}
}

func TestWeeklySeriesGetsACardPerOccurrence(t *testing.T) {
	w := newScheduleWorld(t)
	series := w.schedule(w.Alice, w.Town, map[string]string{"topic": "Weekly planning", "when": "2026-12-10 10:00", "duration": "30",
		"repeat": "weekly", "until": "3"})
	m := w.zoomMeeting(series)
	if m.Type != 8 || m.Recurrence == nil || m.Recurrence.Type != 2 || m.Recurrence.WeeklyDays != "5" || m.Recurrence.EndTimes != 3 ||
		m.Timezone != "Europe/Berlin" || len(m.Occurrences) != 3 {
		t.Fatalf("Zoom has %+v (recurrence %+v)", m, m.Recurrence)
	}
	text := rendered(series) + postedText([]mmsim.Post{series})
	for _, want := range []string{"Thu, Dec 10, 2026 10:00 (UTC+01:00)", "Every week on Thursday, 3 times", `"name":"Cancel series"`, `"name":"Reschedule"`} {
		if !strings.Contains(text, want) {
			t.Errorf("series card does not show %q:\n%s", want, text)
		}
	}
	ctx := context.Background()
	for i, day := range []time.Time{time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 17, 9, 0, 0, 0, time.UTC)} {
		w.advanceTo(day)
		if err := w.Zoom.StartMeeting(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		w.settle()
		if _, err := w.Zoom.JoinMeeting(ctx, m.ID, "Kenji"); err != nil {
			t.Fatal(err)
		}
		w.settle()
		w.clock.Advance(10 * time.Second) // participant counts are shown at most every 5 s
		w.settle()
		cards := w.cards(w.Town)
		if len(cards) != 2+i {
			t.Fatalf("occurrence %d: %d cards, want the series card and one per occurrence", i+1, len(cards))
		}
		occ, _ := w.Mattermost.Post(cards[len(cards)-1].ID)
		if occ.Props[meeting.PropStatus] != "started" || occ.RootID != series.ID || occ.Props[meeting.PropParticipants] != 2.0 {
			t.Errorf("occurrence %d card %+v: started, with the host and Kenji, in the series card's thread", i+1, occ.Props)
		}
		w.clock.Advance(30*time.Minute - 10*time.Second)
		if err := w.Zoom.EndMeeting(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		w.settle()
		occ, _ = w.Mattermost.Post(occ.ID)
		if occ.Props[meeting.PropStatus] != "ended" || occ.Props[meeting.PropDuration] != 1800.0 {
			t.Errorf("occurrence %d card after the end: %+v", i+1, occ.Props)
		}
	}
	// The series card points at the next (last) occurrence.
	series, _ = w.Mattermost.Post(series.ID)
	if series.Props[meeting.PropScheduledStart] != "2026-12-24T09:00:00Z" || series.Props[meeting.PropStatus] != "scheduled" {
		t.Errorf("series card after two occurrences: %+v", series.Props)
	}
}

func TestCancelByHostAndRefusedToOthers(t *testing.T) {
	w := newScheduleWorld(t)
	card := w.schedule(w.Alice, w.Town, map[string]string{"topic": "Budget", "when": "tomorrow 15:00", "duration": "60"})
	m := w.zoomMeeting(card)
	res := w.click(w.Kenji, w.Mattermost.Posts(w.Town.ID), "cancel")
	if res.Status != 200 || !strings.Contains(res.EphemeralText, "ホスト（@alice さん）だけ") {
		t.Errorf("kenji's click answered %+v", res)
	}
	if _, ok := w.Zoom.Meeting(m.ID); !ok {
		t.Fatal("someone else's click deleted the meeting")
	}
	if c, _ := w.Mattermost.Post(card.ID); c.Props[meeting.PropStatus] != "scheduled" {
		t.Errorf("card after kenji's click: %v", c.Props[meeting.PropStatus])
	}
	res = w.click(w.Alice, w.Mattermost.Posts(w.Town.ID), "cancel")
	if res.Status != 200 || !strings.Contains(res.EphemeralText, "is cancelled") {
		t.Errorf("alice's click answered %+v", res)
	}
	w.settle()
	if _, ok := w.Zoom.Meeting(m.ID); ok {
		t.Error("the host's cancel left the meeting in Zoom")
	}
	c, _ := w.Mattermost.Post(card.ID)
	if c.Props[meeting.PropStatus] != "cancelled" || !strings.Contains(rendered(c), "was cancelled") || strings.Contains(rendered(c), "Reschedule") {
		t.Errorf("card after cancel: %s", rendered(c))
	}
}

func TestReminderFiresOnceAcrossRestartAndNeverForCancelled(t *testing.T) {
	w := newScheduleWorld(t)
	kept := w.schedule(w.Alice, w.Town, map[string]string{"topic": "Kept", "when": "2026-12-07 12:00", "duration": "30"})
	dropped := w.schedule(w.Alice, w.Town, map[string]string{"topic": "Dropped", "when": "2026-12-07 13:00", "duration": "30"})
	if res := w.click(w.Alice, []mmsim.Post{dropped}, "cancel"); res.Status != 200 {
		t.Fatalf("cancel: %+v", res)
	}
	w.settle()
	w.restart(func(*config) {}) // nothing in memory survives
	// 12:00 Berlin is 11:00 UTC: the reminder is due at 10:50.
	w.advanceTo(time.Date(2026, 12, 7, 10, 49, 0, 0, time.UTC))
	w.settle()
	if r := w.reminders(w.Town); len(r) != 0 {
		t.Fatalf("reminder before its time: %+v", r)
	}
	// Mattermost is down when it is due: the reminder waits and is retried.
	w.Mattermost.SetDown(true)
	w.advanceTo(time.Date(2026, 12, 7, 10, 50, 0, 0, time.UTC))
	w.settle()
	w.Mattermost.SetDown(false)
	w.clock.Advance(2 * time.Second)
	w.settle()
	r := w.reminders(w.Town)
	if len(r) != 1 || r[0].RootID != kept.ID || !strings.Contains(r[0].Message, "**Kept** starts in 10 min") {
		t.Fatalf("reminders %+v, want one in Kept's thread", r)
	}
	w.restart(func(*config) {}) // nothing in memory survives
	w.advanceTo(time.Date(2026, 12, 7, 12, 30, 0, 0, time.UTC))
	w.settle()
	if r := w.reminders(w.Town); len(r) != 1 {
		t.Errorf("after a restart and the cancelled meeting's time: %d reminders, want still 1 (%+v)", len(r), r)
	}
}

func TestRescheduleMovesTheReminder(t *testing.T) {
	w := newScheduleWorld(t)
	card := w.schedule(w.Kenji, w.Town, map[string]string{"topic": "1on1", "when": "2026-12-07 18:00", "duration": "30"})
	res := w.click(w.Kenji, w.Mattermost.Posts(w.Town.ID), "reschedule")
	if res.Status != 200 {
		t.Fatalf("reschedule click: %+v", res)
	}
	d, ok := w.Mattermost.OpenDialog(w.Kenji.ID)
	if !ok || d.Values["when"] != "2026-12-07 18:00" || d.Title != "ミーティングの日時を変更" {
		t.Fatalf("reschedule dialog %+v, %v", d, ok)
	}
	if res := w.submit(w.Kenji, map[string]string{"when": "2026-12-08 18:00", "duration": "60"}); !res.Closed {
		t.Fatalf("reschedule submission %+v", res)
	}
	m := w.zoomMeeting(card)
	if !m.StartTime.Equal(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)) || m.Duration != 60 {
		t.Errorf("Zoom after the reschedule: %v %d min", m.StartTime, m.Duration)
	}
	if c, _ := w.Mattermost.Post(card.ID); c.Props[meeting.PropScheduledStart] != "2026-12-08T09:00:00Z" {
		t.Errorf("card after the reschedule: %v", c.Props)
	}
	w.advanceTo(time.Date(2026, 12, 7, 8, 55, 0, 0, time.UTC)) // the old reminder's time
	w.settle()
	if r := w.reminders(w.Town); len(r) != 0 {
		t.Fatalf("the old time still reminded: %+v", r)
	}
	w.advanceTo(time.Date(2026, 12, 8, 8, 50, 0, 0, time.UTC))
	w.settle()
	if r := w.reminders(w.Town); len(r) != 1 || !strings.Contains(r[0].Message, "あと 10 分") {
		t.Errorf("reminders %+v, want one at the new time, in Japanese", r)
	}
}

func TestMeetingDeletedInZoomCancelsItsCard(t *testing.T) {
	w := newScheduleWorld(t)
	card := w.schedule(w.Alice, w.Town, map[string]string{"topic": "Offsite", "when": "2026-12-09 09:00", "duration": "120"})
	m := w.zoomMeeting(card)
	// Moved in Zoom's web portal first: the card follows.
	if err := w.Zoom.HostUpdate(m.ID, "", "2026-12-09T11:00:00", 0); err != nil {
		t.Fatal(err)
	}
	w.settle()
	if c, _ := w.Mattermost.Post(card.ID); c.Props[meeting.PropScheduledStart] != "2026-12-09T10:00:00Z" {
		t.Errorf("card after a change in Zoom: %v", c.Props[meeting.PropScheduledStart])
	}
	if err := w.Zoom.HostDelete(m.ID, ""); err != nil {
		t.Fatal(err)
	}
	w.settle()
	c, _ := w.Mattermost.Post(card.ID)
	if c.Props[meeting.PropStatus] != "cancelled" || !strings.Contains(rendered(c), "was cancelled") {
		t.Errorf("card after the meeting was deleted in Zoom: %s", rendered(c))
	}
	w.advanceTo(time.Date(2026, 12, 9, 9, 55, 0, 0, time.UTC))
	w.settle()
	if r := w.reminders(w.Town); len(r) != 0 {
		t.Errorf("a deleted meeting was reminded of: %+v", r)
	}
}

func TestInvalidDialogInputGetsFieldErrorsInTheUsersLanguage(t *testing.T) {
	w := newScheduleWorld(t)
	w.openSchedule(w.Kenji, w.Town, "予算会議")
	res := w.submit(w.Kenji, map[string]string{"when": "そのうち", "repeat": "weekly", "until": "いつか", "agenda": "前回の続き"})
	if res.Closed || !strings.Contains(res.Errors["when"], "日時として読み取れませんでした") || !strings.Contains(res.Errors["until"], "最終日") {
		t.Fatalf("submission answered %+v, want Japanese field errors", res)
	}
	d, _ := w.Mattermost.OpenDialog(w.Kenji.ID)
	if d.Values["topic"] != "予算会議" || d.Values["agenda"] != "前回の続き" || d.Values["when"] != "そのうち" {
		t.Errorf("what kenji typed was lost: %+v", d.Values)
	}
	res = w.submit(w.Kenji, map[string]string{"when": "2026-12-01 10:00", "until": ""})
	if res.Closed || !strings.Contains(res.Errors["when"], "すでに過ぎています") {
		t.Errorf("a past time answered %+v", res)
	}
	if len(w.Zoom.Meetings()) != 0 || len(w.cards(w.Town)) != 0 {
		t.Fatal("invalid input created something")
	}
	if res := w.submit(w.Kenji, map[string]string{"when": "12月10日 14時30分"}); !res.Closed {
		t.Fatalf("the corrected submission answered %+v", res)
	}
	if m := w.zoomMeeting(w.onlyCard(w.Town)); m.Type != 8 || m.Topic != "予算会議" {
		t.Errorf("Zoom has %+v", m)
	}
}

func TestForgedOrReplayedDialogStateIsRefused(t *testing.T) {
	w := newScheduleWorld(t)
	d := w.openSchedule(w.Alice, w.Town, "Retro")
	ctx := context.Background()
	submission := func(state, user string) []byte {
		b, _ := json.Marshal(map[string]any{"type": "dialog_submission", "callback_id": d.CallbackID, "state": state, "user_id": user,
			"channel_id": w.Town.ID, "team_id": w.Team.ID, "cancelled": false,
			"submission": map[string]any{"topic": "Retro", "when": "2026-12-11 16:00", "duration": "30"}})
		return b
	}
	for name, body := range map[string][]byte{
		"forged state":   submission("eyJ1IjoieCJ9.forged", w.Alice.ID),
		"no state":       submission("", w.Alice.ID),
		"someone else's": submission(d.State, w.Maria.ID),
		"altered state":  submission(d.State[:len(d.State)-3]+"abc", w.Alice.ID),
	} {
		res, err := w.Mattermost.SubmitDialogRaw(ctx, w.Alice.ID, d.URL, body)
		if err != nil || res.Status == 200 {
			t.Errorf("%s: %+v %v, want refused", name, res, err)
		}
	}
	w.settle()
	if len(w.Zoom.Meetings()) != 0 || len(w.cards(w.Town)) != 0 {
		t.Fatal("a refused submission created something")
	}
	// The genuine submission, sent while Alice views another channel: Mattermost's client puts that channel's
	// id in it (mattermost-redux submitInteractiveDialog); the meeting still goes where the state says.
	viewingOther := []byte(strings.Replace(string(submission(d.State, w.Alice.ID)), w.Town.ID, w.Private.ID, 1))
	if res, _ := w.Mattermost.SubmitDialogRaw(ctx, w.Alice.ID, d.URL, viewingOther); res.Status != 200 || res.Error != "" {
		t.Fatalf("the genuine submission: %+v", res)
	}
	w.settle()
	if n := len(w.cards(w.Private)); n != 0 {
		t.Errorf("%d cards in the channel Alice was viewing, want 0", n)
	}
	res, _ := w.Mattermost.SubmitDialogRaw(ctx, w.Alice.ID, d.URL, submission(d.State, w.Alice.ID))
	w.settle()
	if !strings.Contains(res.Error, "already submitted") || len(w.Zoom.Meetings()) != 1 || len(w.cards(w.Town)) != 1 {
		t.Errorf("the replayed submission answered %+v and left %d meetings, %d cards", res, len(w.Zoom.Meetings()), len(w.cards(w.Town)))
	}
	// A dialog left open for more than an hour is told so, and changes nothing.
	d = w.openSchedule(w.Alice, w.Town, "Late")
	w.clock.Advance(61 * time.Minute)
	if res := w.submit(w.Alice, map[string]string{"when": "2026-12-11 17:00"}); res.Closed || !strings.Contains(res.Error, "more than an hour") {
		t.Errorf("an expired dialog answered %+v", res)
	}
	if len(w.Zoom.Meetings()) != 1 {
		t.Error("an expired dialog created a meeting")
	}
}

func TestListShowsTheRightMeetingsInOrder(t *testing.T) {
	w := newScheduleWorld(t)
	for _, s := range []struct {
		user       mmsim.User
		ch         mmsim.Channel
		topic, day string
	}{
		{w.Alice, w.Town, "Third", "2026-12-15 09:00"},
		{w.Kenji, w.Town, "First", "2026-12-07 18:00"}, // Tokyo: 10:00 in Berlin
		{w.Alice, w.Town, "Far away", "2027-01-20 09:00"},
		{w.Alice, w.Private, "Elsewhere", "2026-12-08 09:00"},
		{w.Alice, w.Town, "Second", "2026-12-08 11:00"},
		{w.Alice, w.Town, "Cancelled", "2026-12-09 11:00"},
	} {
		w.schedule(s.user, s.ch, map[string]string{"topic": s.topic, "when": s.day, "duration": "30"})
	}
	posts := w.Mattermost.Posts(w.Town.ID)
	if res := w.click(w.Alice, posts, "cancel"); res.Status != 200 {
		t.Fatalf("cancel: %+v", res)
	}
	w.settle()
	text := w.run(w.Maria, w.Town, "/zoom list").Response.Text
	order := []string{"Mon, Dec 7, 2026 10:00 (UTC+01:00) · **First**", "**Second**", "**Third**"}
	last := -1
	for _, want := range order {
		i := strings.Index(text, want)
		if i <= last {
			t.Errorf("list:\n%s\nwant %q after the previous entry", text, want)
		}
		last = i
	}
	for _, not := range []string{"Far away", "Elsewhere", "Cancelled"} {
		if strings.Contains(text, not) {
			t.Errorf("list shows %q:\n%s", not, text)
		}
	}
	mine := w.run(w.Alice, w.Town, "/zoom list mine").Response.Text
	if !strings.Contains(mine, "Elsewhere") || strings.Contains(mine, "First") || strings.Index(mine, "Elsewhere") > strings.Index(mine, "Second") {
		t.Errorf("alice's own list:\n%s", mine)
	}
}

func TestSubscriptionPostsEachOccurrence(t *testing.T) {
	w := newScheduleWorld(t)
	m, err := w.Zoom.AddScheduledMeeting(w.Alice.Email, "Zoom-made standup", time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC), "Europe/Berlin", 15,
		&zoomsim.Recurrence{Type: 1, RepeatInterval: 1, EndTimes: 5})
	if err != nil {
		t.Fatal(err)
	}
	id := formatID(m.ID)
	if res := w.run(w.Kenji, w.Town, "/zoom subscribe "+id); !strings.Contains(res.Response.Text, "ホストかこのチャンネルの管理者だけ") {
		t.Errorf("kenji (neither host nor channel admin): %q", res.Response.Text)
	}
	pmi, _ := w.Zoom.AddPersonalMeeting(w.Alice.Email)
	if res := w.run(w.Alice, w.Town, "/zoom subscribe "+formatID(pmi.ID)); !strings.Contains(res.Response.Text, "Personal Meeting ID") {
		t.Errorf("PMI: %q", res.Response.Text)
	}
	if res := w.run(w.Alice, w.Town, "/zoom subscribe "+id); !strings.Contains(res.Response.Text, "now subscribed to **Zoom-made standup**") {
		t.Fatalf("subscribe: %q", res.Response.Text)
	}
	// An admin of another channel may subscribe it too.
	ops := w.Mattermost.AddChannel(mmsim.Channel{TeamID: w.Team.ID, Type: "O", Name: "ops", DisplayName: "Ops"}, w.Kenji.ID)
	w.Mattermost.SetChannelAdmin(ops.ID, w.Kenji.ID)
	if res := w.run(w.Kenji, ops, "/zoom subscribe "+id); !strings.Contains(res.Response.Text, "登録しました") {
		t.Errorf("channel admin: %q", res.Response.Text)
	}
	if res := w.run(w.Alice, w.Town, "/zoom subscriptions"); !strings.Contains(res.Response.Text, "Zoom-made standup") {
		t.Errorf("subscriptions: %q", res.Response.Text)
	}
	ctx := context.Background()
	for day := range 2 {
		w.advanceTo(time.Date(2026, 12, 8+day, 8, 0, 0, 0, time.UTC))
		if err := w.Zoom.StartMeeting(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		w.settle()
		w.clock.Advance(15 * time.Minute)
		if err := w.Zoom.EndMeeting(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		w.settle()
		for _, ch := range []mmsim.Channel{w.Town, ops} {
			cards := w.cards(ch)
			if len(cards) != day+1 {
				t.Fatalf("day %d: %s has %d cards, want one per occurrence", day+1, ch.Name, len(cards))
			}
			c, _ := w.Mattermost.Post(cards[day].ID)
			if c.Props[meeting.PropStatus] != "ended" || c.Props[meeting.PropTopic] != "Zoom-made standup" || c.Props[meeting.PropDuration] != 900.0 {
				t.Errorf("day %d card in %s: %+v", day+1, ch.Name, c.Props)
			}
		}
	}
	if res := w.run(w.Alice, w.Town, "/zoom unsubscribe "+id); !strings.Contains(res.Response.Text, "no longer subscribed") {
		t.Errorf("unsubscribe: %q", res.Response.Text)
	}
	w.advanceTo(time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC))
	_ = w.Zoom.StartMeeting(ctx, m.ID)
	w.settle()
	if n := len(w.cards(w.Town)); n != 2 {
		t.Errorf("after unsubscribing, Town got another card (%d)", n)
	}
}

func formatID(id int64) string {
	s := strconv.FormatInt(id, 10)
	return s[:len(s)-8] + " " + s[len(s)-8:len(s)-4] + " " + s[len(s)-4:]
}

func TestReconciliationLeavesScheduledCardsAlone(t *testing.T) {
	w := newScheduleWorld(t)
	card := w.schedule(w.Alice, w.Town, map[string]string{"topic": "Next week", "when": "2026-12-14 10:00", "duration": "30"})
	calls := w.Zoom.Stats().APICalls
	// Three days without news: an instant meeting's card would have been checked and ended by now.
	for range 3 {
		w.clock.Advance(24 * time.Hour)
		if _, err := w.app.svc.Reconcile(context.Background()); err != nil {
			t.Fatal(err)
		}
		w.settle()
	}
	if c, _ := w.Mattermost.Post(card.ID); c.Props[meeting.PropStatus] != "scheduled" {
		t.Errorf("reconciliation moved a meeting scheduled for next week to %v", c.Props[meeting.PropStatus])
	}
	if n := w.Zoom.Stats().APICalls - calls; n != 0 {
		t.Errorf("reconciliation asked Zoom %d times about a meeting that has not started", n)
	}
	// Long after its time without ever starting, it is over.
	w.advanceTo(time.Date(2026, 12, 16, 12, 0, 0, 0, time.UTC))
	if _, err := w.app.svc.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.settle()
	if c, _ := w.Mattermost.Post(card.ID); c.Props[meeting.PropStatus] != "ended" {
		t.Errorf("a scheduled meeting never started is %v two days after its time, want ended", c.Props[meeting.PropStatus])
	}
}

func TestMattermost11UsesTheDatetimePicker(t *testing.T) {
	w := newScheduleWorld(t)
	w.Mattermost.SetClientConfig("Version", "11.3.0")
	d := w.openSchedule(w.Kenji, w.Town, "")
	var when mmsim.DialogElement
	for _, e := range d.Elements {
		if e.Name == "when" {
			when = e
		}
	}
	if when.Type != "datetime" || when.DatetimeConfig["location_timezone"] != "Asia/Tokyo" {
		t.Fatalf("date and time element %+v, want Mattermost 11's datetime picker in kenji's timezone", when)
	}
	// The picker submits RFC 3339 with the offset of the user's timezone.
	if res := w.submit(w.Kenji, map[string]string{"when": "2026-12-08T14:30:00+09:00", "duration": "30"}); !res.Closed {
		t.Fatalf("submission %+v", res)
	}
	card := w.onlyCard(w.Town)
	if m := w.zoomMeeting(card); !m.StartTime.Equal(time.Date(2026, 12, 8, 5, 30, 0, 0, time.UTC)) || m.Timezone != "Asia/Tokyo" {
		t.Errorf("Zoom has %v %s", m.StartTime, m.Timezone)
	}
	// Reschedule opens the picker at the current start.
	w.click(w.Kenji, w.Mattermost.Posts(w.Town.ID), "reschedule")
	d, _ = w.Mattermost.OpenDialog(w.Kenji.ID)
	for _, e := range d.Elements {
		if e.Name == "when" && (e.Type != "datetime" || e.Default != "2026-12-08T14:30:00+09:00") {
			t.Errorf("reschedule's picker %+v", e)
		}
	}
}

func TestRescheduledSeriesMovesToTheNewWeekday(t *testing.T) {
	w := newScheduleWorld(t)
	card := w.schedule(w.Alice, w.Town, map[string]string{"topic": "Sync", "when": "2026-12-10 10:00", "duration": "30",
		"repeat": "weekly", "until": "2"})
	w.click(w.Alice, w.Mattermost.Posts(w.Town.ID), "reschedule")
	if res := w.submit(w.Alice, map[string]string{"when": "2026-12-08 11:00"}); !res.Closed {
		t.Fatalf("reschedule %+v", res)
	}
	m := w.zoomMeeting(card)
	if m.Recurrence == nil || m.Recurrence.WeeklyDays != "3" || len(m.Occurrences) != 2 ||
		!m.Occurrences[1].Start.Equal(time.Date(2026, 12, 15, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("Zoom after moving the series to Tuesdays: %+v %+v", m.Recurrence, m.Occurrences)
	}
	c, _ := w.Mattermost.Post(card.ID)
	if c.Props[meeting.PropScheduledStart] != "2026-12-08T10:00:00Z" || !strings.Contains(rendered(c), "Every week on Tuesday, 2 times") {
		t.Errorf("series card after the move: %s", rendered(c))
	}
}
