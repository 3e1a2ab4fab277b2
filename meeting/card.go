package meeting

import (
	"fmt"
	"strings"
	"time"
)

// PropsSchemaVersion is the version of the card props contract (testdata/card_props.golden.json). Bump it
// when a key changes meaning; the webapp plugin renders only versions it knows.
const PropsSchemaVersion = 1

// Card props keys: the public contract between mmzoom and the webapp plugin. Times are RFC 3339 in UTC,
// durations whole seconds, the meeting id a decimal string (JavaScript numbers cannot hold every int64).
const (
	PropSchema       = "mmzoom_schema"
	PropMeetingID    = "meeting_id"
	PropUUID         = "meeting_uuid"
	PropTopic        = "meeting_topic"
	PropJoinURL      = "meeting_join_url"
	PropPasscode     = "meeting_passcode" // absent when the card does not show the passcode
	PropPersonal     = "meeting_personal"
	PropStatus       = "meeting_status"
	PropCreatorID    = "meeting_creator_id"
	PropCreator      = "meeting_creator_username"
	PropCreatedAt    = "meeting_created_at"
	PropStartedAt    = "meeting_started_at" // absent until Zoom says the meeting started
	PropEndedAt      = "meeting_ended_at"   // absent until Zoom says the meeting ended
	PropDuration     = "meeting_duration_seconds"
	PropParticipants = "meeting_participant_count"
	PropRecording    = "meeting_recording_url" // absent until Zoom says a cloud recording is ready
	// PropUpdatesInThread is true on a card the bot can never edit: its news follows in its thread.
	PropUpdatesInThread = "meeting_updates_in_thread"
)

// Props of a thread reply announcing a card's new state (cards with PropUpdatesInThread): the webapp plugin
// shows the newest of them in the card itself.
const (
	PropCardPostID = "mmzoom_card_post_id" // the card the reply is about
	PropCard       = "mmzoom_card"         // the card's props as of the reply
)

// Card colours, as Mattermost attachment colours.
const (
	colorLive  = "#2D8CFF" // Zoom blue
	colorEnded = "#8C8C8C"
)

// ShowsPasscode reports whether the card shows the passcode: when the admin wants it shown, and always
// when Zoom's join link does not carry it (nobody could join with one click otherwise).
func (c *Card) ShowsPasscode() bool {
	return c.Passcode != "" && (c.ShowPasscode || !strings.Contains(c.JoinURL, "pwd="))
}

// Props builds the card's props from its stored state; edits rebuild them whole because Mattermost replaces
// the whole props map on a patch.
func (c *Card) Props() map[string]any {
	p := map[string]any{
		PropSchema:       PropsSchemaVersion,
		PropMeetingID:    c.MeetingIDString(),
		PropUUID:         c.UUID,
		PropTopic:        c.Topic,
		PropJoinURL:      c.JoinURL,
		PropPersonal:     c.Personal,
		PropStatus:       string(c.Status),
		PropCreatorID:    c.CreatorID,
		PropCreator:      c.CreatorUsername,
		PropCreatedAt:    stamp(c.CreatedAt),
		PropParticipants: c.Participants,
	}
	if c.ShowsPasscode() {
		p[PropPasscode] = c.Passcode
	}
	if !c.StartedAt.IsZero() {
		p[PropStartedAt] = stamp(c.StartedAt)
	}
	if !c.EndedAt.IsZero() {
		p[PropEndedAt] = stamp(c.EndedAt)
	}
	if c.Status == StatusEnded {
		p[PropDuration] = int64(c.Duration() / time.Second)
	}
	if c.RecordingURL != "" {
		p[PropRecording] = c.RecordingURL
	}
	if c.UpdatesInThread {
		p[PropUpdatesInThread] = true
	}
	return p
}

