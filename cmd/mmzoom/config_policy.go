package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mmzoom/mmzoom/meeting"
)

// meetingDefaultsFile is the config file's meeting_defaults: Zoom meeting options under Zoom's names (a key
// left out is left to the Zoom account's own setting), and which of them users may change per meeting.
type meetingDefaultsFile struct {
	meeting.MeetingOptions
	UsersMayChange []string `json:"users_may_change"`
}

// applyPolicy applies the admin's meeting defaults and big-channel threshold from the config file. Zoom's
// rule that one security option stays on is enforced here, at startup, rather than discovered at the first
// meeting (Zoom would silently turn an option back on).
func (c *config) applyPolicy(f fileConfig) []string {
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, "MMZOOM_CONFIG: "+fmt.Sprintf(format, args...))
	}
	if f.BigChannelThreshold != nil {
		if *f.BigChannelThreshold < 0 {
			bad("big_channel_threshold must be 0 (never ask) or a member count, got %d", *f.BigChannelThreshold)
		} else {
			c.BigChannel = *f.BigChannelThreshold
		}
	}
	if f.MeetingDefaults == nil {
		return problems
	}
	d := f.MeetingDefaults
	err := d.MeetingOptions.Check()
	switch {
	case errors.Is(err, meeting.ErrInsecureOptions):
		bad("meeting_defaults turns passcode, waiting_room and meeting_authentication all off, but Zoom requires at least one " +
			"of them (it would silently turn one back on): set one of them to true, or leave it out to keep the Zoom account's setting")
	case err != nil:
		bad("meeting_defaults: %v", err)
	}
	for _, name := range d.UsersMayChange {
		if !meeting.ValidOption(name) {
			bad("meeting_defaults.users_may_change: unknown option %q (options: %s)", name, strings.Join(meeting.OptionNames, ", "))
		}
	}
	c.Defaults = meeting.MeetingDefaults{Options: d.MeetingOptions, UsersMayChange: d.UsersMayChange}
	return problems
}
