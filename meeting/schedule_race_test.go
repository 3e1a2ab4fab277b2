package meeting

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// fakeScheduler is a ZoomScheduler that knows one recurring meeting (a subscription's card reads its Join
// link from Zoom); err, when set, is its answer to every read.
type fakeScheduler struct {
	meeting ScheduledMeeting
	err     error
	reads   int
}

var _ ZoomScheduler = (*fakeScheduler)(nil)

func (f *fakeScheduler) ScheduleMeeting(context.Context, Owner, string, ScheduleRequest) (*ScheduledMeeting, error) {
	return nil, &Error{Kind: KindZoomRejected}
}

func (f *fakeScheduler) UpdateMeeting(context.Context, Owner, int64, string, ScheduleRequest) error {
	return nil
}

func (f *fakeScheduler) DeleteMeeting(context.Context, Owner, int64, string) error { return nil }

func (f *fakeScheduler) ScheduledMeeting(_ context.Context, _ Owner, id int64) (*ScheduledMeeting, error) {
	f.reads++
	if f.err != nil {
		return nil, f.err
	}
	if id != f.meeting.ID {
		return nil, &Error{Kind: KindNotFound}
	}
	m := f.meeting
	return &m, nil
}

// Zoom sends meeting.started and the host's meeting.participant_joined at the same moment and delivers them
// in either order (to any replica; the meeting's lock makes them apply one after the other). For a new
// occurrence of a recurring scheduled meeting, and for a one-off scheduled card, either order must end the
// same: one card for the occurrence in each channel, started, with the host counted.
func TestStartedAndHostJoinedInEitherOrderMakeOneStartedCard(t *testing.T) {
	const meetingID = 81234567890
	day := time.Date(2026, 12, 14, 1, 0, 0, 0, time.UTC)
	started := Event{Type: EventMeetingStarted, MeetingID: meetingID, UUID: "inst-2", StartTime: day}
	joined := Event{Type: EventParticipantJoined, MeetingID: meetingID, UUID: "inst-2", Participant: "host-zoom-id", ParticipantName: "Kenji", At: day}
	orders := map[string][]Event{"started first": {started, joined}, "joined first": {joined, started}}

	kinds := []struct {
		name string
		// setup stores the schedules of the meeting and returns the channels that must each get (or keep)
		// exactly one card of the instance, and whether that card is the scheduled card itself (one-off).
		setup func(t *testing.T, ctx context.Context, store *memStore, chat *fakeChat, scs *memSchedules) (channels []string, oneOff bool)
	}{
		{"occurrence of a series", func(t *testing.T, ctx context.Context, store *memStore, chat *fakeChat, scs *memSchedules) ([]string, bool) {
			series := scheduledCard(t, ctx, store, chat, "c1", meetingID)
			// Last week's occurrence has a card of its own, ended: the new occurrence must not reuse it.
			last := &Card{ChannelID: "c1", MeetingID: meetingID, UUID: "inst-1", Topic: "Weekly", Status: StatusEnded,
				CreatedAt: day.AddDate(0, 0, -7), StartedAt: day.AddDate(0, 0, -7), EndedAt: day.AddDate(0, 0, -7).Add(30 * time.Minute)}
			last.PostID, _ = chat.CreatePost(ctx, &Post{ChannelID: "c1"})
			if err := store.CreateCard(ctx, last); err != nil {
				t.Fatal(err)
			}
			saveSchedule(t, ctx, scs, &Schedule{CardID: series.ID, MeetingID: meetingID, ChannelID: "c1", CreatorID: "kenji", Topic: "Weekly",
				Recurrence: &Recurrence{Repeat: RepeatWeekly, Count: 4}, Occurrences: weeklyFrom(day.AddDate(0, 0, -7), 4)})
			return []string{"c1"}, false
		}},
		{"one-off scheduled card", func(t *testing.T, ctx context.Context, store *memStore, chat *fakeChat, scs *memSchedules) ([]string, bool) {
			card := scheduledCard(t, ctx, store, chat, "c1", meetingID)
			saveSchedule(t, ctx, scs, &Schedule{CardID: card.ID, MeetingID: meetingID, ChannelID: "c1", CreatorID: "kenji", Topic: "Weekly",
				Occurrences: []Occurrence{{Start: day, Duration: 30 * time.Minute}}})
			return []string{"c1"}, true
		}},
		{"series here, subscribed in another channel", func(t *testing.T, ctx context.Context, store *memStore, chat *fakeChat, scs *memSchedules) ([]string, bool) {
			series := scheduledCard(t, ctx, store, chat, "c1", meetingID)
			saveSchedule(t, ctx, scs, &Schedule{CardID: series.ID, MeetingID: meetingID, ChannelID: "c1", CreatorID: "kenji", Topic: "Weekly",
				Recurrence: &Recurrence{Repeat: RepeatWeekly, Count: 4}, Occurrences: weeklyFrom(day, 4)})
			saveSchedule(t, ctx, scs, &Schedule{MeetingID: meetingID, ChannelID: "c2", CreatorID: "alice", Subscription: true, Topic: "Weekly",
				Occurrences: weeklyFrom(day, 4)})
			return []string{"c1", "c2"}, false
		}},
	}
	for _, k := range kinds {
		for name, events := range orders {
			t.Run(k.name+", "+name, func(t *testing.T) {
				ctx := context.Background()
				chat, store, scs := newFakeChat(), newMemStore(), newMemSchedules()
				for _, id := range []string{"c1", "c2"} {
					chat.channels[id] = &Channel{ID: id, Type: ChannelOpen, Name: id}
				}
				chat.users["kenji"] = &ChatUser{ID: "kenji", Username: "kenji", Locale: "ja"}
				chat.users["alice"] = &ChatUser{ID: "alice", Username: "alice", Locale: "en"}
				zs := &fakeScheduler{meeting: ScheduledMeeting{ZoomMeeting: ZoomMeeting{ID: meetingID, Topic: "Weekly",
					JoinURL: "https://zoom.us/j/81234567890", HostID: "host-zoom-id"}, Type: 8}}
				svc := NewService(Config{}, Deps{Chat: chat, Store: store, Schedules: scs, Scheduler: zs, Text: keyText{},
					Now: func() time.Time { return day }})
				channels, oneOff := k.setup(t, ctx, store, chat, scs)
				postsBefore := len(chat.order)

				for _, ev := range events {
					if _, err := svc.ApplyEvent(ctx, ev); err != nil {
						t.Fatalf("%s: %v", ev.Type, err)
					}
				}

				cards, _ := store.CardsByMeeting(ctx, meetingID)
				for _, ch := range channels {
					var inst []*Card
					for _, c := range cards {
						if c.ChannelID == ch && c.UUID == "inst-2" {
							inst = append(inst, c)
						}
					}
					if len(inst) != 1 {
						t.Fatalf("%s has %d cards of the instance, want 1: %s", ch, len(inst), describe(cards))
					}
					c := inst[0]
					if c.Status != StatusStarted || c.Participants != 1 || !c.StartedAt.Equal(day) {
						t.Errorf("%s: card %s, want started at %v with the host counted", ch, describe([]*Card{c}), day)
					}
					if oneOff && c.PostID != "post1" {
						t.Errorf("the one-off meeting got a new card (%s) instead of its scheduled card going live", c.PostID)
					}
				}
				wantNew := len(channels)
				if oneOff {
					wantNew = 0
				}
				if n := len(chat.order) - postsBefore; n != wantNew {
					t.Errorf("%d posts, want %d new card(s): %s", n, wantNew, describe(cards))
				}
				// Every card shown is the stored one: the last edit of each post says started.
				for _, c := range cards {
					if c.UUID == "inst-2" {
						if p := chat.posts[c.PostID]; p == nil || p.Props[PropStatus] != string(StatusStarted) {
							t.Errorf("card %d's post shows %v, want started", c.ID, p)
						}
					}
				}
			})
		}
	}
}

