package mmsim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// ArchiveChannel archives a channel as Mattermost does (DELETE /channels/{id}): delete_at is set, the channel
// keeps its posts, and commands and new posts in it are refused (400 api.command.execute_command.deleted.error,
// 400 api.post.create_post.can_not_post_to_deleted.error).
func (s *Server) ArchiveChannel(channelID string) {
	s.mu.Lock()
	s.archived[channelID] = s.opts.Now().UnixMilli()
	s.mu.Unlock()
}

// SetReadOnly makes a channel read-only through channel moderation (create_post taken from members and
// guests), as System Console → Channels → Channel Moderation does.
func (s *Server) SetReadOnly(channelID string, on bool) {
	s.mu.Lock()
	s.moderated[channelID] = on
	s.mu.Unlock()
}

// SetChannelAdmin makes a member of a channel its admin (channel_admin role, scheme_admin true), as
// PUT /channels/{id}/members/{user}/schemeRoles does.
func (s *Server) SetChannelAdmin(channelID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.channelAdmins[channelID] == nil {
		s.channelAdmins[channelID] = map[string]bool{}
	}
	s.channelAdmins[channelID][userID] = true
}

// memberJSON is a ChannelMember as GET /channels/{id}/members/{user} returns it on a server with schemes:
// channel admins have scheme_admin and, in roles, channel_admin.
func (s *Server) memberJSON(c *Channel, userID string) map[string]any {
	admin := s.channelAdmins[c.ID][userID]
	roles := "channel_user"
	if admin {
		roles = "channel_user channel_admin"
	}
	return map[string]any{"channel_id": c.ID, "user_id": userID, "roles": roles, "last_viewed_at": 0, "msg_count": 0,
		"mention_count": 0, "notify_props": map[string]string{}, "last_update_at": 0, "scheme_guest": false,
		"scheme_user": true, "scheme_admin": admin, "explicit_roles": ""}
}

// readOnlyFor reports whether channel moderation took create_post from u in ch: only channel admins and
// system admins still hold it. Slash commands need create_post, so u's commands are refused there (the caller
// holds s.mu).
func (s *Server) readOnlyFor(u *User, ch *Channel) bool {
	return s.moderated[ch.ID] && !hasRole(u, "system_admin") && !s.channelAdmins[ch.ID][u.ID]
}

// townSquareReadOnlyFor reports whether a read-only Town Square (TeamSettings.ExperimentalTownSquareIsReadOnly)
// refuses u's post: Mattermost checks it when a post is created (403 api.post.create_post.town_square_read_only)
// for anyone without manage_system, bots included, and not through permissions, so members may still run slash
// commands there. It is a licensed option: app/post.go CreatePost checks License() != nil first, so an
// unlicensed server ignores it (the caller holds s.mu).
func (s *Server) townSquareReadOnlyFor(u *User, ch *Channel) bool {
	return ch.Name == "town-square" && s.config["ExperimentalTownSquareIsReadOnly"] == "true" && s.config["IsLicensed"] != "false" &&
		!hasRole(u, "system_admin")
}

// channelStats is GET /api/v4/channels/{id}/stats: member_count (active members, bots included) for anyone
// who may read the channel.
func (s *Server) channelStats(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.readableChannel(w, r); c != nil {
		writeJSON(w, http.StatusOK, map[string]any{"channel_id": c.ID, "member_count": len(s.members[c.ID]),
			"guest_count": 0, "pinnedpost_count": 0, "files_count": 0})
	}
}

// channelModerations is GET /api/v4/channels/{id}/moderations as current Mattermost serves it (api4/channel.go,
// getChannelModerations): a licensed feature (without a license, 403 api.channel.get_channel_moderations.
// license.error; 5.x answered 501), for holders of sysconsole_read_user_management_channels (system admins;
// 403 otherwise); each permission with the members' and guests' value.
func (s *Server) channelModerations(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[r.PathValue("id")]
	switch {
	case s.config["IsLicensed"] == "false":
		appError(w, http.StatusForbidden, "api.channel.get_channel_moderations.license.error", "Channel moderation requires a license.")
		return
	case !hasRole(userOf(r), "system_admin"):
		forbidden(w)
		return
	case c == nil:
		notFound(w, "channel")
		return
	}
	post := !s.moderated[c.ID]
	role := func(v bool) map[string]bool { return map[string]bool{"value": v, "enabled": true} }
	writeJSON(w, http.StatusOK, []map[string]any{
		{"name": "create_post", "roles": map[string]any{"guests": role(post), "members": role(post)}},
		{"name": "create_reactions", "roles": map[string]any{"guests": role(true), "members": role(true)}},
		{"name": "manage_members", "roles": map[string]any{"members": role(true)}},
		{"name": "use_channel_mentions", "roles": map[string]any{"guests": role(true), "members": role(true)}},
	})
}

var (
	channelMentionRE = regexp.MustCompile(`~([a-z0-9][a-z0-9_-]*)`)
	userMentionRE    = regexp.MustCompile(`@([a-z0-9._-]+)`)
)

// addMentions adds what Mattermost adds to a slash command's form when the text names channels or users
// (server/channels/app/command.go, MentionsToPublicChannels and MentionsToTeamMembers): channel_mentions/
// channel_mentions_ids for ~names of the team's public channels that are not archived (a private channel is
// left out even for its members), and user_mentions/user_mentions_ids for @names of the team's members.
// The text itself is delivered as typed (the caller holds s.mu).
func (s *Server) addMentions(form url.Values, teamID, text string) {
	// Both are maps in Mattermost (model.ChannelMentionMap, UserMentionMap): a name mentioned twice is sent once.
	seen := map[string]bool{}
	for _, m := range channelMentionRE.FindAllStringSubmatch(strings.ToLower(text), -1) {
		for _, c := range s.channels {
			if c.TeamID == teamID && c.Name == m[1] && c.Type == "O" && s.archived[c.ID] == 0 && !seen[c.ID] {
				seen[c.ID] = true
				form.Add("channel_mentions", c.Name)
				form.Add("channel_mentions_ids", c.ID)
			}
		}
	}
	for _, m := range userMentionRE.FindAllStringSubmatch(strings.ToLower(text), -1) {
		// The whole name first; only when nobody has it, the name without its trailing '.', '-' or '_', one
		// at a time (trimUsernameSpecialChar). A user found who is not in the team ends the search.
		for name := m[1]; name != ""; name = name[:len(name)-1] {
			if o := s.userNamed(name); o != nil {
				if s.teamMembers[teamID][o.ID] && !seen[o.ID] {
					seen[o.ID] = true
					form.Add("user_mentions", name)
					form.Add("user_mentions_ids", o.ID)
				}
				break
			}
			if !strings.ContainsAny(name[len(name)-1:], ".-_") {
				break
			}
		}
	}
}

// userNamed finds a user by username, case-insensitively (the caller holds s.mu).
func (s *Server) userNamed(name string) *User {
	for _, o := range s.users {
		if strings.ToLower(o.Username) == name {
			return o
		}
	}
	return nil
}
