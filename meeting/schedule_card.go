package meeting

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// A scheduled card shows a meeting before it starts: topic, the next start in the scheduler's terms with
// its UTC offset, duration, the recurrence in words, the Join link with its passcode, and the host's
// controls (cancel the next occurrence or the whole meeting, reschedule). Everybody sees the buttons (a
// Mattermost post looks the same to all); a click by anyone but the host is refused with an explanation.

// Props of scheduled cards, for the webapp plugin: it shows the start in each reader's own timezone.
const (
	PropScheduledStart    = "meeting_scheduled_start"    // RFC 3339 UTC: the next occurrence's start
	PropScheduledTimezone = "meeting_scheduled_timezone" // the scheduler's IANA timezone
	PropScheduledMinutes  = "meeting_scheduled_minutes"  // planned duration in minutes
	PropRecurrence        = "meeting_recurrence"         // the recurrence in words (creator's language), "" for one-off
)

const colorScheduled = "#6B8E23"

var weekdaysJa = [...]string{"日", "月", "火", "水", "木", "金", "土"}

// formatWhen writes a start for people in the given language and timezone, with the UTC offset:
// "Thu, Dec 10, 2026 14:30 (UTC+09:00)" or "2026年12月10日(木) 14:30 (UTC+09:00)".
func formatWhen(lang string, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	off := " (UTC" + t.Format("-07:00") + ")"
	if lang == "ja" {
		return t.Format("2006年1月2日") + "(" + weekdaysJa[t.Weekday()] + ") " + t.Format("15:04") + off
	}
	return t.Format("Mon, Jan 2, 2006 15:04") + off
}

// RecurrenceText is a schedule's recurrence in words, in lang; "" for a one-off meeting.
func (s *Service) RecurrenceText(lang string, sc *Schedule) string {
	r := sc.Recurrence
	if r == nil || len(sc.Occurrences) == 0 {
		return ""
	}
	first := sc.Occurrences[0].Start.In(sc.Location())
	var text string
	switch r.Repeat {
	case RepeatDaily:
		text = s.Text.T(lang, "schedule.every_day")
	case RepeatWeekly:
		text = s.Text.T(lang, "schedule.every_week", "Weekday", s.Text.T(lang, "weekday."+strconv.Itoa(int(first.Weekday()))))
	case RepeatMonthly:
		text = s.Text.T(lang, "schedule.every_month", "Day", first.Day())
	default:
		return ""
	}
	switch {
	case r.Count > 0:
		text += s.Text.T(lang, "schedule.times", "N", r.Count)
	case !r.Until.IsZero():
		text += s.Text.T(lang, "schedule.until", "Date", formatDate(lang, r.Until.In(sc.Location())))
	}
	return text
}

func formatDate(lang string, t time.Time) string {
	if lang == "ja" {
		return t.Format("2006年1月2日")
	}
	return t.Format("Jan 2, 2006")
}

