package meeting

import (
	"context"
)

// SettingsReply is `/zoom settings`: the current Personal Meeting ID preference and buttons to change it.
func (s *Service) SettingsReply(ctx context.Context, userID, channelID string) (*Reply, error) {
	user, err := s.Chat.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	set, err := s.Store.Settings(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.settingsReply(user.Locale, userID, channelID, set.PMI.Effective()), nil
}

func (s *Service) settingsReply(loc, userID, channelID string, cur PMIPreference) *Reply {
	var buttons []Button
	for _, p := range []PMIPreference{PMIAsk, PMIAlways, PMINever} {
		b := Button{ID: "pmi" + string(p), Name: s.Text.T(loc, "settings.pmi."+string(p)),
			Action: Action{Name: ActionSetPMI, UserID: userID, ChannelID: channelID, Args: map[string]string{"pmi": string(p)}}}
		if p == cur {
			b.Style = "primary"
		}
		buttons = append(buttons, b)
	}
	return &Reply{
		Text: s.Text.T(loc, "settings.title"),
		Attachments: []Attachment{{
			Text:    s.Text.T(loc, "settings.pmi.current", "Choice", s.Text.T(loc, "settings.pmi."+string(cur))),
			Buttons: buttons,
		}},
	}
}

// Help is `/zoom help` (and plain `/zoom`).
func (s *Service) Help(ctx context.Context, userID string) *Reply {
	return &Reply{Text: s.helpText(ctx, userID)}
}

// scheduleHelp lists the scheduling commands, when they are available.
func (s *Service) scheduleHelp(loc string) string {
	if s.Schedules == nil || s.Scheduler == nil {
		return ""
	}
	return "\n" + s.Text.T(loc, "help.schedule")
}

// UnknownCommand answers a sub-command mmzoom does not have: it names what was typed, made inert, before the
// help, so a typo is not taken for help asked for. The caller bounds sub's length.
func (s *Service) UnknownCommand(ctx context.Context, userID, sub string) *Reply {
	loc := s.Locale(ctx, userID)
	return &Reply{Text: s.Text.T(loc, "command.unknown", "Command", s.Escape(sub)) + "\n\n" + s.helpText(ctx, userID)}
}
