package meeting

import (
	"context"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/i18n"
)

// /zoom help lists only the commands the user can use here: option flags only when the admin lets users
// change some, the channel switch only with the channel policy set up, the admin commands only for system
// admins, scheduling only when it is configured.
func TestHelpShowsOnlyAvailableCommands(t *testing.T) {
	all := []string{"help.start_options", "help.channel_switch", "help.admin_commands", "help.schedule"}
	cases := []struct {
		name  string
		cfg   Config
		deps  func(*Deps)
		admin bool
		want  []string
	}{
		{name: "bare", want: nil},
		{name: "options allowed", cfg: Config{Defaults: MeetingDefaults{UsersMayChange: []string{OptWaitingRoom}}}, want: []string{"help.start_options"}},
		{name: "channel policy", deps: func(d *Deps) { d.Policy, d.Channels = &memPolicy{}, &fakeInspector{} }, want: []string{"help.channel_switch"}},
		{name: "system admin", admin: true, want: []string{"help.admin_commands"}},
		{name: "scheduling", deps: func(d *Deps) { d.Schedules, d.Scheduler = newMemSchedules(), &fakeScheduler{} }, want: []string{"help.schedule"}},
		{name: "everything, for an admin", admin: true, cfg: Config{Defaults: MeetingDefaults{UsersMayChange: []string{OptPasscode}}},
			deps: func(d *Deps) {
				d.Policy, d.Channels, d.Schedules, d.Scheduler = &memPolicy{}, &fakeInspector{}, newMemSchedules(), &fakeScheduler{}
			}, want: all},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chat := newFakeChat()
			roles := "system_user"
			if c.admin {
				roles += " system_admin"
			}
			chat.users["u"] = &ChatUser{ID: "u", Username: "u", Locale: "ja", Roles: roles}
			d := Deps{Chat: chat, Store: newMemStore(), Text: keyText{}}
			if c.deps != nil {
				c.deps(&d)
			}
			c.cfg.Kind = KindS2S
			svc := NewService(c.cfg, d)
			for _, text := range []string{svc.Help(context.Background(), "u").Text, svc.UnknownCommand(context.Background(), "u", "strat").Text} {
				if !strings.Contains(text, "ja:help.s2s") {
					t.Errorf("help %q lacks the basic commands", text)
				}
				for _, key := range all {
					shown, want := strings.Contains(text, key), contains(c.want, key)
					if shown != want {
						t.Errorf("help %q: %s shown %v, want %v", text, key, shown, want)
					}
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// /zoom help shows the /zoom start flags only when the admin allows some, and then only those, in the
// user's language.
func TestHelpListsOnlyTheStartFlagsUsersMayUse(t *testing.T) {
	tests := []struct {
		name      string
		user      string
		mayChange []string
		want      []string
		notWant   []string
	}{
		{"none allowed, English", "alice", nil, []string{"/zoom start [topic]"},
			[]string{"--", "options", "/zoom start [options]"}},
		{"none allowed, Japanese", "kenji", nil, []string{"/zoom start [トピック]"},
			[]string{"--", "オプション"}},
		{"two allowed, English", "alice", []string{OptAutoRecording, OptWaitingRoom},
			[]string{"/zoom start [options] [topic]", "`--waiting-room` / `--no-waiting-room`", "`--record=cloud|local|none`"},
			[]string{"--mute", "--passcode", "--auth", "--host-video", "--join-before-host"}},
		{"two allowed, Japanese", "kenji", []string{OptAutoRecording, OptWaitingRoom},
			[]string{"/zoom start [オプション] [トピック]", "`--waiting-room`（待機室）", "`--record=cloud|local|none`（自動レコーディング）"},
			[]string{"--mute", "--passcode", "--auth", "--host-video", "--join-before-host"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(KindUser, func(c *Config) { c.Defaults.UsersMayChange = tt.mayChange })
			f.svc.Text = i18n.MustLoad()
			for _, reply := range []*Reply{f.svc.Help(context.Background(), tt.user), f.svc.UnknownCommand(context.Background(), tt.user, "strat")} {
				for _, w := range tt.want {
					if !strings.Contains(reply.Text, w) {
						t.Errorf("help lacks %q:\n%s", w, reply.Text)
					}
				}
				for _, nw := range tt.notWant {
					if strings.Contains(reply.Text, nw) {
						t.Errorf("help shows %q:\n%s", nw, reply.Text)
					}
				}
			}
		})
	}
}
