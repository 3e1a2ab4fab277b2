package meeting

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitMessage(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		limit int
		parts int
	}{
		{"fits", "a\nb", 10, 1},
		{"at line breaks", "aaaa\nbbbb\ncccc", 10, 2},
		{"a line longer than a post", strings.Repeat("あ", 25), 10, 3},
		{"exactly the limit", strings.Repeat("x", 10), 10, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts := splitMessage(c.text, c.limit)
			if len(parts) != c.parts {
				t.Fatalf("%d parts %q, want %d", len(parts), parts, c.parts)
			}
			var joined string
			for _, p := range parts {
				if utf8.RuneCountInString(p) > c.limit || !utf8.ValidString(p) {
					t.Errorf("part %q is over %d characters or cut within a character", p, c.limit)
				}
				joined += strings.ReplaceAll(p, "\n", "")
			}
			if joined != strings.ReplaceAll(c.text, "\n", "") {
				t.Errorf("text lost: %q", parts)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	s := NewService(Config{}, Deps{Escape: func(s string) string { return strings.ReplaceAll(s, "@", "@\u200b") }})
	vtt := "WEBVTT\nKind: captions\n\n1\n00:00:01.000 --> 00:00:02.000\nAlice: hi @all\n\nNOTE a note\n\n2\n00:00:03.000 --> 00:00:04.000\n健二: こんにちは\n"
	if got, want := s.excerpt([]byte(vtt), ReplyTranscript), "> Alice: hi @\u200ball\n> 健二: こんにちは"; got != want {
		t.Errorf("transcript excerpt %q, want %q", got, want)
	}
	chat := "\n09:00:01\t From Alice : one\n09:00:02\t From Alice : two\n3\n4\n5\n6\n"
	got := s.excerpt([]byte(chat), ReplyChat)
	if lines := strings.Split(got, "\n"); len(lines) != excerptLines+1 || lines[excerptLines] != "> …" {
		t.Errorf("chat excerpt %q: %d lines then an ellipsis", got, excerptLines)
	}
	if s.excerpt([]byte{0xff, 0xfe}, ReplyChat) != "" {
		t.Error("invalid UTF-8 quoted")
	}
	if long := s.excerpt([]byte(strings.Repeat("x", 500)), ReplyChat); utf8.RuneCountInString(long) > excerptLineRunes+4 {
		t.Errorf("a long line is not cut: %d characters", utf8.RuneCountInString(long))
	}
}

func TestRenderSummaryEscapesEveryText(t *testing.T) {
	s := NewService(Config{}, Deps{Text: keyText{}, Escape: func(s string) string { return "«" + s + "»" }})
	c := &Card{Topic: "T", CreatorLocale: "en"}
	parts := s.renderSummary(c, &Summary{Title: "x", Overview: "o1\no2", Details: []SummaryDetail{{Label: "L", Summary: "d"}},
		NextSteps: []string{"n", " "}, DocURL: "javascript:alert(1)"})
	if len(parts) != 1 {
		t.Fatalf("parts %q", parts)
	}
	for _, want := range []string{"«x»", "«o1»\n«o2»", "##### «L»\n«d»", "- [ ] «n»"} {
		if !strings.Contains(parts[0], want) {
			t.Errorf("lacks %q: %s", want, parts[0])
		}
	}
	if strings.Contains(parts[0], "javascript") || strings.Count(parts[0], "- [ ]") != 1 {
		t.Errorf("a non-web link or an empty step was posted: %s", parts[0])
	}
}
