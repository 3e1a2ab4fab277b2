package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// BenchmarkSetParticipants is the store's part of applying participant events to the card of a meeting
// that already has N people in it: one more person joins, then leaves (one event per call, as ApplyEvent
// records it), and, for batch=64, 64 people join in one call, as a batch's runs applied together record them.
func BenchmarkSetParticipants(b *testing.B) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for _, in := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("in=%d", in), func(b *testing.B) {
			s := benchStore(b)
			c := &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: 1, Status: meeting.StatusStarted, CreatedAt: t0}
			if err := s.CreateCard(ctx, c); err != nil {
				b.Fatal(err)
			}
			ps := make([]meeting.Presence, in)
			for i := range ps {
				ps[i] = meeting.Presence{CardID: c.ID, Key: fmt.Sprintf("p%d", i), Present: true, At: t0}
			}
			if _, err := s.SetParticipants(ctx, ps); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				at := t0.Add(time.Duration(i+1) * time.Second)
				if _, err := s.SetParticipants(ctx, []meeting.Presence{{CardID: c.ID, Key: "newcomer", Present: i%2 == 0, At: at}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("batch=64", func(b *testing.B) {
		s := benchStore(b)
		c := &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: 1, Status: meeting.StatusStarted, CreatedAt: t0}
		if err := s.CreateCard(ctx, c); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := range b.N {
			ps := make([]meeting.Presence, 64)
			for k := range ps {
				ps[k] = meeting.Presence{CardID: c.ID, Key: fmt.Sprintf("p%d-%d", i, k), Present: true, At: t0}
			}
			if _, err := s.SetParticipants(ctx, ps); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*64)/b.Elapsed().Seconds(), "events/s")
	})
}
