package meeting

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ChannelMode is the system admin's rule for where meetings may start.
type ChannelMode string

// The channel modes of `/zoom admin channel-policy`.
const (
	ChannelsAll      ChannelMode = "all"       // every channel (the default)
	ChannelsNoPublic ChannelMode = "no-public" // private channels, direct and group messages only
	ChannelsListed   ChannelMode = "listed"    // only the channels listed
)

// Valid reports whether m is a known mode.
func (m ChannelMode) Valid() bool {
	return m == ChannelsAll || m == ChannelsNoPublic || m == ChannelsListed
}

// ChannelPolicy is where meetings may start, as a system admin set it. Read-only and archived channels never
// have meetings, whatever the mode.
type ChannelPolicy struct {
	Mode      ChannelMode
	Channels  []string // channel ids, for ChannelsListed
	UpdatedBy string   // Mattermost user id of the admin who set it
	UpdatedAt time.Time
}

// ChannelSwitch is a channel admin's choice for one channel: meetings off (or back on).
type ChannelSwitch struct {
	ChannelID string
	Off       bool
	UpdatedBy string
	UpdatedAt time.Time
}

// PolicyStore keeps the channel policy and the channels' switches; packages sqlite and postgres implement
// it (migration 0007).
type PolicyStore interface {
	// ChannelPolicy returns the policy; one never set is ChannelsAll.
	ChannelPolicy(ctx context.Context) (*ChannelPolicy, error)
	SaveChannelPolicy(ctx context.Context, p *ChannelPolicy) error
	// ChannelSwitch returns a channel's switch (KindNotFound: never switched, meetings on).
	ChannelSwitch(ctx context.Context, channelID string) (*ChannelSwitch, error)
	SaveChannelSwitch(ctx context.Context, sw *ChannelSwitch) error
}

// ChannelInfo is what the policy needs to know of a channel.
type ChannelInfo struct {
	ID          string
	Type        ChannelType
	Name        string
	DisplayName string
	// Archived: Mattermost's delete_at is set.
	Archived bool
	// ReadOnly: members may not post (channel moderation, or Town Square made read-only).
	ReadOnly bool
}

// ChannelInspector answers the policy's questions about channels; package mattermost implements it.
type ChannelInspector interface {
	// ChannelInfo describes a channel (KindForbidden when the bot may not read it). It may be cached briefly
	// unless fresh is set.
	ChannelInfo(ctx context.Context, channelID string, fresh bool) (*ChannelInfo, error)
	// MemberCount is the channel's member_count (GET /channels/{id}/stats); it may be cached briefly.
	MemberCount(ctx context.Context, channelID string) (int, error)
	// IsChannelAdmin reports whether userID is an admin of the channel (scheme_admin, the channel_admin role, or
	// a system admin); a membership the bot may not read is no admin.
	IsChannelAdmin(ctx context.Context, channelID, userID string) (bool, error)
}

// PolicyConfig configures the policy's fixed settings.
type PolicyConfig struct {
	// BigChannel is the member count above which /zoom start asks first; 0 never asks.
	BigChannel int
}

// DefaultBigChannel is the default of PolicyConfig.BigChannel.
const DefaultBigChannel = 50

// policyRefusal is why a meeting may not start in a channel: a message key and its arguments.
type policyRefusal struct {
	key  string
	args []any
}

// checkChannel refuses a start where the policy forbids meetings, with the reason and who can change it.
func (s *Service) checkChannel(ctx context.Context, user *ChatUser, req *StartRequest) (*Reply, error) {
	if s.Channels == nil || s.Policy == nil {
		return nil, nil
	}
	ref, err := s.channelRefusal(ctx, req.ChannelID, req.Fresh)
	if err != nil || ref == nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "meeting refused by the channel policy", "channel_id", req.ChannelID, "user_id", user.ID, "reason", ref.key)
	return &Reply{Text: s.Text.T(user.Locale, ref.key, ref.args...)}, nil
}

// channelRefusal returns why meetings may not start in channelID, or nil. fresh asks Mattermost past any
// cache: Mattermost refuses a command in an archived channel itself, but not a click on an older question.
func (s *Service) channelRefusal(ctx context.Context, channelID string, fresh bool) (*policyRefusal, error) {
	info, err := s.Channels.ChannelInfo(ctx, channelID, fresh)
	switch {
	case errors.Is(err, ErrForbidden):
		// The bot may not read it: a private channel, DM or group message it is not in. Mattermost itself
		// refuses commands in archived channels and from members who may not post.
		info = &ChannelInfo{ID: channelID, Type: ChannelPrivate}
	case err != nil:
		return nil, err
	}
	switch {
	case info.Archived:
		return &policyRefusal{key: "policy.archived"}, nil
	case info.ReadOnly:
		return &policyRefusal{key: "policy.read_only"}, nil
	}
	sw, err := s.Policy.ChannelSwitch(ctx, channelID)
	switch {
	case err == nil && sw.Off:
		who := s.username(ctx, sw.UpdatedBy)
		if who == "" {
			who = sw.UpdatedBy
		}
		return &policyRefusal{key: "policy.channel_off", args: []any{"Admin", who}}, nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return nil, err
	}
	p, err := s.Policy.ChannelPolicy(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Mode == ChannelsNoPublic && info.Type == ChannelOpen:
		return &policyRefusal{key: "policy.no_public"}, nil
	case p.Mode == ChannelsListed && !slices.Contains(p.Channels, channelID):
		return &policyRefusal{key: "policy.not_listed"}, nil
	}
	return nil, nil
}

