package meeting

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The schedule dialog: `/zoom schedule [topic]` opens it, the Reschedule button of a scheduled card opens it
// again filled in, and its submission creates (or moves) the meeting in Zoom. Times are typed and shown in
// the user's own Mattermost timezone. Invalid input comes back as field errors and the dialog keeps what was
// typed. The dialog's state is signed and bound to the user and channel, and single use: a forged or
// replayed submission changes nothing.

// Dialog field names (also the keys of a submission).
const (
	fieldTopic    = "topic"
	fieldWhen     = "when"
	fieldDuration = "duration"
	fieldAgenda   = "agenda"
	fieldRepeat   = "repeat"
	fieldUntil    = "until"
)

// DialogGeneralError is the key, among a submission's field errors, of an error about the whole dialog
// (Mattermost's "error" beside "errors"), such as a channel where meetings may no longer be scheduled.
const DialogGeneralError = ""

// CallbackSchedule is the callback id of the schedule dialog.
const CallbackSchedule = "mmzoom_schedule"

// dialogTTL is how long a schedule dialog can be submitted: long enough to fill it in at leisure.
const dialogTTL = time.Hour

// durations offered by the dialog, in minutes.
var durations = []int{15, 30, 45, 60, 90, 120, 180}

// userLocation is the user's Mattermost timezone (UTC when they have none).
func userLocation(u *ChatUser) *time.Location { return loadLocation(u.Timezone) }

// zoneLabel names a timezone with its UTC offset at t: "Asia/Tokyo (UTC+09:00)".
func zoneLabel(loc *time.Location, t time.Time) string {
	name := loc.String()
	if name == "Local" {
		name = "UTC"
	}
	return name + " (UTC" + t.In(loc).Format("-07:00") + ")"
}

// OpenSchedule answers `/zoom schedule [topic]` by opening the schedule dialog with the command's trigger id.
func (s *Service) OpenSchedule(ctx context.Context, req StartRequest, triggerID string) (*Reply, error) {
	user, err := s.Chat.User(ctx, req.UserID)
	if err != nil {
		return nil, err
	}
	if s.Schedules == nil || s.Scheduler == nil || s.Dialogs == nil {
		return &Reply{Text: s.Text.T(user.Locale, "schedule.unavailable")}, nil
	}
	// The channel policy governs scheduling as it governs /zoom start, with the same explanation.
	if r, err := s.checkChannel(ctx, user, &req); r != nil || err != nil {
		return r, err
	}
	if _, _, reply, err := s.host(ctx, user, nil); reply != nil || err != nil {
		return reply, err
	}
	topic, _ := CleanTopic(req.Topic)
	st := DialogState{UserID: user.ID, ChannelID: req.ChannelID, TeamID: req.TeamID, RootID: req.RootID}
	values := map[string]string{fieldTopic: topic, fieldDuration: "30", fieldRepeat: "none"}
	if triggerID == "" {
		return nil, &Error{Kind: KindActionInvalid, Err: errors.New("no trigger id to open a dialog with")}
	}
	st.Nonce, st.Expires = randomToken(), s.Now().Add(dialogTTL)
	d := s.scheduleDialog(user, st, values)
	// A big channel is not asked to confirm as /zoom start does (the dialog is already a deliberate step, and
	// the trigger id would expire behind a question): the dialog says how many people will see the card.
	if n := s.bigChannel(ctx, req.ChannelID); n > 0 {
		d.Intro += "\n\n" + s.Text.T(user.Locale, "schedule.dialog.big_channel", "Members", n)
	}
	if err := s.Dialogs.OpenDialog(ctx, triggerID, d); err != nil {
		return nil, err
	}
	return &Reply{}, nil
}

// openReschedule opens the dialog for a scheduled meeting, filled in with its current schedule.
func (s *Service) openReschedule(ctx context.Context, a Action, userID string) (*Reply, error) {
	sc, user, reply, err := s.hostControl(ctx, a, userID)
	if reply != nil || err != nil {
		return reply, err
	}
	loc := userLocation(user)
	values := map[string]string{fieldTopic: sc.Topic, fieldDuration: strconv.Itoa(int(sc.Duration / time.Minute)), fieldRepeat: "none",
		fieldAgenda: sc.Agenda}
	if next := sc.Next(s.Now()); next != nil {
		values[fieldWhen] = next.Start.In(loc).Format("2006-01-02 15:04")
	}
	st := DialogState{UserID: userID, ChannelID: sc.ChannelID, TeamID: sc.TeamID, RootID: sc.RootID, ScheduleID: sc.ID}
	if err := s.openDialog(ctx, user, a.TriggerID, st, values); err != nil {
		return nil, err
	}
	return &Reply{}, nil
}