// scheduledCard stores and posts a scheduled card in channel ch.
func scheduledCard(t *testing.T, ctx context.Context, store *memStore, chat *fakeChat, ch string, meetingID int64) *Card {
	t.Helper()
	c := &Card{ChannelID: ch, MeetingID: meetingID, Topic: "Weekly", JoinURL: "https://zoom.us/j/81234567890", CreatorID: "kenji",
		CreatorUsername: "kenji", CreatorLocale: "ja", HostZoomID: "host-zoom-id", Status: StatusScheduled}
	c.PostID, _ = chat.CreatePost(ctx, &Post{ChannelID: ch})
	if err := store.CreateCard(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func saveSchedule(t *testing.T, ctx context.Context, scs *memSchedules, sc *Schedule) {
	t.Helper()
	if sc.Timezone == "" {
		sc.Timezone, sc.Duration = "Asia/Tokyo", 30*time.Minute
	}
	if err := scs.SaveSchedule(ctx, sc); err != nil {
		t.Fatal(err)
	}
}

func weeklyFrom(first time.Time, n int) []Occurrence {
	var out []Occurrence
	for i := range n {
		start := first.AddDate(0, 0, 7*i)
		out = append(out, Occurrence{ID: fmt.Sprint(start.UnixMilli()), Start: start, Duration: 30 * time.Minute})
	}
	return out
}

func describe(cards []*Card) string {
	s := ""
	for _, c := range cards {
		s += fmt.Sprintf("[#%d %s %s uuid=%s participants=%d post=%s] ", c.ID, c.ChannelID, c.Status, c.UUID, c.Participants, c.PostID)
	}
	return s
}
