package meeting

import (
	"context"
	"strconv"
	"strings"
)

// Channel subscriptions: `/zoom subscribe <meeting ID>` makes a channel show a card for each occurrence of a
// meeting created elsewhere (in Zoom, a calendar) when it starts and ends. Only the meeting's host or an
// admin of the channel may subscribe it; Personal Meeting IDs are refused, since a card for every use of
// someone's personal room would tell the channel whenever they meet anyone.

// parseMeetingID reads a meeting ID as people copy it: "812 3456 7890", "81234567890".
func parseMeetingID(s string) (int64, bool) {
	s = strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(normalize(s))
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0 && len(s) >= 9 && len(s) <= 12
}

// Subscribe answers `/zoom subscribe <meeting ID>`.
func (s *Service) Subscribe(ctx context.Context, req StartRequest, arg string) (*Reply, error) {
	user, sm, reply, err := s.subscriptionTarget(ctx, req, arg)
	if reply != nil || err != nil {
		return reply, err
	}
	l := user.Locale
	subs, err := s.Schedules.Subscriptions(ctx, req.ChannelID)
	if err != nil {
		return nil, err
	}
	for _, sc := range subs {
		if sc.MeetingID == sm.ID {
			return &Reply{Text: s.Text.T(l, "subscribe.already", "Topic", s.Escape(sc.Topic))}, nil
		}
	}
	sc := &Schedule{MeetingID: sm.ID, ChannelID: req.ChannelID, TeamID: req.TeamID, RootID: req.RootID, CreatorID: user.ID,
		CreatorLocale: l, Subscription: true, Topic: sm.Topic, Timezone: sm.Timezone, Duration: sm.Duration,
		Occurrences: occurrencesOf(sm, sm.Duration), UpdatedAt: s.Now(), JoinURL: sm.JoinURL}
	if err := s.Schedules.SaveSchedule(ctx, sc); err != nil {
		return nil, err
	}
	return &Reply{Text: s.Text.T(l, "subscribe.done", "Topic", s.Escape(sm.Topic), "ID", formatMeetingID(sm.ID))}, nil
}

// Unsubscribe answers `/zoom unsubscribe <meeting ID>`.
func (s *Service) Unsubscribe(ctx context.Context, req StartRequest, arg string) (*Reply, error) {
	user, err := s.Chat.User(ctx, req.UserID)
	if err != nil {
		return nil, err
	}
	l := user.Locale
	if s.Schedules == nil {
		return &Reply{Text: s.Text.T(l, "schedule.unavailable")}, nil
	}
	id, ok := parseMeetingID(arg)
	if !ok {
		return &Reply{Text: s.Text.T(l, "subscribe.usage")}, nil
	}
	subs, err := s.Schedules.Subscriptions(ctx, req.ChannelID)
	if err != nil {
		return nil, err
	}
	for _, sc := range subs {
		if sc.MeetingID != id {
			continue
		}
		if sc.CreatorID != user.ID {
			if admin, err := s.isChannelAdmin(ctx, req.ChannelID, user.ID); err != nil || !admin {
				return &Reply{Text: s.Text.T(l, "subscribe.not_allowed")}, err
			}
		}
		if err := s.Schedules.DeleteSchedule(ctx, sc.ID); err != nil {
			return nil, err
		}
		return &Reply{Text: s.Text.T(l, "subscribe.removed", "Topic", s.Escape(sc.Topic))}, nil
	}
	return &Reply{Text: s.Text.T(l, "subscribe.none_for", "ID", formatMeetingID(id))}, nil
}

// SubscriptionsReply answers `/zoom subscriptions`.
func (s *Service) SubscriptionsReply(ctx context.Context, req StartRequest) (*Reply, error) {
	user, err := s.Chat.User(ctx, req.UserID)
	if err != nil {
		return nil, err
	}
	l := user.Locale
	if s.Schedules == nil {
		return &Reply{Text: s.Text.T(l, "schedule.unavailable")}, nil
	}
	subs, err := s.Schedules.Subscriptions(ctx, req.ChannelID)
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return &Reply{Text: s.Text.T(l, "subscribe.list_empty")}, nil
	}
	lines := []string{s.Text.T(l, "subscribe.list")}
	for _, sc := range subs {
		lines = append(lines, s.Text.T(l, "subscribe.list_item", "Topic", s.Escape(sc.Topic), "ID", formatMeetingID(sc.MeetingID)))
	}
	return &Reply{Text: strings.Join(lines, "\n")}, nil
}

// subscriptionTarget finds the meeting a subscribe command names and checks that the user may subscribe
// the channel to it.
func (s *Service) subscriptionTarget(ctx context.Context, req StartRequest, arg string) (*ChatUser, *ScheduledMeeting, *Reply, error) {
	user, err := s.Chat.User(ctx, req.UserID)
	if err != nil {
		return nil, nil, nil, err
	}
	l := user.Locale
	if s.Schedules == nil || s.Scheduler == nil {
		return nil, nil, &Reply{Text: s.Text.T(l, "schedule.unavailable")}, nil
	}
	id, ok := parseMeetingID(arg)
	if !ok {
		return nil, nil, &Reply{Text: s.Text.T(l, "subscribe.usage")}, nil
	}
	// A subscription posts meeting cards here: where meetings may not start, it is refused the same way.
	if r, err := s.checkChannel(ctx, user, &req); r != nil || err != nil {
		return nil, nil, r, err
	}
	owner, host, reply, err := s.host(ctx, user, nil)
	if reply != nil || err != nil {
		return nil, nil, reply, err
	}
	me, err := s.Zoom.User(ctx, owner, host)
	if err != nil {
		_, zerr := s.zoomFailed(ctx, user, owner, host, nil, err)
		return nil, nil, nil, zerr
	}
	sm, err := s.Scheduler.ScheduledMeeting(ctx, owner, id)
	if KindOf(err) == KindNotFound || KindOf(err) == KindZoomRejected {
		return nil, nil, &Reply{Text: s.Text.T(l, "subscribe.not_found", "ID", formatMeetingID(id))}, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	hostUser := me
	if sm.HostID != me.ID {
		if hostUser, err = s.Zoom.User(ctx, owner, sm.HostID); err != nil {
			hostUser = &ZoomUser{}
		}
	}
	if sm.Type == 4 || (hostUser.PMI != 0 && hostUser.PMI == sm.ID) {
		return nil, nil, &Reply{Text: s.Text.T(l, "subscribe.pmi")}, nil
	}
	if sm.HostID != me.ID {
		admin, err := s.isChannelAdmin(ctx, req.ChannelID, user.ID)
		if err != nil {
			return nil, nil, nil, err
		}
		if !admin {
			return nil, nil, &Reply{Text: s.Text.T(l, "subscribe.not_allowed")}, nil
		}
	}
	return user, sm, nil, nil
}

func (s *Service) isChannelAdmin(ctx context.Context, channelID, userID string) (bool, error) {
	if s.ChannelAdmins == nil {
		return false, nil
	}
	return s.ChannelAdmins.IsChannelAdmin(ctx, channelID, userID)
}