func (s *Service) openDialog(ctx context.Context, user *ChatUser, triggerID string, st DialogState, values map[string]string) error {
	if triggerID == "" {
		return &Error{Kind: KindActionInvalid, Err: errors.New("no trigger id to open a dialog with")}
	}
	st.Nonce, st.Expires = randomToken(), s.Now().Add(dialogTTL)
	return s.Dialogs.OpenDialog(ctx, triggerID, s.scheduleDialog(user, st, values))
}

// scheduleDialog builds the dialog in the user's language, introducing the timezone times are read in.
func (s *Service) scheduleDialog(user *ChatUser, st DialogState, values map[string]string) *Dialog {
	l := user.Locale
	t := func(key string, args ...any) string { return s.Text.T(l, key, args...) }
	loc := userLocation(user)
	title, submit := t("schedule.dialog.title"), t("schedule.dialog.submit")
	if st.ScheduleID != 0 {
		title, submit = t("schedule.dialog.title_reschedule"), t("schedule.dialog.submit_reschedule")
	}
	var durs [][2]string
	for _, m := range durations {
		durs = append(durs, [2]string{FormatDuration(s.Text, l, time.Duration(m)*time.Minute), strconv.Itoa(m)})
	}
	d := &Dialog{CallbackID: CallbackSchedule, Title: title, Submit: submit, State: s.Dialogs.SignState(st),
		Intro: t("schedule.dialog.intro", "Zone", zoneLabel(loc, s.Now())),
		Elements: []DialogElement{
			{Name: fieldTopic, Label: t("schedule.dialog.topic"), Type: "text", MaxLength: MaxTopic, Optional: true,
				Placeholder: t("schedule.dialog.topic_placeholder")},
			{Name: fieldWhen, Label: t("schedule.dialog.when"), Type: "text", MaxLength: 64, DateTime: true, Location: loc.String(),
				Placeholder: t("schedule.dialog.when_placeholder"), Help: t("schedule.dialog.when_help", "Zone", zoneLabel(loc, s.Now()))},
			{Name: fieldDuration, Label: t("schedule.dialog.duration"), Type: "select", Options: durs},
		},
	}
	if st.ScheduleID == 0 {
		d.Elements = append(d.Elements,
			DialogElement{Name: fieldAgenda, Label: t("schedule.dialog.agenda"), Type: "textarea", Optional: true, MaxLength: 2000},
			DialogElement{Name: fieldRepeat, Label: t("schedule.dialog.repeat"), Type: "select", Options: [][2]string{
				{t("schedule.repeat.none"), "none"}, {t("schedule.repeat.daily"), "daily"},
				{t("schedule.repeat.weekly"), "weekly"}, {t("schedule.repeat.monthly"), "monthly"}}},
			DialogElement{Name: fieldUntil, Label: t("schedule.dialog.until"), Type: "text", Optional: true, MaxLength: 32,
				Placeholder: t("schedule.dialog.until_placeholder"), Help: t("schedule.dialog.until_help")})
		d.Elements = append(d.Elements, s.optionElements(l)...)
	}
	for i := range d.Elements {
		e := &d.Elements[i]
		if v, ok := values[e.Name]; ok || !strings.HasPrefix(e.Name, optionFieldPrefix) {
			e.Default = v // an option keeps the admin's default unless the user chose already
		}
		if e.DateTime && e.Default != "" {
			if at, err := ParseWhen(e.Default, s.Now(), loc); err == nil {
				e.DefaultTime = at
			}
		}
	}
	return d
}

// parsedSchedule is a valid submission.
type parsedSchedule struct {
	topic, agenda string
	start         time.Time
	loc           *time.Location
	duration      time.Duration
	recurrence    *Recurrence
	options       MeetingOptions
}

