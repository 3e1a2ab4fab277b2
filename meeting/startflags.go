package meeting

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FlagError is a /zoom start flag mmzoom does not know, or a value it does not take.
type FlagError struct {
	Flag     string // as typed (bounded), for the message
	BadValue bool   // the flag is known, its value is not
}

func (e *FlagError) Error() string {
	if e.BadValue {
		return "bad value in " + e.Flag
	}
	return "unknown flag " + e.Flag
}

// maxFlagEcho bounds a flag repeated back to the user.
const maxFlagEcho = 40

// ParseStartText splits the text of `/zoom start` into leading option flags and the topic. Flags come first
// ("--waiting-room --record=cloud Weekly sync"); "--" ends them, so a topic may itself start with "--". An
// em dash counts as "--" (clients turn "--" into "—" as people type). Text is untrusted: any input gives a
// topic and overrides, or a *FlagError.
func ParseStartText(text string) (topic string, over Overrides, err error) {
	rest := strings.TrimLeftFunc(text, unicode.IsSpace)
	for rest != "" {
		end := strings.IndexFunc(rest, unicode.IsSpace)
		if end < 0 {
			end = len(rest)
		}
		tok := rest[:end]
		name, ok := flagName(tok)
		if !ok {
			break // the topic starts here
		}
		rest = strings.TrimLeftFunc(rest[end:], unicode.IsSpace)
		if name == "" {
			break // "--": everything after it is the topic
		}
		if over == nil {
			over = Overrides{}
		}
		if err := setFlag(over, name, tok); err != nil {
			return "", nil, err
		}
	}
	return strings.TrimSpace(rest), over, nil
}

// flagName reports whether tok is a flag and returns its name without the dashes ("" for "--").
func flagName(tok string) (string, bool) {
	switch {
	case strings.HasPrefix(tok, "--"):
		return tok[2:], true
	case strings.HasPrefix(tok, "—"): // em dash
		return tok[len("—"):], true
	case strings.HasPrefix(tok, "–"): // en dash, the other autocorrection
		return tok[len("–"):], true
	}
	return "", false
}

// setFlag records one flag (name without dashes, tok as typed for errors).
func setFlag(over Overrides, name, tok string) error {
	name, value, hasValue := strings.Cut(strings.ToLower(name), "=")
	name = strings.ReplaceAll(name, "_", "-")
	negated := false
	if n, ok := strings.CutPrefix(name, "no-"); ok {
		name, negated = n, true
	}
	bad := func() error { return &FlagError{Flag: clipFlag(tok), BadValue: true} }
	boolean := func() (string, error) {
		if !hasValue {
			if negated {
				return "false", nil
			}
			return "true", nil
		}
		if negated {
			return "", bad()
		}
		switch value {
		case "on", "true", "yes", "1":
			return "true", nil
		case "off", "false", "no", "0":
			return "false", nil
		}
		return "", bad()
	}
	var opt string
	switch name {
	case "waiting-room", "waitingroom":
		opt = OptWaitingRoom
	case "join-before-host", "jbh":
		if hasValue && !negated {
			switch value {
			case "0", "5", "10":
				over[OptJoinBeforeHost] = "true:" + value
				return nil
			}
		}
		opt = OptJoinBeforeHost
	case "mute", "mute-upon-entry", "muted":
		opt = OptMuteUponEntry
	case "host-video":
		opt = OptHostVideo
	case "participant-video", "video":
		opt = OptParticipantVideo
	case "passcode", "password":
		opt = OptPasscode
	case "auth", "meeting-authentication", "authentication":
		opt = OptAuthentication
	case "record", "auto-recording", "recording":
		switch {
		case negated && !hasValue:
			over[OptAutoRecording] = string(RecordNone)
		case !negated && hasValue && AutoRecording(value).Valid():
			over[OptAutoRecording] = value
		default:
			return bad()
		}
		return nil
	default:
		return &FlagError{Flag: clipFlag(tok)}
	}
	v, err := boolean()
	if err != nil {
		return err
	}
	over[opt] = v
	return nil
}

// clipFlag bounds a flag repeated in a reply, at a character boundary.
func clipFlag(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if utf8.RuneCountInString(s) <= maxFlagEcho {
		return s
	}
	r := []rune(s)
	return string(r[:maxFlagEcho]) + "…"
}
