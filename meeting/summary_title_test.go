package meeting

import (
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/i18n"
)

// Zoom titles an English summary "Meeting Summary for <topic>"; the reply's heading already says "Meeting
// summary:" in the reader's language, so it must not say it twice.
func TestSummaryHeadingDoesNotRepeatZoomsMeetingSummaryFor(t *testing.T) {
	s := NewService(Config{}, Deps{Text: i18n.MustLoad(), Escape: func(s string) string { return s }})
	for _, c := range []struct{ locale, title, topic, want string }{
		{"en", "Meeting Summary for Introductory Chat", "x", "#### Meeting summary: Introductory Chat\n"},
		{"ja", "meeting summary for 定例会議", "x", "#### ミーティングの要約: 定例会議\n"},
		{"en", "Release plan", "x", "#### Meeting summary: Release plan\n"},
		{"en", "Meeting Summary for ", "Weekly", "#### Meeting summary: Meeting Summary for\n"}, // nothing after it: kept
		{"en", "", "Weekly", "#### Meeting summary: Weekly\n"},
		{"en", "Meeting summary formats", "x", "#### Meeting summary: Meeting summary formats\n"},
	} {
		parts := s.renderSummary(&Card{Topic: c.topic, CreatorLocale: c.locale}, &Summary{Title: c.title, Overview: "o"})
		if !strings.HasPrefix(parts[0], c.want) {
			t.Errorf("title %q: heading %q, want %q", c.title, strings.SplitN(parts[0], "\n", 2)[0], strings.TrimSuffix(c.want, "\n"))
		}
	}
}
