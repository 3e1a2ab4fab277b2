package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// RunSchedules tests a meeting.ScheduleStore (a fresh, empty store per call).
func RunSchedules(t *testing.T, openAt Opener[meeting.ScheduleStore]) {
	ctx := context.Background()
	open := func(t *testing.T) meeting.ScheduleStore { return openAt(t, NewClock(t0).Now) }
	weekly := func(channel, creator string, first time.Time, n int) *meeting.Schedule {
		sc := &meeting.Schedule{MeetingID: 81234567890, ChannelID: channel, TeamID: "team", CreatorID: creator, CreatorLocale: "ja",
			Topic: "週次定例", Timezone: "Asia/Tokyo", Duration: 30 * time.Minute,
			Recurrence: &meeting.Recurrence{Repeat: meeting.RepeatWeekly, Count: n}, UpdatedAt: t0}
		for i := range n {
			sc.Occurrences = append(sc.Occurrences, meeting.Occurrence{ID: "occ" + string(rune('a'+i)),
				Start: first.AddDate(0, 0, 7*i), Duration: 30 * time.Minute})
		}
		return sc
	}

	t.Run("save and read back", func(t *testing.T) {
		s := open(t)
		if _, err := s.Schedule(ctx, 1); !errors.Is(err, meeting.ErrNotFound) {
			t.Fatalf("absent schedule: %v, want not found", err)
		}
		sc := weekly("c1", "u1", t0.Add(24*time.Hour), 3)
		sc.Recurrence.Until = t0.AddDate(0, 1, 0)
		if err := s.SaveSchedule(ctx, sc); err != nil || sc.ID == 0 {
			t.Fatalf("save: %v (id %d)", err, sc.ID)
		}
		sc.CardID = 42
		sc.Occurrences[1].Cancelled = true
		sc.JoinURL = "https://zoom.example/j/81234567890?pwd=abc"
		if err := s.SaveSchedule(ctx, sc); err != nil {
			t.Fatal(err)
		}
		got, err := s.ScheduleByCard(ctx, 42)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != sc.ID || got.Topic != "週次定例" || got.Timezone != "Asia/Tokyo" || got.Duration != 30*time.Minute ||
			got.Recurrence == nil || got.Recurrence.Count != 3 || !got.Recurrence.Until.Equal(sc.Recurrence.Until) ||
			len(got.Occurrences) != 3 || !got.Occurrences[1].Cancelled || !got.Occurrences[2].Start.Equal(sc.Occurrences[2].Start) ||
			got.CreatorLocale != "ja" || got.TeamID != "team" || got.JoinURL != sc.JoinURL {
			t.Errorf("read back %+v, want %+v", got, sc)
		}
		if byMeeting, err := s.SchedulesByMeeting(ctx, 81234567890); err != nil || len(byMeeting) != 1 {
			t.Errorf("by meeting: %v %v", byMeeting, err)
		}
	})

	t.Run("upcoming by channel and by creator", func(t *testing.T) {
		s := open(t)
		soon := weekly("c1", "u1", t0.Add(2*time.Hour), 1)
		later := weekly("c1", "u2", t0.Add(30*24*time.Hour), 1)
		past := weekly("c1", "u1", t0.Add(-10*24*time.Hour), 1)
		other := weekly("c2", "u1", t0.Add(3*time.Hour), 1)
		cancelled := weekly("c1", "u1", t0.Add(4*time.Hour), 1)
		cancelled.Cancelled = true
		sub := weekly("c1", "u1", t0.Add(5*time.Hour), 1)
		sub.Subscription = true
		for _, sc := range []*meeting.Schedule{soon, later, past, other, cancelled, sub} {
			if err := s.SaveSchedule(ctx, sc); err != nil {
				t.Fatal(err)
			}
		}
		to := t0.Add(meeting.ListWindow)
		got, err := s.UpcomingSchedules(ctx, "c1", "", t0, to)
		if err != nil || len(got) != 1 || got[0].ID != soon.ID {
			t.Errorf("channel c1: %v %v, want only the one in the window", ids(got), err)
		}
		got, err = s.UpcomingSchedules(ctx, "", "u1", t0, to)
		if err != nil || len(got) != 2 || got[0].ID != soon.ID || got[1].ID != other.ID {
			t.Errorf("creator u1: %v %v, want soonest first across channels", ids(got), err)
		}
		subs, err := s.Subscriptions(ctx, "c1")
		if err != nil || len(subs) != 1 || subs[0].ID != sub.ID {
			t.Errorf("subscriptions: %v %v", ids(subs), err)
		}
		if err := s.DeleteSchedule(ctx, sub.ID); err != nil {
			t.Fatal(err)
		}
		if subs, _ := s.Subscriptions(ctx, "c1"); len(subs) != 0 {
			t.Errorf("deleted subscription still listed")
		}
	})
}

func ids(scs []*meeting.Schedule) []int64 {
	var out []int64
	for _, sc := range scs {
		out = append(out, sc.ID)
	}
	return out
}
