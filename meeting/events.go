package meeting

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Event is what Zoom says happened (from a verified webhook).
type Event struct {
	Type      string
	MeetingID int64
	UUID      string
	StartTime time.Time
	EndTime   time.Time
	// Participant events: who (a key stable across join and leave) and when.
	Participant     string
	ParticipantName string
	At              time.Time
	// Recording is set for recording.completed.
	Recording *Recording
	// ZoomUserID and DeauthorizedAt are set for app_deauthorized.
	ZoomUserID     string
	DeauthorizedAt time.Time
	// Summary is set for the meeting.summary_* events.
	Summary *Summary
	// Files are the transcript and chat files of recording.transcript_completed and recording.completed;
	// DownloadToken opens them. The token is a secret: it lives only in the sealed event, never in a log.
	Files         []RecordingFile
	DownloadToken string
}

// Recording is a meeting's finished cloud recording.
type Recording struct {
	ShareURL string
	PlayURLs []string
	Passcode string // shown only when the admin allows it
}

// Zoom event types mmzoom acts on.
const (
	EventMeetingStarted     = "meeting.started"
	EventMeetingEnded       = "meeting.ended"
	EventParticipantJoined  = "meeting.participant_joined"
	EventParticipantLeft    = "meeting.participant_left"
	EventRecordingCompleted = "recording.completed"
	EventAppDeauthorized    = "app_deauthorized"
)

// Handled reports whether mmzoom acts on events of type t (others are acknowledged and ignored).
func Handled(t string) bool {
	switch t {
	case EventMeetingStarted, EventMeetingEnded, EventParticipantJoined, EventParticipantLeft, EventRecordingCompleted, EventAppDeauthorized,
		EventTranscriptCompleted, EventMeetingUpdated, EventMeetingDeleted:
		return true
	}
	return isSummaryEvent(t)
}

