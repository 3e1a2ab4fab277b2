package meeting

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// memSchedules is an in-memory ScheduleStore.
type memSchedules struct {
	mu   sync.Mutex
	next int64
	rows map[int64]Schedule
}

var _ ScheduleStore = (*memSchedules)(nil)

func newMemSchedules() *memSchedules { return &memSchedules{rows: map[int64]Schedule{}} }

func (m *memSchedules) SaveSchedule(_ context.Context, sc *Schedule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if sc.ID == 0 {
		m.next++
		sc.ID = m.next
	}
	cp := *sc
	cp.Occurrences = append([]Occurrence(nil), sc.Occurrences...)
	m.rows[sc.ID] = cp
	return nil
}

func (m *memSchedules) get(f func(*Schedule) bool) []*Schedule {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Schedule
	for id := int64(1); id <= m.next; id++ {
		if sc, ok := m.rows[id]; ok && f(&sc) {
			cp := sc
			cp.Occurrences = append([]Occurrence(nil), sc.Occurrences...)
			out = append(out, &cp)
		}
	}
	return out
}

func (m *memSchedules) Schedule(_ context.Context, id int64) (*Schedule, error) {
	if r := m.get(func(sc *Schedule) bool { return sc.ID == id }); len(r) == 1 {
		return r[0], nil
	}
	return nil, &Error{Kind: KindNotFound}
}

func (m *memSchedules) ScheduleByCard(_ context.Context, cardID int64) (*Schedule, error) {
	if r := m.get(func(sc *Schedule) bool { return sc.CardID == cardID && cardID != 0 }); len(r) > 0 {
		return r[0], nil
	}
	return nil, &Error{Kind: KindNotFound}
}

func (m *memSchedules) SchedulesByMeeting(_ context.Context, id int64) ([]*Schedule, error) {
	return m.get(func(sc *Schedule) bool { return sc.MeetingID == id }), nil
}

func (m *memSchedules) UpcomingSchedules(_ context.Context, channelID, creatorID string, from, to time.Time) ([]*Schedule, error) {
	return m.get(func(sc *Schedule) bool {
		return !sc.Cancelled && !sc.Subscription && (channelID != "" && sc.ChannelID == channelID || creatorID != "" && sc.CreatorID == creatorID)
	}), nil
}

func (m *memSchedules) Subscriptions(_ context.Context, channelID string) ([]*Schedule, error) {
	return m.get(func(sc *Schedule) bool { return sc.Subscription && sc.ChannelID == channelID }), nil
}

func (m *memSchedules) DeleteSchedule(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rows, id)
	return nil
}