// ReplyProps are the props of a thread reply announcing the card's current state.
func (c *Card) ReplyProps() map[string]any {
	return map[string]any{PropSchema: PropsSchemaVersion, PropCardPostID: c.PostID, PropCard: c.Props()}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// CardPost renders a card as a bot post: the props contract for the webapp plugin, plus a message and an
// attachment for clients without it (mobile apps, servers without the plugin). The message stays the same
// for the card's whole life, since Mattermost's edit time limit can refuse message edits.
func (s *Service) CardPost(c *Card) *Post {
	if c.Schedule != nil && (c.Status == StatusScheduled || c.Status == StatusCancelled) {
		return s.scheduledPost(c)
	}
	loc := c.CreatorLocale
	t := func(key string, args ...any) string { return s.Text.T(loc, key, args...) }
	topic := s.Escape(c.Topic)
	att := Attachment{
		Fallback: t("card.fallback", "Topic", topic, "JoinURL", c.JoinURL),
		Color:    colorLive,
		Title:    topic,
		Footer:   t("card.footer", "Username", c.CreatorUsername),
		Fields:   []Field{{Title: t("card.meeting_id"), Value: formatMeetingID(c.MeetingID), Short: true}},
	}
	if c.ShowsPasscode() {
		att.Fields = append(att.Fields, Field{Title: t("card.passcode"), Value: "`" + c.Passcode + "`", Short: true})
	}
	switch c.Status {
	case StatusEnded:
		att.Color = colorEnded
		att.Text = t("card.status_ended")
		if d := c.Duration(); d > 0 {
			att.Fields = append(att.Fields, Field{Title: t("card.duration"), Value: FormatDuration(s.Text, loc, d), Short: true})
		}
	case StatusStarted:
		att.TitleLink = c.JoinURL
		att.Text = t("card.status_started", "JoinURL", c.JoinURL)
		if c.Participants > 0 {
			att.Fields = append(att.Fields, Field{Title: t("card.participants"), Value: fmt.Sprint(c.Participants), Short: true})
		}
	default:
		att.TitleLink = c.JoinURL
		att.Text = t("card.status_waiting", "JoinURL", c.JoinURL)
	}
	if c.UpdatesInThread {
		att.Text += "\n" + t("card.updates_in_thread")
	}
	return &Post{
		ChannelID:   c.ChannelID,
		RootID:      c.RootID,
		Type:        PostType,
		Message:     s.cardMessage(c, topic),
		Props:       c.Props(),
		Attachments: []Attachment{att},
	}
}

// cardMessage is the card's message: what a reader sees where neither the webapp plugin nor attachments
// render it (mobile notifications, a server without the plugin, a failed plugin): readable Markdown whose
// Join link is clickable while the meeting can be joined.
func (s *Service) cardMessage(c *Card, topic string) string {
	loc := c.CreatorLocale
	var m string
	switch {
	case c.Status == StatusEnded && c.StartedAt.IsZero():
		m = s.Text.T(loc, "card.message_expired", "Topic", topic)
	case c.Status == StatusEnded:
		m = s.Text.T(loc, "card.message_ended", "Topic", topic, "Duration", FormatDuration(s.Text, loc, c.Duration()))
	case c.Status == StatusStarted:
		m = s.Text.T(loc, "card.message_started", "Topic", topic, "JoinURL", c.JoinURL)
	default:
		m = s.Text.T(loc, "card.message_waiting", "Topic", topic, "JoinURL", c.JoinURL, "Username", c.CreatorUsername)
	}
	if c.UpdatesInThread {
		m += "\n" + s.Text.T(loc, "card.updates_in_thread")
	}
	return m
}

// formatMeetingID groups a meeting id the way Zoom shows it: 123 4567 8901.
func formatMeetingID(id int64) string {
	s := fmt.Sprint(id)
	if len(s) < 9 {
		return s
	}
	cut := len(s) - 8
	return s[:cut] + " " + s[cut:cut+4] + " " + s[cut+4:]
}

// FormatDuration writes a meeting duration for people: "1 h 5 min", "45 min", "less than a minute".
func FormatDuration(t Translator, loc string, d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 1:
		return t.T(loc, "duration.under_minute")
	case m < 60:
		return t.T(loc, "duration.minutes", "M", m)
	case m%60 == 0:
		return t.T(loc, "duration.hours", "H", m/60)
	}
	return t.T(loc, "duration.hours_minutes", "H", m/60, "M", m%60)
}
