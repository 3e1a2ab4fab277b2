package meeting

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Zoom event types of scheduled meetings: a change or cancellation made anywhere (mmzoom's own calls
// included, which Zoom reports too).
const (
	EventMeetingUpdated = "meeting.updated"
	EventMeetingDeleted = "meeting.deleted"
)

// resync reads a scheduled meeting from Zoom and makes the schedule, its card and its reminders follow:
// a meeting Zoom no longer knows is cancelled; occurrences Zoom no longer lists are. Zoom is asked rather
// than the event read, so that events applied late or out of order still end in Zoom's current state.
func (s *Service) resync(ctx context.Context, sc *Schedule) error {
	if sc.Cancelled {
		return nil
	}
	sm, err := s.Scheduler.ScheduledMeeting(ctx, s.scheduleOwner(sc), sc.MeetingID)
	switch {
	case KindOf(err) == KindNotFound:
		sc.Cancelled = true
		return s.saveAndShow(ctx, sc)
	case err != nil:
		return err
	}
	if sm.Topic != "" {
		sc.Topic = sm.Topic
	}
	if sc.Subscription && sm.JoinURL != "" {
		sc.JoinURL = sm.JoinURL
	}
	if sm.Duration > 0 {
		sc.Duration = sm.Duration
	}
	if sm.Timezone != "" {
		sc.Timezone = sm.Timezone
	}
	occ := occurrencesOf(sm, sc.Duration)
	// Occurrences that are over stay as they were (Zoom stops listing them).
	var kept []Occurrence
	for _, o := range sc.Occurrences {
		if o.Start.Add(o.Duration).Before(s.Now()) {
			kept = append(kept, o)
		}
	}
	sc.Occurrences = append(kept, occ...)
	// A series with nothing left is over; a subscription stays, so that occurrences the host adds later in
	// Zoom still get their cards (a cancelled schedule is never read back).
	if sc.Next(s.Now()) == nil && sm.Type == 8 && !sc.Subscription {
		sc.Cancelled = true
	}
	if err := s.saveAndShow(ctx, sc); err != nil {
		return err
	}
	return s.scheduleReminders(ctx, sc)
}

// scheduleChanged applies meeting.updated or meeting.deleted to the schedules of the meeting.
func (s *Service) scheduleChanged(ctx context.Context, ev Event) (bool, error) {
	if s.Schedules == nil || s.Scheduler == nil {
		return false, nil
	}
	scs, err := s.Schedules.SchedulesByMeeting(ctx, ev.MeetingID)
	if err != nil {
		return false, err
	}
	changed := false
	for _, sc := range scs {
		if sc.Cancelled {
			continue
		}
		if err := s.resync(ctx, sc); err != nil {
			if sc.Subscription && zoomRefusesFor(err) {
				// A subscription's cached occurrences only feed /zoom list; the meeting's own card (and the
				// other subscriptions) must not wait forever on a subscriber whose Zoom access is gone. Zoom
				// being down or busy, or the store failing, is retried like any event.
				s.Logger.WarnContext(ctx, "refreshing a subscription's occurrences failed", "meeting_id", sc.MeetingID,
					"channel_id", sc.ChannelID, "err", err)
				continue
			}
			return changed, err
		}
		changed = true
	}
	return changed, nil
}

// zoomRefusesFor reports whether err is Zoom refusing the credential a schedule is read with, for good
// (disconnected, refused credentials, no such user): asking again would not help.
func zoomRefusesFor(err error) bool {
	switch KindOf(err) {
	case KindNotConnected, KindCredentialsRefused, KindAccountNotSetUp, KindZoomUserNotFound, KindZoomRejected:
		return true
	}
	return false
}

// scheduledCardFor finds or makes the card a meeting.started (or a first participant_joined) event of a
// scheduled meeting moves: a one-off
// scheduled card becomes the live card; each occurrence of a recurring meeting (scheduled here or
// subscribed to) gets a card of its own, posted when it starts.
func (s *Service) scheduledCardFor(ctx context.Context, ev Event) (*Card, error) {
	if s.Schedules == nil {
		return nil, nil
	}
	scs, err := s.Schedules.SchedulesByMeeting(ctx, ev.MeetingID)
	if err != nil {
		return nil, err
	}
	var first *Card
	for _, sc := range scs {
		if sc.Cancelled {
			continue
		}
		if sc.CardID != 0 && sc.Recurrence == nil {
			c, err := s.Store.Card(ctx, sc.CardID)
			if err != nil {
				return nil, err
			}
			if c.Status == StatusScheduled {
				c.UUID = ev.UUID
				if first == nil {
					first = c
				}
				continue
			}
		}
		if sc.CardID == 0 && !sc.Subscription {
			continue
		}
		c, err := s.occurrenceCard(ctx, sc, ev)
		if err != nil {
			return nil, err
		}
		switch {
		case first == nil:
			first = c
		case ev.Type == EventMeetingStarted:
			if err := s.startOther(ctx, c, ev); err != nil {
				return nil, err
			}
		}
		// On the host's participant_joined (delivered before meeting.started) the further cards stay waiting:
		// ApplyEvent applies the join to every card of the instance, and meeting.started, when it comes, starts
		// them with its start time. Starting them here would leave them without one.
	}
	return first, nil
}

// startOther applies a meeting.started to a further card of the same event (several channels subscribed).
func (s *Service) startOther(ctx context.Context, c *Card, ev Event) error {
	if !c.Advance(StatusStarted) {
		return nil
	}
	c.StartedAt, c.UpdatedAt = ev.StartTime, s.Now()
	if err := s.Store.UpdateCard(ctx, c); err != nil {
		return err
	}
	return s.scheduleRefresh(ctx, c, s.Now())
}

// occurrenceCard posts the card of an occurrence that just started (in the scheduled card's thread when
// there is one) and shows the series card again, now pointing at the next occurrence.
func (s *Service) occurrenceCard(ctx context.Context, sc *Schedule, ev Event) (*Card, error) {
	c := &Card{ChannelID: sc.ChannelID, TeamID: sc.TeamID, RootID: sc.RootID, CreatorID: sc.CreatorID,
		CreatorLocale: sc.CreatorLocale, MeetingID: sc.MeetingID, UUID: ev.UUID, Topic: sc.Topic, ShowPasscode: s.cfg.ShowPasscode,
		Status: StatusWaiting, CreatedAt: s.Now(), UpdatedAt: s.Now()}
	var series *Card
	if sc.CardID != 0 {
		var err error
		if series, err = s.Store.Card(ctx, sc.CardID); err != nil {
			return nil, err
		}
		c.CreatorUsername, c.JoinURL, c.Passcode, c.HostZoomID = series.CreatorUsername, series.JoinURL, series.Passcode, series.HostZoomID
		c.RootID = series.threadRoot()
	} else {
		sm, err := s.Scheduler.ScheduledMeeting(ctx, s.scheduleOwner(sc), sc.MeetingID)
		if err != nil {
			return nil, err
		}
		c.JoinURL, c.Passcode, c.HostZoomID = sm.JoinURL, sm.Password, sm.HostID
		if sm.Topic != "" {
			c.Topic = sm.Topic
		}
		if u, err := s.Chat.User(ctx, sc.CreatorID); err == nil {
			c.CreatorUsername = u.Username
		}
	}
	c.UpdatesInThread = s.cannotEditIn(ctx, c.ChannelID)
	postID, err := s.postCard(ctx, c)
	if err != nil {
		return nil, err
	}
	c.PostID = postID
	if err := s.Store.CreateCard(ctx, c); err != nil {
		return nil, err
	}
	if series != nil {
		// The series card now points at the occurrence after this one.
		if err := s.scheduleRefresh(ctx, series, s.Now()); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// scheduleReminders enqueues a reminder job for each occurrence still to come. A job's key names the
// schedule and the occurrence's start, so scheduling again adds only what is new; a job whose occurrence was
// cancelled or moved finds nothing to remind of when it runs.
func (s *Service) scheduleReminders(ctx context.Context, sc *Schedule) error {
	if s.Queue == nil || s.cfg.ReminderLead <= 0 || sc.Cancelled || sc.Subscription {
		return nil
	}
	added := false
	for _, o := range sc.Occurrences {
		if o.Cancelled || !o.Start.After(s.Now()) {
			continue
		}
		at := o.Start.Add(-s.cfg.ReminderLead)
		if at.Before(s.Now()) {
			at = s.Now()
		}
		// CreatedAt is when the job becomes due: a reminder failing while Mattermost is down is retried for
		// as long as any job is, counted from then.
		ok, err := s.Queue.Enqueue(ctx, &Job{Key: reminderKey(sc.ID, o.Start), Kind: JobReminder, CardID: sc.ID, NotBefore: at, CreatedAt: at})
		if err != nil {
			return err
		}
		added = added || ok
	}
	if added && s.wakeQueue != nil {
		s.wakeQueue()
	}
	return nil
}

func reminderKey(scheduleID int64, start time.Time) string {
	return "reminder:" + itoa(scheduleID) + ":" + itoa(start.UnixMilli())
}

// remind posts the reminder of job j, unless its occurrence was cancelled, moved or is over.
func (s *Service) remind(ctx context.Context, j *Job) error {
	id, start, ok := parseReminderKey(j.Key)
	if !ok || s.Schedules == nil {
		return nil
	}
	sc, err := s.Schedules.Schedule(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	o := sc.OccurrenceAt(start)
	if sc.Cancelled || o == nil || !s.Now().Before(o.Start.Add(o.Duration)) {
		s.Logger.InfoContext(ctx, "a reminder was not sent: its occurrence was cancelled, moved or is over", "job", j.Key)
		return nil
	}
	c, err := s.Store.Card(ctx, sc.CardID)
	if err != nil {
		return err
	}
	if sc.Recurrence == nil && c.Status != StatusScheduled {
		// The host started it early (or it was cancelled): the channel has seen that already.
		return nil
	}
	root := c.threadRoot()
	if s.cfg.ReminderInChannel {
		root = c.RootID
	}
	mins := int(o.Start.Sub(s.Now()).Round(time.Minute) / time.Minute)
	key := "schedule.reminder"
	if mins <= 0 {
		key = "schedule.reminder_now"
	}
	msg := s.Text.T(sc.CreatorLocale, key, "Topic", s.Escape(sc.Topic), "Minutes", mins, "JoinURL", c.JoinURL,
		"When", formatWhen(sc.CreatorLocale, o.Start, sc.Location()))
	_, err = s.Chat.CreatePost(ctx, &Post{ChannelID: sc.ChannelID, RootID: root, Message: msg})
	return err
}

// parseReminderKey reads "reminder:<schedule id>:<start in Unix ms>".
func parseReminderKey(key string) (int64, time.Time, bool) {
	rest, ok := strings.CutPrefix(key, "reminder:")
	a, b, ok2 := strings.Cut(rest, ":")
	id, err1 := strconv.ParseInt(a, 10, 64)
	ms, err2 := strconv.ParseInt(b, 10, 64)
	return id, time.UnixMilli(ms), ok && ok2 && err1 == nil && err2 == nil
}

// occurrenceEnded shows a series card again when one of its occurrences ended, so that it points at the
// next one.
func (s *Service) occurrenceEnded(ctx context.Context, c *Card) error {
	if s.Schedules == nil {
		return nil
	}
	scs, err := s.Schedules.SchedulesByMeeting(ctx, c.MeetingID)
	if err != nil {
		return err
	}
	for _, sc := range scs {
		if sc.CardID == 0 || sc.CardID == c.ID || sc.Recurrence == nil || sc.Cancelled {
			continue
		}
		series, err := s.Store.Card(ctx, sc.CardID)
		if err != nil {
			return err
		}
		if err := s.scheduleRefresh(ctx, series, s.Now()); err != nil {
			return err
		}
	}
	return nil
}
