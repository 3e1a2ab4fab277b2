package meeting

import (
	"context"
	"errors"
	"strings"
)

// optionsRefused says which of the user's /zoom start flags the admin does not allow, or that they would turn
// every security option off, and what the user may set.
func (s *Service) optionsRefused(loc string, r *OptionRefusal) *Reply {
	if r.Insecure {
		return &Reply{Text: s.Text.T(loc, "options.insecure")}
	}
	var flags []string
	for _, n := range r.NotAllowed {
		flags = append(flags, "`--"+strings.ReplaceAll(n, "_", "-")+"`")
	}
	return &Reply{Text: s.Text.T(loc, "options.not_allowed", "Flags", strings.Join(flags, ", ")) + "\n" + s.allowedFlags(loc)}
}

// allowedFlags lists the flags users may set, or says there are none.
func (s *Service) allowedFlags(loc string) string {
	flags := s.flagNames(loc)
	if len(flags) == 0 {
		return s.Text.T(loc, "options.none_allowed")
	}
	return s.Text.T(loc, "options.allowed", "Flags", strings.Join(flags, ", "))
}

// flagNames are the /zoom start flags users may set, described in loc, in OptionNames' order.
func (s *Service) flagNames(loc string) []string {
	var flags []string
	for _, n := range OptionNames {
		if s.cfg.Defaults.mayChange(n) {
			flags = append(flags, s.Text.T(loc, "options.flag."+n))
		}
	}
	return flags
}

// StartFlagsReply answers a /zoom start whose flags could not be read (err from ParseStartText).
func (s *Service) StartFlagsReply(ctx context.Context, userID string, err error) *Reply {
	loc := s.Locale(ctx, userID)
	key := "options.unknown_flag"
	var fe *FlagError
	flag := ""
	if errors.As(err, &fe) {
		flag = fe.Flag
		if fe.BadValue {
			key = "options.bad_value"
		}
	}
	return &Reply{Text: s.Text.T(loc, key, "Flag", s.Escape(flag)) + "\n" + s.allowedFlags(loc)}
}