// parseSubmission checks a submission; field errors are in the user's language.
func (s *Service) parseSubmission(user *ChatUser, v map[string]string, reschedule bool) (*parsedSchedule, map[string]string) {
	l := user.Locale
	errs := map[string]string{}
	loc := userLocation(user)
	p := &parsedSchedule{loc: loc}
	p.topic, _ = CleanTopic(v[fieldTopic])
	if p.topic == "" && !reschedule {
		name := user.DisplayName
		if name == "" {
			name = user.Username
		}
		p.topic, _ = CleanTopic(s.Text.T(l, "meeting.default_topic", "Name", name))
	}
	start, err := ParseWhen(v[fieldWhen], s.Now(), loc)
	switch {
	case strings.TrimSpace(v[fieldWhen]) == "":
		errs[fieldWhen] = s.Text.T(l, "schedule.error.when_missing", "Zone", zoneLabel(loc, s.Now()))
	case err != nil:
		errs[fieldWhen] = s.Text.T(l, "schedule.error.when", "Zone", zoneLabel(loc, s.Now()))
	case !start.After(s.Now()):
		errs[fieldWhen] = s.Text.T(l, "schedule.error.past", "When", formatWhen(l, start, loc))
	}
	p.start = start
	mins, err := strconv.Atoi(v[fieldDuration])
	if err != nil || mins < 1 || mins > 24*60 {
		errs[fieldDuration] = s.Text.T(l, "schedule.error.duration")
	}
	p.duration = time.Duration(mins) * time.Minute
	if len([]rune(v[fieldAgenda])) > 2000 {
		errs[fieldAgenda] = s.Text.T(l, "schedule.error.agenda")
	}
	p.agenda = strings.TrimSpace(v[fieldAgenda])
	switch rep := Repeat(v[fieldRepeat]); rep {
	case "", "none":
	case RepeatDaily, RepeatWeekly, RepeatMonthly:
		r := &Recurrence{Repeat: rep}
		if u := strings.TrimSpace(v[fieldUntil]); u != "" {
			n, until, err := ParseUntil(u, s.Now(), loc)
			switch {
			case err != nil:
				errs[fieldUntil] = s.Text.T(l, "schedule.error.until")
			case !until.IsZero() && !start.IsZero() && until.Before(start):
				errs[fieldUntil] = s.Text.T(l, "schedule.error.until_before")
			}
			r.Count, r.Until = n, until
		}
		p.recurrence = r
	default:
		errs[fieldRepeat] = s.Text.T(l, "schedule.error.repeat")
	}
	if !reschedule {
		p.options = s.parseOptions(l, v, errs)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

// SubmitSchedule carries out a verified schedule dialog submission by st.UserID. It returns field errors
// (the dialog stays open with what was typed) or nil when the meeting was scheduled or moved.
func (s *Service) SubmitSchedule(ctx context.Context, st DialogState, values map[string]string) (map[string]string, error) {
	if s.Schedules == nil || s.Scheduler == nil {
		return nil, &Error{Kind: KindActionInvalid, Err: errors.New("scheduling is not configured")}
	}
	user, err := s.Chat.User(ctx, st.UserID)
	if err != nil {
		return nil, err
	}
	p, errs := s.parseSubmission(user, values, st.ScheduleID != 0)
	if errs != nil {
		return errs, nil
	}
	if st.ScheduleID == 0 && s.Channels != nil && s.Policy != nil {
		// The policy may have changed while the dialog was open: checked again, past any cache.
		ref, err := s.channelRefusal(ctx, st.ChannelID, true)
		if err != nil {
			return nil, err
		}
		if ref != nil {
			return map[string]string{DialogGeneralError: s.Text.T(user.Locale, ref.key, ref.args...)}, nil
		}
	}
	// Spent only now: a submission with field errors keeps the dialog (and its state) open.
	if err := s.Store.UseNonce(ctx, st.Nonce, st.Expires); err != nil {
		return nil, err
	}
	if st.ScheduleID != 0 {
		return nil, s.reschedule(ctx, user, st, p)
	}
	owner, host, reply, err := s.host(ctx, user, nil)
	if err != nil {
		return nil, err
	}
	if reply != nil {
		return nil, &Error{Kind: KindNotConnected}
	}
	sm, err := s.Scheduler.ScheduleMeeting(ctx, owner, host, ScheduleRequest{Topic: p.topic, Agenda: p.agenda, Start: p.start,
		Location: p.loc, Duration: p.duration, Recurrence: p.recurrence, Options: p.options})
	if err != nil {
		_, zerr := s.zoomFailed(ctx, user, owner, host, nil, err)
		if zerr == nil {
			zerr = &Error{Kind: KindNotConnected, Err: err}
		}
		return nil, zerr
	}
	if sm.JoinURL == "" {
		return nil, &Error{Kind: KindZoomRejected, Err: errors.New("zoom returned no join_url")}
	}
	sc := &Schedule{MeetingID: sm.ID, ChannelID: st.ChannelID, TeamID: st.TeamID, RootID: st.RootID, CreatorID: user.ID,
		CreatorLocale: user.Locale, Topic: sm.Topic, Agenda: p.agenda, Timezone: p.loc.String(), Duration: p.duration,
		Recurrence: p.recurrence, UpdatedAt: s.Now()}
	if sc.Topic == "" {
		sc.Topic = p.topic
	}
	sc.Occurrences = occurrencesOf(sm, p.duration)
	if err := s.Schedules.SaveSchedule(ctx, sc); err != nil {
		return nil, err
	}
	card := &Card{ChannelID: st.ChannelID, TeamID: st.TeamID, RootID: st.RootID, CreatorID: user.ID,
		CreatorUsername: user.Username, CreatorLocale: user.Locale, MeetingID: sm.ID, Topic: sc.Topic, JoinURL: sm.JoinURL,
		Passcode: sm.Password, ShowPasscode: s.cfg.ShowPasscode, Status: StatusScheduled, CreatedAt: s.Now(),
		HostZoomID: sm.HostID, UpdatedAt: s.Now(), Schedule: sc}
	card.UpdatesInThread = s.cannotEditIn(ctx, card.ChannelID)
	postID, err := s.postCard(ctx, card)
	if err != nil {
		return nil, err
	}
	card.PostID = postID
	if err := s.Store.CreateCard(ctx, card); err != nil {
		return nil, err
	}
	sc.CardID = card.ID
	if err := s.Schedules.SaveSchedule(ctx, sc); err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "meeting scheduled", "meeting_id", sm.ID, "card_id", card.ID, "occurrences", len(sc.Occurrences))
	return nil, s.scheduleReminders(ctx, sc)
}

// occurrencesOf lists a scheduled meeting's occurrences as Zoom reports them.
func occurrencesOf(sm *ScheduledMeeting, d time.Duration) []Occurrence {
	if len(sm.Occurrences) > 0 {
		out := make([]Occurrence, 0, len(sm.Occurrences))
		for _, o := range sm.Occurrences {
			if o.Duration == 0 {
				o.Duration = d
			}
			out = append(out, o)
		}
		return out
	}
	if sm.Type == 8 {
		return nil // a series with no occurrence left (Zoom lists only those to come)
	}
	if sm.Duration > 0 {
		d = sm.Duration
	}
	return []Occurrence{{Start: sm.Start, Duration: d}}
}

// reschedule moves a scheduled meeting (the whole series) to a new start and duration; the card and the
// pending reminders follow.
func (s *Service) reschedule(ctx context.Context, user *ChatUser, st DialogState, p *parsedSchedule) error {
	sc, err := s.Schedules.Schedule(ctx, st.ScheduleID)
	if err != nil {
		return err
	}
	if sc.CreatorID != user.ID || sc.Cancelled {
		return &Error{Kind: KindActionInvalid, Err: errors.New("reschedule by someone other than the host")}
	}
	owner := s.scheduleOwner(sc)
	// A series keeps its rule, re-anchored on the new start: weekly on the new weekday, monthly on the new date.
	req := ScheduleRequest{Start: p.start, Location: p.loc, Duration: p.duration, Recurrence: sc.Recurrence}
	if v := p.topic; v != "" {
		req.Topic = v
	}
	if err := s.Scheduler.UpdateMeeting(ctx, owner, sc.MeetingID, "", req); err != nil {
		return err
	}
	return s.resync(ctx, sc)
}

// scheduleOwner is whose Zoom credential acts on a schedule's meeting.
func (s *Service) scheduleOwner(sc *Schedule) Owner {
	if s.cfg.Kind == KindUser {
		return UserOwner(sc.CreatorID)
	}
	return AccountOwner
}
