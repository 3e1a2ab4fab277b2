package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
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
func newScheduleWorld(t *testing.T) *world {
	w := newWorld(t, meeting.KindS2S)
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

// restart stops mmzoom and starts it again on the same database and address, as a restarted process would
// (nothing in memory survives).
func (w *world) restart() {
	w.t.Helper()
	w.bg.Wait()
	old := w.servers[2]
	_ = old.Close()
	_ = w.app.store.Close()
	app, err := build(context.Background(), w.Config, slog.New(slog.NewJSONHandler(w.logs, nil)), options{now: w.clock.Now,
		httpClient: &http.Client{Transport: w.wire, Timeout: 30 * time.Second},
		goFunc: func(f func()) {
			w.bg.Add(1)
			go func() { defer w.bg.Done(); f() }()
		}})
	if err != nil {
		w.t.Fatalf("restarting mmzoom: %v", err)
	}
	ln, err := net.Listen("tcp", strings.TrimPrefix(w.MMZoomURL, "http://"))
	if err != nil {
		w.t.Fatalf("listening again: %v", err)
	}
	srv := &http.Server{Handler: app.handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	w.app, w.servers[2] = app, srv
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
