package meeting

import (
	"context"
	"time"
)

// Event is what Zoom says happened to a meeting instance (from a verified webhook).
type Event struct {
	Type      string // "meeting.started", "meeting.ended"
	MeetingID int64
	UUID      string
	StartTime time.Time
	EndTime   time.Time
}

// Zoom meeting event types mmzoom acts on.
const (
	EventMeetingStarted = "meeting.started"
	EventMeetingEnded   = "meeting.ended"
)

// ApplyEvent moves the matching card forward and shows it in the channel. It reports whether a card
// changed; an event for no known card, or one that would move a card backwards, changes nothing.
func (s *Service) ApplyEvent(ctx context.Context, ev Event) (bool, error) {
	// Zoom delivers events concurrently; the events of one meeting are applied one at a time so that a
	// late "started" cannot overwrite an "ended" read at the same moment.
	mu := &s.eventLocks[uint64(ev.MeetingID)%uint64(len(s.eventLocks))]
	mu.Lock()
	defer mu.Unlock()
	c, err := s.cardFor(ctx, ev)
	if err != nil || c == nil {
		return false, err
	}
	var news string
	switch ev.Type {
	case EventMeetingStarted:
		if !c.Advance(StatusStarted) {
			return false, nil
		}
		c.UUID = ev.UUID
		c.StartedAt = ev.StartTime
		news = s.Text.T(c.CreatorLocale, "card.news_started", "Topic", s.Escape(c.Topic))
	case EventMeetingEnded:
		if !c.Advance(StatusEnded) {
			return false, nil
		}
		if c.UUID == "" {
			c.UUID = ev.UUID
		}
		if !ev.StartTime.IsZero() {
			c.StartedAt = ev.StartTime
		}
		c.EndedAt = ev.EndTime
		if c.EndedAt.IsZero() {
			c.EndedAt = s.Now()
		}
		news = s.Text.T(c.CreatorLocale, "card.news_ended", "Topic", s.Escape(c.Topic),
			"Duration", FormatDuration(s.Text, c.CreatorLocale, c.Duration()))
	default:
		return false, nil
	}
	c.UpdatedAt = s.Now()
	if err := s.Store.UpdateCard(ctx, c); err != nil {
		return false, err
	}
	return true, s.RefreshCard(ctx, c, news)
}

// cardFor finds the card an event is about. A card is matched by its meeting instance UUID; a Personal
// Meeting ID hosts many instances under one meeting id, so a card without a UUID yet (a PMI card waiting
// for its first start) is bound to the newest such card of that meeting id, and only on meeting.started.
func (s *Service) cardFor(ctx context.Context, ev Event) (*Card, error) {
	cards, err := s.Store.CardsByMeeting(ctx, ev.MeetingID)
	if err != nil {
		return nil, err
	}
	for _, c := range cards {
		if ev.UUID != "" && c.UUID == ev.UUID {
			return c, nil
		}
	}
	if ev.Type != EventMeetingStarted {
		return nil, nil
	}
	for _, c := range cards {
		if c.Status == StatusWaiting && (c.Personal || c.UUID == "") {
			return c, nil
		}
	}
	return nil, nil
}