func TestReminderIsSentOnlyForAnOccurrenceStillPlanned(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 50, 0, 0, time.UTC)
	start := now.Add(10 * time.Minute)
	cases := []struct {
		name      string
		change    func(*Schedule)
		inChannel bool
		want      string // "" = no reminder; else the root it is posted under
	}{
		{"planned", func(*Schedule) {}, false, "cardpost"},
		{"planned, channel setting", func(*Schedule) {}, true, ""},
		{"meeting cancelled", func(sc *Schedule) { sc.Cancelled = true }, false, "none"},
		{"occurrence cancelled", func(sc *Schedule) { sc.Occurrences[0].Cancelled = true }, false, "none"},
		{"moved", func(sc *Schedule) { sc.Occurrences[0].Start = start.Add(24 * time.Hour) }, false, "none"},
		{"over", func(sc *Schedule) { sc.Occurrences[0].Duration = -20 * time.Minute }, false, "none"},
		{"started early", func(sc *Schedule) { sc.CardID = -1 }, false, "none"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chat, store, scs := newFakeChat(), newMemStore(), newMemSchedules()
			svc := NewService(Config{ReminderLead: 10 * time.Minute, ReminderInChannel: c.inChannel},
				Deps{Chat: chat, Store: store, Schedules: scs, Text: keyText{}, Now: func() time.Time { return now }})
			card := &Card{PostID: "cardpost", ChannelID: "c1", MeetingID: 1, Topic: "T", JoinURL: "https://zoom.us/j/1", Status: StatusScheduled, CreatedAt: now}
			if err := store.CreateCard(context.Background(), card); err != nil {
				t.Fatal(err)
			}
			sc := &Schedule{CardID: card.ID, MeetingID: 1, ChannelID: "c1", CreatorLocale: "ja", Topic: "T", Timezone: "Asia/Tokyo",
				Occurrences: []Occurrence{{Start: start, Duration: 30 * time.Minute}}}
			_ = scs.SaveSchedule(context.Background(), sc)
			key := reminderKey(sc.ID, start)
			c.change(sc)
			if sc.CardID == -1 { // the one-off card went live before its time
				sc.CardID = card.ID
				card.Status = StatusStarted
				_ = store.UpdateCard(context.Background(), card)
			}
			_ = scs.SaveSchedule(context.Background(), sc)
			if err := svc.remind(context.Background(), &Job{Key: key, Kind: JobReminder}); err != nil {
				t.Fatal(err)
			}
			var reminders []*Post
			for _, id := range chat.order {
				if p := chat.posts[id]; strings.Contains(p.Message, "schedule.reminder") {
					reminders = append(reminders, p)
				}
			}
			switch {
			case c.want == "none" && len(reminders) != 0:
				t.Errorf("a reminder was posted: %+v", reminders[0])
			case c.want != "none" && (len(reminders) != 1 || reminders[0].RootID != c.want || !strings.Contains(reminders[0].Message, "ja:schedule.reminder Topic=T Minutes=10")):
				t.Errorf("reminders %+v, want one under %q in the scheduler's language", reminders, c.want)
			}
		})
	}
}

func TestScheduleHelpers(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	sc := &Schedule{Occurrences: []Occurrence{
		{ID: "a", Start: now.Add(-2 * time.Hour), Duration: time.Hour},
		{ID: "b", Start: now.Add(-30 * time.Minute), Duration: time.Hour, Cancelled: true},
		{ID: "c", Start: now.Add(-10 * time.Minute), Duration: time.Hour},
		{ID: "d", Start: now.Add(24 * time.Hour), Duration: time.Hour},
	}}
	if n := sc.Next(now); n == nil || n.ID != "c" {
		t.Errorf("Next = %+v, want the running occurrence c", n)
	}
	if n := sc.Next(now.Add(2 * time.Hour)); n == nil || n.ID != "d" {
		t.Errorf("Next later = %+v, want d", n)
	}
	if sc.OccurrenceAt(now.Add(-30*time.Minute)) != nil {
		t.Error("a cancelled occurrence was found")
	}
	for in, want := range map[string]int64{"812 3456 7890": 81234567890, "81234567890": 81234567890, "８１２３４５６７８９０": 81234567890} {
		if got, ok := parseMeetingID(in); !ok || got != want {
			t.Errorf("parseMeetingID(%q) = %d, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "abc", "12345", "1234567890123"} {
		if _, ok := parseMeetingID(bad); ok {
			t.Errorf("parseMeetingID(%q) accepted", bad)
		}
	}
	id, at, ok := parseReminderKey(reminderKey(42, now))
	if !ok || id != 42 || !at.Equal(now) {
		t.Errorf("reminder key round trip: %d %v %v", id, at, ok)
	}
	if _, _, ok := parseReminderKey("refresh:1"); ok {
		t.Error("a refresh key read as a reminder")
	}
	kept := runningOrWaiting([]*Card{{Status: StatusScheduled}, {Status: StatusWaiting}, {Status: StatusCancelled}, {Status: StatusStarted}})
	if len(kept) != 2 || kept[0].Status != StatusWaiting || kept[1].Status != StatusStarted {
		t.Errorf("runningOrWaiting kept %+v", kept)
	}
}
