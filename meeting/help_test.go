package meeting

import (
	"context"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/i18n"
)

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
		{"none allowed, English", "alice", nil, []string{"/zoom start [topic]", "/zoom channel on|off"},
			[]string{"--", "options", "/zoom start [options]"}},
		{"none allowed, Japanese", "kenji", nil, []string{"/zoom start [トピック]", "/zoom channel on|off"},
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