// username is a user's @name for a message, or "" when unknown.
func (s *Service) username(ctx context.Context, userID string) string {
	if userID == "" {
		return ""
	}
	if u, err := s.Chat.User(ctx, userID); err == nil {
		return "@" + u.Username
	}
	return ""
}

// bigChannel returns the channel's member count when it is above the threshold (0 otherwise). Direct and group
// messages are small by nature; a count the bot may not read asks nothing.
func (s *Service) bigChannel(ctx context.Context, channelID string) int {
	if s.Channels == nil || s.cfg.Policy.BigChannel <= 0 {
		return 0
	}
	n, err := s.Channels.MemberCount(ctx, channelID)
	if err != nil {
		if !errors.Is(err, ErrForbidden) {
			s.Logger.WarnContext(ctx, "channel member count unavailable: starting without asking", "channel_id", channelID, "err", err)
		}
		return 0
	}
	if n > s.cfg.Policy.BigChannel {
		return n
	}
	return 0
}

// askBig asks whether to start a meeting in a channel of n members. Its buttons are single use and answered
// with text only (an ephemeral question). A meeting already running here is offered too, and the Personal
// Meeting ID question is folded in: the answer to a click cannot ask another question.
func (s *Service) askBig(ctx context.Context, user *ChatUser, req StartRequest, n int) (*Reply, error) {
	loc := user.Locale
	var buttons []Button
	var recent *Card
	if !req.Force && s.cfg.RecentWindow > 0 {
		open, err := s.Store.OpenCards(ctx, req.ChannelID, s.Now().Add(-s.cfg.RecentWindow))
		if err != nil {
			return nil, err
		}
		if len(open) > 0 {
			recent = open[0]
			args := startArgs(req)
			args["card"] = strconv.FormatInt(recent.ID, 10)
			buttons = append(buttons, Button{ID: "joinrecent", Name: s.Text.T(loc, "recent.join"),
				Action: Action{Name: ActionJoinRecent, UserID: req.UserID, ChannelID: req.ChannelID, Args: args, Once: true}})
		}
	}
	askPMI := false
	if req.UsePMI == nil {
		set, err := s.Store.Settings(ctx, user.ID)
		if err != nil {
			return nil, err
		}
		askPMI = set.PMI.Effective() == PMIAsk
	}
	start := func(id, name, action string) Button {
		a := startArgs(req)
		a["force"], a["big"] = "1", "1"
		return Button{ID: id, Name: s.Text.T(loc, name), Style: "primary",
			Action: Action{Name: action, UserID: req.UserID, ChannelID: req.ChannelID, Args: a, Once: true}}
	}
	if askPMI {
		fresh, pmi := start("startbig", "big.start_fresh", ActionStartFresh), start("startbigpmi", "big.start_pmi", ActionStartPMI)
		pmi.Style = ""
		buttons = append(buttons, fresh, pmi)
	} else {
		buttons = append(buttons, start("startbig", "big.start", ActionStartNew))
	}
	buttons = append(buttons, Button{ID: "cancelbig", Name: s.Text.T(loc, "big.cancel"),
		Action: Action{Name: ActionCancelStart, UserID: req.UserID, ChannelID: req.ChannelID, Once: true}})
	text := s.Text.T(loc, "big.question", "Count", n)
	if recent != nil {
		text += "\n" + s.Text.T(loc, "big.recent", "Topic", s.Escape(recent.Topic), "Username", recent.CreatorUsername)
	}
	return &Reply{Text: text, Attachments: []Attachment{{Buttons: buttons}}}, nil
}

