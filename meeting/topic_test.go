package meeting

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanTopic(t *testing.T) {
	long := strings.Repeat("word ", 60)    // 300 characters
	longJa := strings.Repeat("設計レビュー", 40) // 240 characters, no spaces
	cases := []struct {
		name, in, want string
		shortened      bool
	}{
		{"plain", "Design review", "Design review", false},
		{"trimmed and collapsed", "  Design \t\t review \n", "Design review", false},
		{"NUL and controls", "Design\x00 re\x07view\x1b", "Design review", false},
		{"bidi override", "Invoice \u202Egpj.exe\u202C for you", "Invoice gpj.exe for you", false},
		{"bidi isolates", "\u2067abc\u2069 x", "abc x", false},
		{"invalid UTF-8", "Retro \xff\xfe2026", "Retro 2026", false},
		{"BOM", "\uFEFFStandup", "Standup", false},
		{"exactly the limit", strings.Repeat("a", MaxTopic), strings.Repeat("a", MaxTopic), false},
		{"Japanese passes through", "週次定例 — 設計", "週次定例 — 設計", false},
		{"empty", " \x00 ", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, short := CleanTopic(c.in)
			if got != c.want || short != c.shortened {
				t.Errorf("CleanTopic(%q) = %q, %v; want %q, %v", c.in, got, short, c.want, c.shortened)
			}
		})
	}
	for _, in := range []string{long, longJa} {
		got, short := CleanTopic(in)
		if !short || utf8.RuneCountInString(got) > MaxTopic || !strings.HasSuffix(got, "…") {
			t.Errorf("long topic: %q (%d characters), shortened %v", got, utf8.RuneCountInString(got), short)
		}
		if in == long && strings.HasSuffix(got, "wor…") {
			t.Errorf("cut inside a word: %q", got)
		}
	}
}

// FuzzCleanTopic: whatever a user types, the topic fits Zoom, is valid UTF-8, carries no control or bidi
// formatting character, and cleaning it again changes nothing.
func FuzzCleanTopic(f *testing.F) {
	for _, s := range []string{"Design review", "a\x00b", "\u202Eabc", strings.Repeat("週", 250), " \t\n", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, _ := CleanTopic(in)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > MaxTopic {
			t.Fatalf("%q → %q", in, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || isBidiControl(r) {
				t.Fatalf("%q → %q keeps %U", in, got, r)
			}
		}
		if again, short := CleanTopic(got); again != got || short {
			t.Fatalf("not idempotent: %q → %q → %q", in, got, again)
		}
	})
}
