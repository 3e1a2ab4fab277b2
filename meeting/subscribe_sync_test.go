package meeting

import (
	"context"
	"testing"
	"time"
)

// A subscription's cached occurrences (what /zoom list shows) follow meeting.updated and meeting.deleted:
// Zoom's current occurrences and Join link replace them; a meeting Zoom no longer has ends the
// subscription; a series whose occurrences ran out does not (the host may add more); a subscriber whose Zoom
// access is gone does not hold up the event, while Zoom being down is retried.
func TestSubscriptionFollowsMeetingUpdated(t *testing.T) {
	const id = 81234567890
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	moved := weeklyFrom(now.Add(3*time.Hour), 3)
	cases := []struct {
		name          string
		zoomErr       error
		occurrences   []Occurrence
		wantErr       bool
		wantCancelled bool
		wantOcc       []Occurrence
		wantJoin      string
	}{
		{name: "moved in Zoom", occurrences: moved, wantOcc: moved, wantJoin: "https://zoom.us/j/new"},
		{name: "deleted in Zoom", zoomErr: &Error{Kind: KindNotFound}, wantCancelled: true, wantOcc: weeklyFrom(now.Add(time.Hour), 3),
			wantJoin: "https://zoom.us/j/old"},
		{name: "no occurrence left", occurrences: nil, wantOcc: nil, wantJoin: "https://zoom.us/j/new"},
		{name: "subscriber disconnected", zoomErr: &Error{Kind: KindNotConnected}, wantOcc: weeklyFrom(now.Add(time.Hour), 3),
			wantJoin: "https://zoom.us/j/old"},
		{name: "Zoom down", zoomErr: &Error{Kind: KindZoomUnavailable}, wantErr: true, wantOcc: weeklyFrom(now.Add(time.Hour), 3),
			wantJoin: "https://zoom.us/j/old"},
		{name: "an unexpected failure", zoomErr: &Error{Kind: KindInternal}, wantErr: true, wantOcc: weeklyFrom(now.Add(time.Hour), 3),
			wantJoin: "https://zoom.us/j/old"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			scs := newMemSchedules()
			zs := &fakeScheduler{err: c.zoomErr, meeting: ScheduledMeeting{ZoomMeeting: ZoomMeeting{ID: id, Topic: "Standup",
				JoinURL: "https://zoom.us/j/new"}, Type: 8, Occurrences: c.occurrences}}
			svc := NewService(Config{}, Deps{Chat: newFakeChat(), Store: newMemStore(), Schedules: scs, Scheduler: zs, Text: keyText{},
				Now: func() time.Time { return now }})
			sub := &Schedule{MeetingID: id, ChannelID: "c1", CreatorID: "alice", Subscription: true, Topic: "Standup", Timezone: "UTC",
				Duration: 30 * time.Minute, Occurrences: weeklyFrom(now.Add(time.Hour), 3), JoinURL: "https://zoom.us/j/old"}
			saveSchedule(t, ctx, scs, sub)
			_, err := svc.ApplyEvent(ctx, Event{Type: EventMeetingUpdated, MeetingID: id, At: now})
			if (err != nil) != c.wantErr {
				t.Fatalf("ApplyEvent: %v, want an error %v", err, c.wantErr)
			}
			got, _ := scs.Schedule(ctx, sub.ID)
			if got.Cancelled != c.wantCancelled || got.JoinURL != c.wantJoin || len(got.Occurrences) != len(c.wantOcc) {
				t.Fatalf("subscription %+v", got)
			}
			for i := range c.wantOcc {
				if !got.Occurrences[i].Start.Equal(c.wantOcc[i].Start) {
					t.Errorf("occurrence %d at %v, want %v", i, got.Occurrences[i].Start, c.wantOcc[i].Start)
				}
			}
		})
	}
}
