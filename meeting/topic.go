package meeting

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTopic is Zoom's limit on a meeting topic, in characters.
const MaxTopic = 200

// CleanTopic makes a user's topic fit for Zoom and for the card: line breaks and other white space become
// spaces, control characters (NUL included) are removed, bidirectional embeddings, overrides and isolates are removed (they can make a
// card read differently from what was typed), runs of spaces collapse, and a topic longer than MaxTopic is
// cut at a word boundary when one is near, with an ellipsis. It reports whether the topic was shortened, so
// the user can be told.
func CleanTopic(raw string) (topic string, shortened bool) {
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(raw, "") {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || isBidiControl(r) || r == '\uFEFF' || r == utf8.RuneError:
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	topic = b.String()
	if utf8.RuneCountInString(topic) <= MaxTopic {
		return topic, false
	}
	runes := []rune(topic)[:MaxTopic-1]
	// Prefer to cut between words, unless that would drop much (scripts such as Japanese have no spaces).
	for i := len(runes) - 1; i >= len(runes)-20 && i > 0; i-- {
		if runes[i] == ' ' {
			runes = runes[:i]
			break
		}
	}
	return strings.TrimRight(string(runes), " ") + "…", true
}

// isBidiControl reports the explicit bidirectional formatting characters (Unicode UAX #9): LRE, RLE, PDF,
// LRO, RLO, LRI, RLI, FSI, PDI, and the Arabic letter mark.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u061C'
}
