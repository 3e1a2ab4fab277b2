package meeting

import "strings"

// helpText is the /zoom help of the app kind. The /zoom start flags are listed only when the admin lets users
// change some meeting option (meeting defaults' users_may_change), and then only those: listing flags that
// are all refused would invite a user to type them and be told no.
func (s *Service) helpText(loc string) string {
	text := s.Text.T(loc, "help."+string(s.cfg.Kind))
	if flags := s.flagNames(loc); len(flags) > 0 {
		text += "\n" + s.Text.T(loc, "help.start_options", "Flags", strings.Join(flags, ", "))
	}
	return text + "\n" + s.Text.T(loc, "help.policy") + s.scheduleHelp(loc)
}
