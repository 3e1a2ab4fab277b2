package main

import (
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
)

func TestMeetingDefaultsInTheConfigFile(t *testing.T) {
	cases := []struct {
		name, file string
		want       []string // problem substrings; none means valid
		check      func(t *testing.T, c *config)
	}{
		{name: "defaults and what users may change", file: `{"meeting_defaults":{"waiting_room":true,"join_before_host":true,
			"join_before_host_minutes":10,"mute_upon_entry":true,"host_video":false,"participant_video":false,"auto_recording":"cloud",
			"passcode":false,"meeting_authentication":false,"users_may_change":["auto_recording","waiting_room"]},"big_channel_threshold":80}`,
			check: func(t *testing.T, c *config) {
				o := c.Defaults.Options
				if !*o.WaitingRoom || *o.JoinBeforeHostMinutes != 10 || *o.AutoRecording != meeting.RecordCloud || *o.Passcode ||
					len(c.Defaults.UsersMayChange) != 2 || c.BigChannel != 80 {
					t.Errorf("defaults %+v, big channel %d", c.Defaults, c.BigChannel)
				}
			}},
		{name: "nothing set: Zoom decides, default threshold", file: `{}`, check: func(t *testing.T, c *config) {
			if c.Defaults.Options != (meeting.MeetingOptions{}) || c.BigChannel != meeting.DefaultBigChannel {
				t.Errorf("defaults %+v, big channel %d", c.Defaults, c.BigChannel)
			}
		}},
		{name: "every security option off", file: `{"meeting_defaults":{"passcode":false,"waiting_room":false,"meeting_authentication":false}}`,
			want: []string{"Zoom requires at least one of them"}},
		{name: "two off, one left to Zoom", file: `{"meeting_defaults":{"passcode":false,"waiting_room":false}}`},
		{name: "a window Zoom does not offer", file: `{"meeting_defaults":{"join_before_host_minutes":15}}`, want: []string{"0, 5 or 10"}},
		{name: "an unknown recording", file: `{"meeting_defaults":{"auto_recording":"yes"}}`, want: []string{"none, local or cloud"}},
		{name: "an unknown option users may change", file: `{"meeting_defaults":{"users_may_change":["topic"]}}`, want: []string{`unknown option "topic"`}},
		{name: "a string for a boolean", file: `{"meeting_defaults":{"waiting_room":"yes"}}`, want: []string{"is not valid"}},
		{name: "a negative threshold", file: `{"big_channel_threshold":-1}`, want: []string{"big_channel_threshold"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := validEnv("s2s")
			env["MMZOOM_CONFIG"] = "/etc/mmzoom.json"
			cfg, problems := loadConfig(func(k string) string { return env[k] }, func(string) ([]byte, error) { return []byte(c.file), nil })
			if len(problems) != len(c.want) {
				t.Fatalf("problems %q, want %d", problems, len(c.want))
			}
			for i, w := range c.want {
				if !strings.Contains(problems[i], w) {
					t.Errorf("problem %q lacks %q", problems[i], w)
				}
			}
			if c.check != nil && len(problems) == 0 {
				c.check(t, cfg)
			}
		})
	}
}
