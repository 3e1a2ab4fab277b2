package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// RunReplies tests a meeting.ReplyStore: the posts mmzoom made in a card's thread after the meeting, kept by
// card and kind, in order, replaced whole and forgotten on request.
func RunReplies(t *testing.T, openAt Opener[meeting.ReplyStore]) {
	ctx := context.Background()
	clock := NewClock(t0)
	s := openAt(t, clock.Now)
	ids, err := s.ReplyPosts(ctx, 1, meeting.ReplySummary)
	if err != nil || len(ids) != 0 {
		t.Fatalf("no replies yet: %v %v, want an empty list", ids, err)
	}
	if err := s.SaveReplyPosts(ctx, 1, meeting.ReplySummary, []string{"p1"}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := s.SaveReplyPosts(ctx, 1, meeting.ReplySummary, []string{"p1", "p2", "p3"}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveReplyPosts(ctx, 1, meeting.ReplyTranscript, []string{"t1"}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveReplyPosts(ctx, 2, meeting.ReplySummary, []string{"q1"}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		card int64
		kind string
		want []string
	}{
		{1, meeting.ReplySummary, []string{"p1", "p2", "p3"}},
		{1, meeting.ReplyTranscript, []string{"t1"}},
		{1, meeting.ReplyChat, nil},
		{2, meeting.ReplySummary, []string{"q1"}},
	} {
		got, err := s.ReplyPosts(ctx, c.card, c.kind)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("card %d %s: %v %v, want %v", c.card, c.kind, got, err, c.want)
		}
	}
	// An update may leave fewer parts.
	if err := s.SaveReplyPosts(ctx, 1, meeting.ReplySummary, []string{"p1"}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ReplyPosts(ctx, 1, meeting.ReplySummary); !slices.Equal(got, []string{"p1"}) {
		t.Errorf("after shrinking: %v", got)
	}
	if err := s.DeleteReplyPosts(ctx, 1, meeting.ReplySummary); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReplyPosts(ctx, 1, meeting.ReplySummary); err != nil || len(got) != 0 {
		t.Errorf("after deleting: %v %v", got, err)
	}
	if got, _ := s.ReplyPosts(ctx, 1, meeting.ReplyTranscript); !slices.Equal(got, []string{"t1"}) {
		t.Errorf("deleting the summary's replies touched the transcript's: %v", got)
	}
	if err := s.DeleteReplyPosts(ctx, 9, meeting.ReplyChat); err != nil {
		t.Errorf("deleting what is not there: %v", err)
	}
}