// ChannelCommand is `/zoom channel [on|off]`: a channel admin (or a system admin) turns meetings off or back
// on in their channel; without an argument it says whether meetings may start here and why.
func (s *Service) ChannelCommand(ctx context.Context, userID, channelID, arg string) (*Reply, error) {
	user, err := s.freshUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	loc := user.Locale
	if s.Policy == nil || s.Channels == nil {
		return &Reply{Text: s.Text.T(loc, "policy.unavailable")}, nil
	}
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "":
		ref, err := s.channelRefusal(ctx, channelID, true)
		if err != nil {
			return nil, err
		}
		if ref != nil {
			return &Reply{Text: s.Text.T(loc, ref.key, ref.args...)}, nil
		}
		return &Reply{Text: s.Text.T(loc, "policy.channel_allowed")}, nil
	case "on", "off":
	default:
		return &Reply{Text: s.Text.T(loc, "policy.channel_usage")}, nil
	}
	off := strings.EqualFold(strings.TrimSpace(arg), "off")
	info, err := s.Channels.ChannelInfo(ctx, channelID, false)
	hidden := errors.Is(err, ErrForbidden) // a private channel, DM or group message the bot is not in
	if err != nil && !hidden {
		return nil, err
	}
	if info != nil && (info.Type == ChannelDirect || info.Type == ChannelGroup) {
		return &Reply{Text: s.Text.T(loc, "policy.channel_not_channel")}, nil
	}
	if !user.IsSystemAdmin() {
		if hidden {
			// The bot cannot see the channel's members either: it cannot tell a channel admin.
			return &Reply{Text: s.Text.T(loc, "policy.channel_cannot_check", "Bot", s.botName(ctx))}, nil
		}
		admin, err := s.Channels.IsChannelAdmin(ctx, channelID, userID)
		if err != nil {
			return nil, err
		}
		if !admin {
			return &Reply{Text: s.Text.T(loc, "policy.channel_not_admin")}, nil
		}
	}
	if err := s.Policy.SaveChannelSwitch(ctx, &ChannelSwitch{ChannelID: channelID, Off: off, UpdatedBy: userID, UpdatedAt: s.Now()}); err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "channel meetings switched", "channel_id", channelID, "off", off, "by", userID)
	if off {
		return &Reply{Text: s.Text.T(loc, "policy.channel_now_off")}, nil
	}
	return &Reply{Text: s.Text.T(loc, "policy.channel_now_on")}, nil
}

// ChannelPolicyCommand is `/zoom admin channel-policy [all | no-public | listed <channels>]` (system admins).
// channels are the ids of the channels named in the command (Mattermost sends ~mentions resolved).
func (s *Service) ChannelPolicyCommand(ctx context.Context, userID, arg string, channels []string) (*Reply, error) {
	user, err := s.requireAdmin(ctx, userID)
	if err != nil {
		return nil, err
	}
	loc := user.Locale
	if s.Policy == nil {
		return &Reply{Text: s.Text.T(loc, "policy.unavailable")}, nil
	}
	mode, _, _ := strings.Cut(strings.TrimSpace(arg), " ")
	mode = strings.ToLower(mode)
	if mode == "" {
		p, err := s.Policy.ChannelPolicy(ctx)
		if err != nil {
			return nil, err
		}
		return &Reply{Text: s.describePolicy(ctx, loc, p) + "\n" + s.Text.T(loc, "policy.admin_usage")}, nil
	}
	m := ChannelMode(mode)
	if !m.Valid() {
		return &Reply{Text: s.Text.T(loc, "policy.admin_usage")}, nil
	}
	p := &ChannelPolicy{Mode: m, UpdatedBy: userID, UpdatedAt: s.Now()}
	if m == ChannelsListed {
		// Channel ids typed as such count too: Mattermost resolves ~names only of channels the admin can see.
		_, rest, _ := strings.Cut(strings.TrimSpace(arg), " ")
		for _, w := range strings.Fields(rest) {
			if isMattermostID(w) {
				channels = append(channels, w)
			}
		}
		for _, c := range channels {
			if !slices.Contains(p.Channels, c) {
				p.Channels = append(p.Channels, c)
			}
		}
		if len(p.Channels) == 0 {
			return &Reply{Text: s.Text.T(loc, "policy.listed_none")}, nil
		}
	}
	if err := s.Policy.SaveChannelPolicy(ctx, p); err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "channel policy changed", "mode", string(m), "channels", len(p.Channels), "by", userID)
	return &Reply{Text: s.Text.T(loc, "policy.saved") + "\n" + s.describePolicy(ctx, loc, p)}, nil
}

// describePolicy says the policy in force, naming listed channels as ~links.
func (s *Service) describePolicy(ctx context.Context, loc string, p *ChannelPolicy) string {
	if p.Mode != ChannelsListed {
		return s.Text.T(loc, "policy.mode."+string(p.Mode))
	}
	var names []string
	for _, id := range p.Channels {
		name := id
		if ch, err := s.Chat.Channel(ctx, id); err == nil && ch.Name != "" {
			name = "~" + ch.Name
		}
		names = append(names, name)
	}
	return s.Text.T(loc, "policy.mode.listed", "Channels", strings.Join(names, ", "))
}

// isMattermostID reports whether s looks like a Mattermost id: 26 lowercase letters and digits.
func isMattermostID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
