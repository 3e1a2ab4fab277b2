package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.ChannelInspector = (*Client)(nil)

// moderationRetry is how long the client stops asking for channel moderations after Mattermost refused it.
const moderationRetry = 10 * time.Minute

// policyTTL is how long a channel's policy facts (archived, read-only, member count) are cached: a steady-state
// /zoom start still costs one Mattermost call, and a change reaches mmzoom within a minute. Mattermost itself
// refuses commands in archived channels at once; answers to buttons ask afresh (ChannelInfo's fresh).
const policyTTL = time.Minute

// cachedInfo returns a cached ChannelInfo that has not expired.
func (c *Client) cachedInfo(channelID string) (*meeting.ChannelInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.infos[channelID]
	if !ok || !c.now().Before(e.expires) {
		return nil, false
	}
	cp := *e.v
	return &cp, true
}

func (c *Client) cacheInfo(info *meeting.ChannelInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.infos == nil || len(c.infos) >= cacheLimit {
		c.infos = map[string]cached[*meeting.ChannelInfo]{}
	}
	cp := *info
	c.infos[info.ID] = cached[*meeting.ChannelInfo]{&cp, c.now().Add(policyTTL)}
}

// ChannelInfo describes a channel for the channel policy: its type, whether it is archived (delete_at set)
// and whether it is read-only. Mattermost has two read-only channels: Town Square when
// TeamSettings.ExperimentalTownSquareIsReadOnly is on (the client config shows it; Mattermost enforces it only
// on posts, so members may still run commands there), and channels whose moderation takes create_post from
// members (GET /channels/{id}/moderations, licensed servers, for holders of
// sysconsole_read_user_management_channels: a bot without it cannot tell, and Mattermost itself then refuses
// the members' commands). Answers are cached for policyTTL unless fresh is set.
func (c *Client) ChannelInfo(ctx context.Context, channelID string, fresh bool) (*meeting.ChannelInfo, error) {
	if info, ok := c.cachedInfo(channelID); ok && !fresh {
		return info, nil
	}
	info, err := c.channelInfo(ctx, channelID)
	if err != nil {
		return nil, err
	}
	c.cacheInfo(info)
	return info, nil
}

func (c *Client) channelInfo(ctx context.Context, channelID string) (*meeting.ChannelInfo, error) {
	var ch struct {
		ID          string `json:"id"`
		Type        string `json:"type"`
		Name        string `json:"name"`
		DisplayName string `json:"display_name"`
		DeleteAt    int64  `json:"delete_at"`
	}
	if err := c.call(ctx, http.MethodGet, "api/v4/channels/"+url.PathEscape(channelID), nil, &ch); err != nil {
		return nil, err
	}
	info := &meeting.ChannelInfo{ID: ch.ID, Type: meeting.ChannelType(ch.Type), Name: ch.Name, DisplayName: ch.DisplayName,
		Archived: ch.DeleteAt != 0}
	if info.Archived || (info.Type != meeting.ChannelOpen && info.Type != meeting.ChannelPrivate) {
		return info, nil
	}
	if ch.Name == "town-square" {
		var cfg map[string]any
		if err := c.call(ctx, http.MethodGet, "api/v4/config/client?format=old", nil, &cfg); err != nil {
			return nil, err
		}
		if fmt.Sprint(cfg["ExperimentalTownSquareIsReadOnly"]) == "true" {
			info.ReadOnly = true
			return info, nil
		}
	}
	c.mu.Lock()
	skip := c.now().Before(c.noModerations)
	c.mu.Unlock()
	if skip {
		return info, nil
	}
	var mods []struct {
		Name  string `json:"name"`
		Roles map[string]struct {
			Value   bool `json:"value"`
			Enabled bool `json:"enabled"`
		} `json:"roles"`
	}
	err := c.call(ctx, http.MethodGet, "api/v4/channels/"+url.PathEscape(channelID)+"/moderations", nil, &mods)
	var mmErr *Error
	switch {
	case errors.Is(err, meeting.ErrForbidden), errors.Is(err, meeting.ErrNotFound),
		errors.As(err, &mmErr) && mmErr.StatusCode == http.StatusNotImplemented:
		// Not a system admin, or a server without a license (403 now, 501 on 5.x): there is no moderation
		// for the bot to see.
		// Asking again at every start would only fill Mattermost's log with refusals; roles rarely change.
		c.mu.Lock()
		c.noModerations = c.now().Add(moderationRetry)
		c.mu.Unlock()
		return info, nil
	case err != nil:
		return nil, err
	}
	for _, m := range mods {
		if r, ok := m.Roles["members"]; ok && m.Name == "create_post" && !r.Value {
			info.ReadOnly = true
		}
	}
	return info, nil
}

// MemberCount is GET /api/v4/channels/{id}/stats member_count (the bot must be able to read the channel),
// cached for policyTTL.
func (c *Client) MemberCount(ctx context.Context, channelID string) (int, error) {
	c.mu.Lock()
	if e, ok := c.counts[channelID]; ok && c.now().Before(e.expires) {
		c.mu.Unlock()
		return e.v, nil
	}
	c.mu.Unlock()
	var stats struct {
		MemberCount int `json:"member_count"`
	}
	if err := c.call(ctx, http.MethodGet, "api/v4/channels/"+url.PathEscape(channelID)+"/stats", nil, &stats); err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.counts == nil || len(c.counts) >= cacheLimit {
		c.counts = map[string]cached[int]{}
	}
	c.counts[channelID] = cached[int]{stats.MemberCount, c.now().Add(policyTTL)}
	c.mu.Unlock()
	return stats.MemberCount, nil
}

// IsChannelAdmin reports whether userID administers channelID: a channel admin (scheme_admin, or the
// channel_admin role, of GET /api/v4/channels/{id}/members/{user}), or a system admin. Not a member, or a
// membership the bot may not read, is not an admin.
func (c *Client) IsChannelAdmin(ctx context.Context, channelID, userID string) (bool, error) {
	if u, err := c.User(ctx, userID); err == nil && u.IsSystemAdmin() {
		return true, nil
	}
	var m struct {
		Roles       string `json:"roles"`
		SchemeAdmin bool   `json:"scheme_admin"`
	}
	err := c.call(ctx, http.MethodGet, "api/v4/channels/"+channelID+"/members/"+userID, nil, &m)
	if errors.Is(err, meeting.ErrNotFound) || errors.Is(err, meeting.ErrForbidden) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return m.SchemeAdmin || strings.Contains(" "+m.Roles+" ", " channel_admin "), nil
}

// FreshUser reads a user without the cache (GET /api/v4/users/{id}), for decisions that must see a role
// change at once: a system admin who lost the role must not revoke everyone's connections for a minute more.
func (c *Client) FreshUser(ctx context.Context, id string) (*meeting.ChatUser, error) {
	var u userJSON
	if err := c.call(ctx, http.MethodGet, "api/v4/users/"+url.PathEscape(id), nil, &u); err != nil {
		return nil, err
	}
	return u.chatUser(), nil
}