// scheduledPost renders a scheduled (or cancelled) card.
func (s *Service) scheduledPost(c *Card) *Post {
	sc := c.Schedule
	loc := c.CreatorLocale
	t := func(key string, args ...any) string { return s.Text.T(loc, key, args...) }
	topic := s.Escape(c.Topic)
	zone := sc.Location()
	next := sc.Next(s.Now())
	props := c.Props()
	props[PropScheduledTimezone] = sc.Timezone
	props[PropScheduledMinutes] = int64(sc.Duration / time.Minute)
	props[PropRecurrence] = s.RecurrenceText(loc, sc)
	att := Attachment{Title: topic, Color: colorScheduled, Footer: t("schedule.card.footer", "Username", c.CreatorUsername),
		Fields: []Field{{Title: t("card.meeting_id"), Value: formatMeetingID(c.MeetingID), Short: true}}}
	var msg string
	switch {
	case c.Status == StatusCancelled || next == nil:
		att.Color = colorEnded
		att.Text = t("schedule.card.cancelled")
		msg = t("schedule.card.message_cancelled", "Topic", topic)
		if c.Status != StatusCancelled {
			att.Text = t("schedule.card.over")
			msg = t("schedule.card.message_over", "Topic", topic)
		}
	default:
		props[PropScheduledStart] = stamp(next.Start)
		when := formatWhen(loc, next.Start, zone)
		att.TitleLink = c.JoinURL
		att.Text = t("schedule.card.text", "When", when, "JoinURL", c.JoinURL)
		att.Fields = append(att.Fields, Field{Title: t("schedule.card.when"), Value: when, Short: false},
			Field{Title: t("card.duration"), Value: FormatDuration(s.Text, loc, next.Duration), Short: true})
		if r := s.RecurrenceText(loc, sc); r != "" {
			att.Fields = append(att.Fields, Field{Title: t("schedule.card.repeats"), Value: r, Short: true})
		}
		msg = t("schedule.card.message", "Topic", topic, "When", when, "JoinURL", c.JoinURL, "Username", c.CreatorUsername)
		att.Buttons = s.hostButtons(c, sc, next)
	}
	if c.ShowsPasscode() {
		att.Fields = append(att.Fields, Field{Title: t("card.passcode"), Value: "`" + c.Passcode + "`", Short: true})
	}
	if c.UpdatesInThread {
		att.Text += "\n" + t("card.updates_in_thread")
	}
	return &Post{ChannelID: c.ChannelID, RootID: c.RootID, Type: PostType, Message: msg, Props: props, Attachments: []Attachment{att}}
}

// hostButtons are the host's controls. They work for anyone's click (the host is checked on the click) until
// the last occurrence is over.
func (s *Service) hostButtons(c *Card, sc *Schedule, next *Occurrence) []Button {
	loc := c.CreatorLocale
	if len(sc.Occurrences) == 0 {
		return nil
	}
	last := sc.Occurrences[len(sc.Occurrences)-1]
	expires := last.Start.Add(last.Duration + 24*time.Hour)
	mk := func(id, label, action, style string, args map[string]string) Button {
		args["schedule"] = strconv.FormatInt(sc.ID, 10)
		return Button{ID: id, Name: s.Text.T(loc, label), Style: style,
			Action: Action{Name: action, ChannelID: c.ChannelID, Args: args, Expires: expires}}
	}
	var out []Button
	if sc.Recurrence != nil {
		out = append(out, mk("cancelnext", "schedule.button.cancel_next", ActionCancelOccurrence, "default",
			map[string]string{"occurrence": next.ID, "start": strconv.FormatInt(next.Start.UnixMilli(), 10)}),
			mk("cancelseries", "schedule.button.cancel_series", ActionCancelSeries, "danger", map[string]string{}))
	} else {
		out = append(out, mk("cancel", "schedule.button.cancel", ActionCancelSeries, "danger", map[string]string{}))
	}
	return append(out, mk("reschedule", "schedule.button.reschedule", ActionReschedule, "primary", map[string]string{}))
}

