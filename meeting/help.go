package meeting

import (
	"context"
	"strings"
)

// helpText lists the commands available to the user, in their language: the /zoom start flags only when the
// admin lets users change some meeting option (meeting defaults' users_may_change), and then only those
// (listing flags that are all refused would invite a user to type them and be told no); the channel switch
// only where the channel policy is set up; the admin commands only for system admins; scheduling only when
// it is configured.
func (s *Service) helpText(ctx context.Context, userID string) string {
	var loc string
	admin := false
	if u, err := s.Chat.User(ctx, userID); err == nil {
		loc, admin = u.Locale, u.IsSystemAdmin()
	}
	text := s.Text.T(loc, "help."+string(s.cfg.Kind))
	if flags := s.flagNames(loc); len(flags) > 0 {
		text += "\n" + s.Text.T(loc, "help.start_options", "Flags", strings.Join(flags, ", "))
	}
	if s.Policy != nil && s.Channels != nil {
		text += "\n" + s.Text.T(loc, "help.channel_switch")
	}
	if admin {
		text += "\n" + s.Text.T(loc, "help.admin_commands")
	}
	return text + s.scheduleHelp(loc)
}
