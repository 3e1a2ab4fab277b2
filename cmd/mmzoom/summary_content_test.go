package main

import (
	"context"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/zoomsim"
)

// A summary made from one of AI Companion's templates has its text only in summary_content (Markdown; Zoom's
// changelog of 2025-04-24), its summary_details and next_steps empty: the reply shows that text, its
// structure kept (headings, bullets) and everything in it inert.
func TestSummaryWithOnlySummaryContent(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.endedCard(w.Alice, w.Town, "Release")
	md := "## Quick recap\n\nThe team agreed to ship on **Friday**. @channel\n\n## Next steps\n\n" +
		"- Alice fixes the [two bugs](https://evil.example)\n* Kenji translates the notes\n"
	if err := w.Zoom.SummaryCompleted(context.Background(), id, zoomsim.Summary{Title: "Release plan", Content: md},
		zoomsim.SummaryOptions{ContentOnly: true}); err != nil {
		t.Fatal(err)
	}
	w.settle()
	replies := w.summaryReplies(w.Town, card)
	if len(replies) != 1 {
		t.Fatalf("%d summary replies, want 1: %+v", len(replies), w.threadReplies(w.Town, card))
	}
	msg := replies[0].Message
	for _, want := range []string{"#### Meeting summary: Release plan", "##### Quick recap", "The team agreed to ship on Friday.",
		"##### Next steps", "- Alice fixes the", "- Kenji translates the notes", "[Open the full summary in Zoom]("} {
		if !strings.Contains(msg, want) {
			t.Errorf("the summary lacks %q:\n%s", want, msg)
		}
	}
	for _, bad := range []string{"@channel", "[two bugs](https://evil.example)", "**Friday**"} {
		if strings.Contains(msg, bad) {
			t.Errorf("the summary carries %q as is:\n%s", bad, msg)
		}
	}
}