// attachSchedule loads the schedule a scheduled or cancelled card shows.
func (s *Service) attachSchedule(ctx context.Context, c *Card) error {
	if s.Schedules == nil || c.Schedule != nil || (c.Status != StatusScheduled && c.Status != StatusCancelled) {
		return nil
	}
	sc, err := s.Schedules.ScheduleByCard(ctx, c.ID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	c.Schedule = sc
	return nil
}

// hostControl checks a click on a scheduled card's control: only the host may use them. Anyone else gets a
// reply saying so, and nothing changes.
func (s *Service) hostControl(ctx context.Context, a Action, userID string) (*Schedule, *ChatUser, *Reply, error) {
	if s.Schedules == nil {
		return nil, nil, nil, &Error{Kind: KindActionInvalid}
	}
	id, _ := strconv.ParseInt(a.Args["schedule"], 10, 64)
	sc, err := s.Schedules.Schedule(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	user, err := s.Chat.User(ctx, userID)
	if err != nil {
		return nil, nil, nil, err
	}
	if sc.CreatorID != userID || sc.ChannelID != a.ChannelID {
		host := ""
		if h, err := s.Chat.User(ctx, sc.CreatorID); err == nil {
			host = h.Username
		}
		s.Logger.InfoContext(ctx, "a scheduled meeting's control was refused to someone other than its host", "user_id", userID, "action", a.Name)
		return nil, nil, &Reply{Text: s.Text.T(user.Locale, "schedule.not_host", "Username", host)}, nil
	}
	if sc.Cancelled {
		return nil, nil, &Reply{Text: s.Text.T(user.Locale, "schedule.already_cancelled")}, nil
	}
	return sc, user, nil, nil
}

// cancelScheduled cancels the next occurrence or the whole meeting in Zoom; the card and reminders follow.
func (s *Service) cancelScheduled(ctx context.Context, a Action, userID string) (*Reply, error) {
	sc, user, reply, err := s.hostControl(ctx, a, userID)
	if reply != nil || err != nil {
		return reply, err
	}
	occ := ""
	if a.Name == ActionCancelOccurrence {
		occ = a.Args["occurrence"]
		start, _ := strconv.ParseInt(a.Args["start"], 10, 64)
		if o := sc.OccurrenceAt(time.UnixMilli(start)); o == nil || o.ID != occ || occ == "" {
			return &Reply{Text: s.Text.T(user.Locale, "schedule.already_cancelled")}, nil
		}
	}
	err = s.Scheduler.DeleteMeeting(ctx, s.scheduleOwner(sc), sc.MeetingID, occ)
	if err != nil && KindOf(err) != KindNotFound {
		return nil, err
	}
	var when string
	if occ != "" {
		for i := range sc.Occurrences {
			if sc.Occurrences[i].ID == occ {
				sc.Occurrences[i].Cancelled = true
				when = formatWhen(user.Locale, sc.Occurrences[i].Start, userLocation(user))
			}
		}
		if sc.Next(s.Now()) == nil {
			sc.Cancelled = true
		}
	} else {
		sc.Cancelled = true
	}
	if err := s.saveAndShow(ctx, sc); err != nil {
		return nil, err
	}
	if occ != "" && !sc.Cancelled {
		return &Reply{Text: s.Text.T(user.Locale, "schedule.cancelled_one", "Topic", s.Escape(sc.Topic), "When", when)}, nil
	}
	return &Reply{Text: s.Text.T(user.Locale, "schedule.cancelled", "Topic", s.Escape(sc.Topic))}, nil
}

// saveAndShow stores a schedule and shows its card again (cancelled when the schedule is).
func (s *Service) saveAndShow(ctx context.Context, sc *Schedule) error {
	sc.UpdatedAt = s.Now()
	if err := s.Schedules.SaveSchedule(ctx, sc); err != nil {
		return err
	}
	if sc.CardID == 0 {
		return nil
	}
	return s.withCard(ctx, sc.CardID, func(c *Card) error {
		if sc.Cancelled && c.Status == StatusScheduled {
			c.Status = StatusCancelled
		}
		c.Topic, c.UpdatedAt = sc.Topic, s.Now()
		if err := s.Store.UpdateCard(ctx, c); err != nil {
			return err
		}
		return s.scheduleRefresh(ctx, c, s.Now())
	})
}

// runningOrWaiting keeps the cards of meetings that were started or are waiting for their host: a meeting
// scheduled for later, or cancelled, is not "running here" for the recent-meeting question.
func runningOrWaiting(cards []*Card) []*Card {
	out := cards[:0:0]
	for _, c := range cards {
		if c.Status == StatusWaiting || c.Status == StatusStarted {
			out = append(out, c)
		}
	}
	return out
}

// recheckScheduled ends a scheduled card only once its last occurrence is long over without Zoom saying it
// started; before that it is only marked checked.
func (s *Service) recheckScheduled(ctx context.Context, c *Card) (bool, error) {
	if err := s.attachSchedule(ctx, c); err != nil || c.Schedule == nil || len(c.Schedule.Occurrences) == 0 {
		return false, s.touch(ctx, c.ID, err)
	}
	last := c.Schedule.Occurrences[len(c.Schedule.Occurrences)-1]
	if s.Now().Before(last.Start.Add(last.Duration + expireAfter)) {
		return false, s.touch(ctx, c.ID, nil)
	}
	return s.endCard(ctx, c.ID, time.Time{}, s.Now())
}
