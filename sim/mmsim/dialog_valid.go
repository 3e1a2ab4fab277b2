package mmsim

import (
	"fmt"
	"time"
)

// What Mattermost checks in a dialog it is asked to open (server/public/model/integration_action.go,
// Dialog.IsValid and DialogElement.IsValid), and what it does about it: nothing but a warning in the server
// log (server/channels/app/integration_action.go, OpenInteractiveDialog; older servers do not even check).
// The lengths are counted in bytes (Go's len), not characters: a Japanese label of 9 characters is already
// over the 24 of a display_name.

const (
	dialogTitleMax       = 24
	dialogDisplayNameMax = 24
	dialogNameMax        = 300
	dialogHelpTextMax    = 150
	dialogTextMax        = 150  // text, date and datetime default and placeholder; bool placeholder
	dialogTextareaMax    = 3000 // textarea and select default and placeholder
)

// legacyTriggerLifetime is how long a trigger id lived before OutgoingIntegrationRequestsTimeout governed it
// (model.InteractiveDialogTriggerTimeoutMilliseconds = 3000, Mattermost 5.x to 8.x; mattermost/mattermost
// PR #23805, merged in June 2023, made it the setting).
const legacyTriggerLifetime = 3 * time.Second

// triggerLifetime is how long a trigger id opens a dialog on the simulated version. Callers hold s.mu.
func (s *Server) triggerLifetime() time.Duration {
	if s.versionAtLeastLocked(9, 0) {
		return s.opts.CommandTimeout
	}
	return legacyTriggerLifetime
}

// DialogWarnings returns what the server logged about invalid dialogs it opened anyway.
func (s *Server) DialogWarnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.dialogWarnings...)
}

// clientShows reports whether the web client renders an element of type typ: date and datetime exist from
// 11.1; an unknown type renders nothing (and so is never submitted).
func clientShows(typ string, datetime bool) bool {
	switch typ {
	case "text", "textarea", "select", "bool", "radio":
		return true
	case "date", "datetime":
		return datetime
	}
	return false
}

// dialogProblems lists what Dialog.IsValid would complain about.
func dialogProblems(title string, els []DialogElement, datetime bool) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	if title == "" || len(title) > dialogTitleMax {
		bad("invalid dialog title %q", title)
	}
	seen := map[string]bool{}
	for _, e := range els {
		if seen[e.Name] {
			bad("duplicate dialog element %q", e.Name)
		}
		seen[e.Name] = true
		if e.Name == "" || len(e.Name) > dialogNameMax {
			bad("%q: invalid name", e.Name)
		}
		if e.DisplayName == "" || len(e.DisplayName) > dialogDisplayNameMax {
			bad("%q: display_name %q is empty or longer than %d bytes", e.Name, e.DisplayName, dialogDisplayNameMax)
		}
		if len(e.HelpText) > dialogHelpTextMax {
			bad("%q: help_text longer than %d bytes", e.Name, dialogHelpTextMax)
		}
		if e.MinLength < 0 || e.MinLength > e.MaxLength {
			bad("%q: min_length %d, max_length %d", e.Name, e.MinLength, e.MaxLength)
		}
		limit := dialogTextMax
		switch e.Type {
		case "textarea", "select":
			limit = dialogTextareaMax
		case "text", "date", "datetime", "bool", "radio":
		default:
			bad("%q: invalid element type %q", e.Name, e.Type)
		}
		if e.Type != "bool" && e.Type != "radio" && len(e.Default) > limit {
			bad("%q: default longer than %d bytes", e.Name, limit)
		}
		if e.Type != "radio" && len(e.Placeholder) > limit {
			bad("%q: placeholder longer than %d bytes", e.Name, limit)
		}
		if (e.Type == "select" || e.Type == "radio") && e.Default != "" && !hasOption(e.Options, e.Default) {
			bad("%q: default %q is not an option", e.Name, e.Default)
		}
		if e.Type == "bool" && e.Default != "" && e.Default != "true" && e.Default != "false" {
			bad("%q: invalid default of bool", e.Name)
		}
		if (e.Type == "date" || e.Type == "datetime") && !datetime {
			bad("%q: element type %q is unknown to this version", e.Name, e.Type)
		}
	}
	return out
}

func hasOption(opts []DialogOption, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}