// DedupeKey identifies an event across Zoom's repeated deliveries of it. Zoom sends no event id, so the key
// is built from what makes each event type unique: the meeting instance (UUID) for started, ended and
// recordings; the instance, participant and time for joins and leaves; the user and time for
// deauthorizations.
func (e Event) DedupeKey() string {
	inst := e.UUID
	if inst == "" {
		inst = itoa(e.MeetingID) + "@" + stampMS(e.StartTime)
	}
	switch e.Type {
	case EventParticipantJoined, EventParticipantLeft:
		return e.Type + ":" + inst + ":" + e.Participant + ":" + stampMS(e.At)
	case EventAppDeauthorized:
		return e.Type + ":" + e.ZoomUserID + ":" + stampMS(e.DeauthorizedAt)
	case EventSummaryUpdated, EventSummaryRecovered, EventSummaryTrashed, EventSummaryDeleted:
		// A summary changes many times; each change is its own event (completed stays once per instance).
		at := e.At
		if e.Summary != nil && !e.Summary.Modified.IsZero() {
			at = e.Summary.Modified
		}
		return e.Type + ":" + inst + ":" + stampMS(at)
	case EventMeetingUpdated, EventMeetingDeleted:
		// A meeting changes many times: each change is told apart by its time (event_ts).
		return e.Type + ":" + itoa(e.MeetingID) + ":" + stampMS(e.At)
	}
	return e.Type + ":" + inst
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func stampMS(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return itoa(t.UnixMilli())
}

// participantCoalesce is the least time between two card edits caused by participants joining and leaving.
const participantCoalesce = 5 * time.Second

// ApplyEvent applies a Zoom event: the matching card moves forward and is shown again, participants are
// counted, recordings announced, deauthorized tokens forgotten. It reports whether anything changed; an
// event for no known card, or one that would move a card backwards, changes nothing.
func (s *Service) ApplyEvent(ctx context.Context, ev Event) (bool, error) {
	if ev.Type == EventAppDeauthorized {
		return s.deauthorized(ctx, ev)
	}
	if ev.Type == EventMeetingUpdated || ev.Type == EventMeetingDeleted {
		// Not under the meeting's lock: the schedule's card is changed under it (withCard).
		return s.scheduleChanged(ctx, ev)
	}
	// Zoom delivers events concurrently, to any replica; the events of one meeting are applied one at a time
	// so that a late "started" cannot overwrite an "ended" read at the same moment.
	unlock, err := s.Locker.LockMeeting(ctx, ev.MeetingID)
	if err != nil {
		return false, err
	}
	defer unlock()
	cards, err := s.Store.CardsByMeeting(ctx, ev.MeetingID)
	if err != nil {
		return false, err
	}
	c := cardFor(cards, ev)
	// A new instance of a scheduled meeting gets its card on whichever comes first of meeting.started and the
	// host's participant_joined: Zoom sends both at once and delivers them in either order.
	created := false
	if c == nil && (ev.Type == EventMeetingStarted || ev.Type == EventParticipantJoined) {
		if c, err = s.scheduledCardFor(ctx, ev); err != nil {
			return false, err
		}
		created = true
	}
	if c == nil {
		return false, nil
	}
	changed, err := s.applyToCard(ctx, ev, c)
	if err != nil {
		return changed, err
	}
	if created {
		// The channels subscribed to the meeting got their cards of the instance just now.
		if cards, err = s.Store.CardsByMeeting(ctx, ev.MeetingID); err != nil {
			return changed, err
		}
	}
	for _, o := range othersOfInstance(cards, c, ev) {
		ch, err := s.applyToCard(ctx, ev, o)
		if err != nil {
			return changed, err
		}
		changed = changed || ch
	}
	return changed, nil
}

// othersOfInstance are the cards besides c of ev's meeting instance, which the event moves together with c:
// channels subscribed to one meeting each have a card of the same instance. They are found among the meeting
// id's cards read for the event, so the common case (one card) costs no further look-up.
func othersOfInstance(cards []*Card, c *Card, ev Event) []*Card {
	if ev.UUID == "" {
		return nil
	}
	var out []*Card
	for _, o := range cards {
		if o.ID != c.ID && o.UUID == ev.UUID {
			out = append(out, o)
		}
	}
	return out
}

// applyToCard applies a meeting event to one card (the caller holds the meeting's lock).
func (s *Service) applyToCard(ctx context.Context, ev Event, c *Card) (bool, error) {
	refreshAt := s.Now()
	switch ev.Type {
	case EventMeetingStarted:
		if !c.Advance(StatusStarted) {
			return false, s.ensureShown(ctx, c, StatusStarted)
		}
		c.UUID = ev.UUID
		c.StartedAt = ev.StartTime
	case EventMeetingEnded:
		if !c.Advance(StatusEnded) {
			return false, s.ensureShown(ctx, c, StatusEnded)
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
	case EventParticipantJoined, EventParticipantLeft:
		if changed, err := s.applyPresence(ctx, c, ev); err != nil || !changed {
			return false, err
		}
		refreshAt = refreshAt.Add(participantCoalesce)
	case EventRecordingCompleted:
		changed, err := s.recordingReady(ctx, c, ev)
		if err != nil {
			return changed, err
		}
		posted, err := s.postFile(ctx, c, ev, ReplyChat)
		return changed || posted, err
	case EventTranscriptCompleted:
		return s.postFile(ctx, c, ev, ReplyTranscript)
	case EventSummaryCompleted, EventSummaryUpdated, EventSummaryRecovered, EventSummaryTrashed, EventSummaryDeleted:
		return s.applySummary(ctx, c, ev)
	default:
		return false, nil
	}
	c.UpdatedAt = s.Now()
	if err := s.Store.UpdateCard(ctx, c); err != nil {
		return false, err
	}
	if ev.Type == EventMeetingEnded {
		if err := s.occurrenceEnded(ctx, c); err != nil {
			return false, err
		}
	}
	return true, s.scheduleRefresh(ctx, c, refreshAt)
}

// applyPresence records ev's participant joining or leaving card c's meeting and reports whether c changed
// (its count, or the instance a join bound it to); the caller writes c.
func (s *Service) applyPresence(ctx context.Context, c *Card, ev Event) (bool, error) {
	ps := presences(c, []Event{ev})
	if len(ps) == 0 {
		return false, nil
	}
	counts, err := s.Store.SetParticipants(ctx, ps)
	if err != nil {
		return false, err
	}
	return countPresence(c, counts[c.ID], ev.UUID), nil
}

// ensureShown schedules a refresh for a card already at status st that its channel has not been shown: a
// process killed between storing the new status and scheduling the refresh leaves exactly that, and the
// event's redelivery (or the job's rerun) must finish the work rather than find nothing to do.
func (s *Service) ensureShown(ctx context.Context, c *Card, st Status) error {
	if c.Status != st || c.Announced == st {
		return nil
	}
	return s.scheduleRefresh(ctx, c, s.Now())
}

// cardFor finds the card an event is about among its meeting id's cards (newest first). A card is matched
// by its meeting instance UUID; a Personal Meeting ID hosts many instances under one meeting id, so a card
// without a UUID yet (a PMI card waiting for its first start) is bound to the newest such card of that
// meeting id, on meeting.started or on a participant joining (whichever of the two Zoom delivers first).
func cardFor(cards []*Card, ev Event) *Card {
	for _, c := range cards {
		if ev.UUID != "" && c.UUID == ev.UUID {
			return c
		}
	}
	// Zoom delivers events concurrently: the host's participant_joined (sent right after meeting.started)
	// may arrive first, and must bind the card just as the start would.
	if ev.Type != EventMeetingStarted && ev.Type != EventParticipantJoined {
		return nil
	}
	for _, c := range cards {
		if c.Status == StatusWaiting && (c.Personal || c.UUID == "") {
			return c
		}
	}
	return nil
}

// recordingReady announces a meeting's recording in the card's thread and links it from the card.
func (s *Service) recordingReady(ctx context.Context, c *Card, ev Event) (bool, error) {
	r := ev.Recording
	if r == nil || (r.ShareURL == "" && len(r.PlayURLs) == 0) {
		return false, nil
	}
	link := r.ShareURL
	if link == "" {
		link = r.PlayURLs[0]
	}
	if !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		return false, nil
	}
	t := func(key string, args ...any) string { return s.Text.T(c.CreatorLocale, key, args...) }
	msg := t("recording.ready", "Topic", s.Escape(c.Topic), "URL", link)
	if s.cfg.ShowRecordingPasscode && r.Passcode != "" {
		msg += "\n" + t("recording.passcode", "Passcode", s.Escape(r.Passcode))
	}
	if c.RecordingURL != "" {
		return false, nil // announced already (the event's dedupe key is the instance; this guards restarts)
	}
	_, err := s.postRecorded(ctx, "recording:"+itoa(c.ID), &Post{ChannelID: c.ChannelID, RootID: c.threadRoot(), Message: msg}, func(string) error {
		c.RecordingURL, c.UpdatedAt = link, s.Now()
		return s.Store.UpdateCard(ctx, c)
	})
	if err != nil {
		return false, err
	}
	return true, s.scheduleRefresh(ctx, c, s.Now())
}

// deauthorized forgets the tokens of a Zoom user who removed mmzoom in Zoom, and tells the Mattermost user.
// A user who disconnected with /zoom disconnect has no tokens left, so is not told again.
func (s *Service) deauthorized(ctx context.Context, ev Event) (bool, error) {
	if ev.ZoomUserID == "" {
		return false, nil
	}
	owners, err := s.Store.TokenOwners(ctx, ev.ZoomUserID)
	if err != nil {
		return false, err
	}
	for _, o := range owners {
		if err := s.Store.DeleteToken(ctx, o); err != nil {
			return false, err
		}
		s.Logger.InfoContext(ctx, "Zoom deauthorized mmzoom; the tokens were deleted", "owner", string(o))
		userID, ok := strings.CutPrefix(string(o), "user:")
		if !ok {
			continue
		}
		loc := s.Locale(ctx, userID)
		if _, err := s.Chat.SendDirect(ctx, userID, &Post{Message: s.Text.T(loc, "deauthorized.dm")}); err != nil {
			// The tokens are gone either way; the notice is best effort.
			s.Logger.WarnContext(ctx, "telling a user about the deauthorization failed", "user_id", userID, "err", err)
		}
	}
	return len(owners) > 0, nil
}

// RefreshCard shows a card's current state in its channel: the post is edited in place (props rebuilt whole
// from the stored card). A bot holding system_post_all can post in any channel without being a member, but
// may edit a post only where it is a member: in a public channel it joins and edits; elsewhere the change of
// state (started, ended) is announced once as a reply in the card's thread.
func (s *Service) RefreshCard(ctx context.Context, c *Card) error {
	if err := s.attachSchedule(ctx, c); err != nil {
		return err
	}
	p := s.CardPost(c)
	var err error = ErrForbidden // a card known to be uneditable is not tried (a 403 each time)
	if !c.UpdatesInThread {
		err = s.Chat.PatchPost(ctx, c.PostID, p)
	}
	if errors.Is(err, ErrForbidden) && !c.UpdatesInThread {
		// Only Mattermost's refusal (the channel is not public, or the bot may not read or join it) makes
		// this a card that cannot be edited. Any other failure is passed on to be retried: taken for a
		// refusal, it would announce the news in the thread and leave the card showing an old status for good.
		ch, cerr := s.Chat.Channel(ctx, c.ChannelID)
		if cerr != nil && !refused(cerr) {
			return cerr
		}
		if cerr == nil && ch.Type == ChannelOpen {
			jerr := s.Chat.JoinChannel(ctx, c.ChannelID)
			if jerr != nil && !refused(jerr) {
				return jerr
			}
			if jerr == nil {
				err = s.Chat.PatchPost(ctx, c.PostID, p)
			}
		}
	}
	if err == nil {
		return s.markAnnounced(ctx, c)
	}
	if !errors.Is(err, ErrForbidden) {
		return err
	}
	if c.Announced == c.Status || c.Status == StatusWaiting || c.Status == StatusScheduled {
		return nil // nothing new to say where the card cannot be edited (participant counts, for example)
	}
	var news string
	switch c.Status {
	case StatusStarted:
		news = s.Text.T(c.CreatorLocale, "card.news_started", "Topic", s.Escape(c.Topic))
	case StatusEnded:
		news = s.Text.T(c.CreatorLocale, "card.news_ended", "Topic", s.Escape(c.Topic),
			"Duration", FormatDuration(s.Text, c.CreatorLocale, c.Duration()))
		if c.StartedAt.IsZero() {
			news = s.Text.T(c.CreatorLocale, "card.news_expired", "Topic", s.Escape(c.Topic))
		}
	case StatusCancelled:
		news = s.Text.T(c.CreatorLocale, "schedule.news_cancelled", "Topic", s.Escape(c.Topic))
	}
	reply := &Post{ChannelID: c.ChannelID, RootID: c.threadRoot(), Message: news, Props: c.ReplyProps()}
	_, err = s.postRecorded(ctx, "news:"+itoa(c.ID)+":"+string(c.Status), reply, func(string) error { return s.markAnnounced(ctx, c) })
	return err
}

// refused reports whether Mattermost refused a call for good (forbidden, or no such thing), as opposed to
// failing for a passing reason.
func refused(err error) bool { return errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotFound) }

// markAnnounced records that the channel has been shown the card's current status.
func (s *Service) markAnnounced(ctx context.Context, c *Card) error {
	if c.Announced == c.Status {
		return nil
	}
	c.Announced = c.Status
	return s.Store.MarkAnnounced(ctx, c.ID, c.Status)
}

// refreshStored shows the stored state of card id, holding its meeting's lock so that an event applied at
// the same moment is either shown now or by the refresh it schedules.
func (s *Service) refreshStored(ctx context.Context, id int64) error {
	return s.withCard(ctx, id, func(c *Card) error { return s.RefreshCard(ctx, c) })
}

// withCard runs f on card id as stored, under the lock of the card's meeting (events of one meeting are
// applied one at a time, across every process sharing the store).
func (s *Service) withCard(ctx context.Context, id int64, f func(*Card) error) error {
	c, err := s.Store.Card(ctx, id)
	if err != nil {
		return err
	}
	unlock, err := s.Locker.LockMeeting(ctx, c.MeetingID)
	if err != nil {
		return err
	}
	defer unlock()
	if c, err = s.Store.Card(ctx, id); err != nil { // again, now that no event can change it
		return err
	}
	return f(c)
}
