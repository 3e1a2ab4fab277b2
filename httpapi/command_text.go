package httpapi

import (
	"strings"
	"unicode"
)

// splitSubcommand splits a /zoom command's text into its first word and the rest. Mattermost delivers the
// text as typed after the trigger (server/channels/app/command.go), so the first word may end in a newline
// ("/zoom schedule⏎Weekly sync") as well as a space.
func splitSubcommand(text string) (sub, rest string) {
	text = strings.TrimSpace(text)
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return text, ""
	}
	return text[:i], strings.TrimSpace(text[i:])
}
