package main

import (
	"strings"
	"testing"
	"time"
)

func TestReminderSettings(t *testing.T) {
	for _, c := range []struct {
		file      string
		lead      time.Duration
		inChannel bool
		problem   string
	}{
		{file: `{}`, lead: 10 * time.Minute},
		{file: `{"reminder_minutes": 0}`, lead: 0},
		{file: `{"reminder_minutes": 30, "reminder_in_channel": true}`, lead: 30 * time.Minute, inChannel: true},
		{file: `{"reminder_minutes": -5}`, lead: 10 * time.Minute, problem: "reminder_minutes"},
		{file: `{"reminder_minutes": "10"}`, lead: 10 * time.Minute, problem: "MMZOOM_CONFIG"},
	} {
		env := validEnv("s2s")
		env["MMZOOM_CONFIG"] = "/etc/mmzoom.json"
		cfg, problems := loadConfig(func(k string) string { return env[k] }, func(string) ([]byte, error) { return []byte(c.file), nil })
		switch {
		case c.problem != "" && (len(problems) != 1 || !strings.Contains(problems[0], c.problem)):
			t.Errorf("%s: problems %q, want one naming %s", c.file, problems, c.problem)
		case c.problem == "" && len(problems) != 0:
			t.Errorf("%s: problems %q", c.file, problems)
		case c.problem == "" && (cfg.ReminderLead != c.lead || cfg.ReminderInChannel != c.inChannel):
			t.Errorf("%s: lead %v in channel %v, want %v %v", c.file, cfg.ReminderLead, cfg.ReminderInChannel, c.lead, c.inChannel)
		}
	}
}
