package meeting

import (
	"context"
	"sort"
	"strings"
	"time"
)

// List answers `/zoom list` (the channel's meetings of the next 14 days) and `/zoom list mine` (the user's
// own, in every channel): soonest first, each start in the reader's timezone, with its Join link.
func (s *Service) List(ctx context.Context, userID, channelID string, mine bool) (*Reply, error) {
	user, err := s.Chat.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	l := user.Locale
	if s.Schedules == nil {
		return &Reply{Text: s.Text.T(l, "schedule.unavailable")}, nil
	}
	from, to := s.Now(), s.Now().Add(ListWindow)
	ch, creator := channelID, ""
	if mine {
		ch, creator = "", userID
	}
	scs, err := s.Schedules.UpcomingSchedules(ctx, ch, creator, from, to)
	if err != nil {
		return nil, err
	}
	type item struct {
		start time.Time
		line  string
	}
	var items []item
	loc := userLocation(user)
	// An occurrence shown by a meeting scheduled here is not listed again for a subscription to the same meeting.
	seen := map[string]bool{}
	occurrenceKey := func(sc *Schedule, o Occurrence) string { return itoa(sc.MeetingID) + "@" + stampMS(o.Start) }
	upcoming := func(o Occurrence) bool {
		return !o.Cancelled && !o.Start.IsZero() && o.Start.Add(o.Duration).After(from) && o.Start.Before(to)
	}
	for _, sc := range scs {
		if sc.Cancelled || sc.Subscription || sc.CardID == 0 {
			continue
		}
		c, err := s.Store.Card(ctx, sc.CardID)
		if err != nil {
			continue
		}
		for _, o := range sc.Occurrences {
			if !upcoming(o) {
				continue
			}
			seen[occurrenceKey(sc, o)] = true
			items = append(items, item{o.Start, s.Text.T(l, "schedule.list.item", "Topic", s.Escape(sc.Topic),
				"When", formatWhen(l, o.Start, loc), "Duration", FormatDuration(s.Text, l, o.Duration), "JoinURL", c.JoinURL)})
		}
	}
	// The channel's subscriptions, from the occurrences cached when subscribing (and refreshed on
	// meeting.updated): no call to Zoom per /zoom list. A user's own list is the meetings they scheduled.
	var subs []*Schedule
	if !mine {
		if subs, err = s.Schedules.Subscriptions(ctx, channelID); err != nil {
			return nil, err
		}
	}
	for _, sc := range subs {
		if sc.Cancelled {
			continue
		}
		key := "schedule.list.item_subscribed"
		if sc.JoinURL == "" {
			key = "schedule.list.item_subscribed_nolink" // subscribed before mmzoom kept the link
		}
		for _, o := range sc.Occurrences {
			if !upcoming(o) || seen[occurrenceKey(sc, o)] {
				continue
			}
			seen[occurrenceKey(sc, o)] = true
			items = append(items, item{o.Start, s.Text.T(l, key, "Topic", s.Escape(sc.Topic),
				"When", formatWhen(l, o.Start, loc), "Duration", FormatDuration(s.Text, l, o.Duration), "JoinURL", sc.JoinURL)})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].start.Before(items[j].start) })
	key := "schedule.list.channel"
	if mine {
		key = "schedule.list.mine"
	}
	if len(items) == 0 {
		return &Reply{Text: s.Text.T(l, key+"_empty")}, nil
	}
	lines := []string{s.Text.T(l, key, "Zone", zoneLabel(loc, s.Now()))}
	for _, it := range items {
		lines = append(lines, it.line)
	}
	return &Reply{Text: strings.Join(lines, "\n")}, nil
}
