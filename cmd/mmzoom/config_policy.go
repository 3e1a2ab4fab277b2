package main

import (
	"errors"
	"strconv"
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
func (c *config) applyPolicy(tx cliText, f fileConfig) []string {
	var problems []string
	bad := func(key string, args ...any) {
		problems = append(problems, "MMZOOM_CONFIG: "+tx.T(key, args...))
	}
	if f.BigChannelThreshold != nil {
		if *f.BigChannelThreshold < 0 {
			bad("cli.config.bad_big_channel", "Value", *f.BigChannelThreshold)
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
		bad("cli.config.insecure_defaults")
	case err != nil:
		bad("cli.config.bad_defaults", "Err", err)
	}
	for _, name := range d.UsersMayChange {
		if !meeting.ValidOption(name) {
			bad("cli.config.unknown_option", "Name", strconv.Quote(name), "Options", strings.Join(meeting.OptionNames, ", "))
		}
	}
	c.Defaults = meeting.MeetingDefaults{Options: d.MeetingOptions, UsersMayChange: d.UsersMayChange}
	return problems
}
