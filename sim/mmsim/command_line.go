package mmsim

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// webappCommandLine is what the web and mobile clients send as the command of POST /commands/execute for
// what the user typed (webapp actions/command.ts and mobile actions/remote/command.ts, executeCommand): the
// part before the first space, lower-cased, one space, and the rest trimmed. Only a space separates here: a
// command whose first word ends in a newline is sent whole, with a trailing space.
func webappCommandLine(typed string) string {
	i := strings.Index(typed, " ")
	if i < 0 {
		i = len(typed)
	}
	return strings.ToLower(typed[:i]) + " " + strings.TrimSpace(typed[i:])
}

// splitCommand is app/command.go ExecuteCommand's split: the trigger ends at the first whitespace of any
// kind (a newline too), and the text is everything after that one character, as it is.
func splitCommand(line string) (trigger, text string) {
	trigger = line
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		_, size := utf8.DecodeRuneInString(line[i:])
		trigger, text = line[:i], line[i+size:]
	}
	return strings.ToLower(strings.TrimPrefix(trigger, "/")), text
}
