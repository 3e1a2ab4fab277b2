package meeting

import (
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/i18n"
)

// markEscape stands in for the Mattermost adapter's escaping: it makes visible what was escaped.
func markEscape(s string) string { return "«" + s + "»" }

// summary_content keeps its shape (headings, bullets, numbered steps, paragraphs) and every text in it goes
// through Escape; emphasis markers are dropped rather than shown as stars.
func TestSummaryContentKeepsItsShapeAndEscapesItsText(t *testing.T) {
	s := NewService(Config{}, Deps{Text: i18n.MustLoad(), Escape: markEscape})
	md := "# Quick recap\r\n\r\n\r\nWe agreed on **Friday**.\n\n## Next steps\n- Alice fixes @here\n* Kenji\n+ Mei\n1. First\n2) Second\n#not a heading"
	want := "##### «Quick recap»\n\n«We agreed on Friday.»\n\n##### «Next steps»\n- «Alice fixes @here»\n- «Kenji»\n- «Mei»\n" +
		"1. «First»\n2. «Second»\n«#not a heading»"
	if got := s.contentLines(md); got != want {
		t.Errorf("contentLines:\n%s\nwant:\n%s", got, want)
	}
	// Details, when Zoom still sends them, win over the content; the content is the fallback.
	parts := s.renderSummary(&Card{Topic: "x", CreatorLocale: "en"}, &Summary{Title: "T", Content: "only content",
		Details: []SummaryDetail{{Label: "L", Summary: "detail"}}})
	if strings.Contains(parts[0], "only content") || !strings.Contains(parts[0], "«detail»") {
		t.Errorf("with details: %s", parts[0])
	}
	parts = s.renderSummary(&Card{Topic: "x", CreatorLocale: "en"}, &Summary{Title: "T", Overview: "legacy", Content: "only content"})
	if !strings.Contains(parts[0], "«only content»") || strings.Contains(parts[0], "legacy") {
		t.Errorf("content only: %s", parts[0])
	}
}

func FuzzSummaryContent(f *testing.F) {
	for _, s := range []string{"# a\n- b\n1. c", "**x**", "\n\n\n", "####### seven", "- ", "1)"} {
		f.Add(s)
	}
	s := NewService(Config{}, Deps{Text: i18n.MustLoad(), Escape: markEscape})
	f.Fuzz(func(t *testing.T, md string) {
		for _, line := range strings.Split(s.contentLines(md), "\n") {
			// Every line is empty, or escaped text after one of the markers mmzoom itself writes.
			rest := line
			for _, p := range []string{"##### ", "- "} {
				rest = strings.TrimPrefix(rest, p)
			}
			if i := strings.Index(rest, ". «"); i > 0 && i <= 3 {
				rest = rest[i+2:]
			}
			if rest != "" && !strings.HasPrefix(rest, "«") {
				t.Fatalf("line %q of %q is not escaped text", line, md)
			}
		}
	})
}
