package meeting

import (
	"context"
	"time"
)

// Scheduled and recurring meetings (`/zoom schedule`), their reminders, `/zoom list` and channel
// subscriptions. A Schedule is what mmzoom knows of a meeting with a start time: the one-off or recurring
// meeting it created from the dialog (shown by a scheduled card, CardID), or a recurring meeting created
// elsewhere that a channel subscribed to (no card of its own). Each occurrence of a recurring meeting gets
// its own live card when it starts; a one-off scheduled card becomes the live card itself.

// Card statuses of scheduled meetings. A scheduled card moves to started like a waiting one; a cancelled
// card is final, like an ended one.
const (
	StatusScheduled Status = "scheduled"
	StatusCancelled Status = "cancelled"
)

// Repeat is how a meeting recurs.
type Repeat string

// The repeats the dialog offers (Zoom's recurrence types 1, 2 and 3).
const (
	RepeatNone    Repeat = ""
	RepeatDaily   Repeat = "daily"
	RepeatWeekly  Repeat = "weekly"  // on the start's weekday
	RepeatMonthly Repeat = "monthly" // on the start's day of the month
)

// Recurrence is a recurring meeting's rule: an end date (in the meeting's timezone) or a number of
// occurrences; neither means Zoom's maximum (MaxOccurrences).
type Recurrence struct {
	Repeat Repeat
	Until  time.Time // the last day (midnight at the end of it), zero when Count is used
	Count  int
}

// Occurrence is one occurrence of a scheduled meeting. A one-off meeting has exactly one, with no ID.
type Occurrence struct {
	ID        string // Zoom's occurrence_id ("" for a one-off meeting)
	Start     time.Time
	Duration  time.Duration
	Cancelled bool
}

// Schedule is a scheduled meeting (or a channel's subscription to one) as mmzoom keeps it.
type Schedule struct {
	ID            int64
	CardID        int64 // the scheduled card; 0 for a subscription
	MeetingID     int64
	ChannelID     string
	TeamID        string
	RootID        string
	CreatorID     string // who scheduled (the host) or subscribed
	CreatorLocale string
	Subscription  bool
	Topic         string
	Agenda        string
	Timezone      string // IANA name the meeting was scheduled in
	Duration      time.Duration
	Recurrence    *Recurrence // nil for a one-off meeting
	Occurrences   []Occurrence
	Cancelled     bool
	UpdatedAt     time.Time
	// JoinURL is the meeting's Join link, kept for a subscription (which has no card) so that `/zoom list`
	// can show it without asking Zoom.
	JoinURL string
}

// Next is the first occurrence not cancelled that ends after now, or nil.
func (sc *Schedule) Next(now time.Time) *Occurrence {
	for i := range sc.Occurrences {
		o := &sc.Occurrences[i]
		if !o.Cancelled && o.Start.Add(o.Duration).After(now) {
			return o
		}
	}
	return nil
}

// OccurrenceAt finds the occurrence starting at start that is not cancelled.
func (sc *Schedule) OccurrenceAt(start time.Time) *Occurrence {
	for i := range sc.Occurrences {
		if o := &sc.Occurrences[i]; !o.Cancelled && o.Start.Equal(start) {
			return o
		}
	}
	return nil
}

// Location is the schedule's timezone (UTC when unknown).
func (sc *Schedule) Location() *time.Location { return loadLocation(sc.Timezone) }

func loadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}

// ScheduleStore keeps schedules, subscriptions and sent reminders; packages sqlite and postgres implement
// it. Lookups of something absent return KindNotFound.
type ScheduleStore interface {
	// SaveSchedule inserts (ID 0; sets ID) or updates a schedule.
	SaveSchedule(ctx context.Context, sc *Schedule) error
	Schedule(ctx context.Context, id int64) (*Schedule, error)
	// ScheduleByCard finds the schedule a scheduled card shows.
	ScheduleByCard(ctx context.Context, cardID int64) (*Schedule, error)
	// SchedulesByMeeting lists the schedules and subscriptions of a Zoom meeting id.
	SchedulesByMeeting(ctx context.Context, meetingID int64) ([]*Schedule, error)
	// UpcomingSchedules lists the schedules not cancelled of a channel (channelID set) or created by a user
	// (creatorID set) with an occurrence starting in [from, to).
	UpcomingSchedules(ctx context.Context, channelID, creatorID string, from, to time.Time) ([]*Schedule, error)
	// Subscriptions lists a channel's subscriptions, oldest first.
	Subscriptions(ctx context.Context, channelID string) ([]*Schedule, error)
	// DeleteSchedule removes a schedule (a subscription that ends).
	DeleteSchedule(ctx context.Context, id int64) error
}

// ChannelAdmins tells channel admins apart; package mattermost implements it.
type ChannelAdmins interface {
	// IsChannelAdmin reports whether userID is an admin of channelID (channel, team or system admin).
	IsChannelAdmin(ctx context.Context, channelID, userID string) (bool, error)
}

// ScheduleRequest is a scheduled meeting as mmzoom asks Zoom for it.
type ScheduleRequest struct {
	Topic      string
	Agenda     string
	Start      time.Time // in Location
	Location   *time.Location
	Duration   time.Duration
	Recurrence *Recurrence
	// Options are the meeting's settings (the admin's defaults with the user's choices) for a new meeting;
	// ignored by UpdateMeeting, so that a moved meeting keeps its settings.
	Options MeetingOptions
}

// ScheduledMeeting is a scheduled or recurring meeting as Zoom reports it.
type ScheduledMeeting struct {
	ZoomMeeting
	Type        int // 2 scheduled, 3 recurring without a fixed time, 8 recurring
	Agenda      string
	Start       time.Time
	Duration    time.Duration
	Timezone    string
	Occurrences []Occurrence // type 8
}

// ZoomScheduler is Zoom's scheduling API as mmzoom needs it; package zoom implements it. Errors are *Error
// values as for Zoom (KindNotFound: no such meeting or occurrence).
type ZoomScheduler interface {
	ScheduleMeeting(ctx context.Context, owner Owner, userID string, req ScheduleRequest) (*ScheduledMeeting, error)
	// UpdateMeeting changes the start and duration of a meeting, or of one occurrence.
	UpdateMeeting(ctx context.Context, owner Owner, meetingID int64, occurrenceID string, req ScheduleRequest) error
	// DeleteMeeting cancels a meeting, or one occurrence.
	DeleteMeeting(ctx context.Context, owner Owner, meetingID int64, occurrenceID string) error
	// ScheduledMeeting gets a meeting with its schedule.
	ScheduledMeeting(ctx context.Context, owner Owner, meetingID int64) (*ScheduledMeeting, error)
}

// Dialog is an interactive dialog for one user; the Mattermost adapter opens it.
type Dialog struct {
	CallbackID string
	Title      string
	Intro      string
	Submit     string
	State      string
	Elements   []DialogElement
}

// DialogElement is one field of a dialog.
type DialogElement struct {
	Name        string
	Label       string
	Type        string // "text", "textarea", "select"
	Default     string
	Placeholder string
	Help        string
	Optional    bool
	MaxLength   int
	Options     [][2]string // select: {label, value}
	// DateTime marks a date-and-time field: where the server has a datetime picker (Mattermost 11.1+) the
	// adapter uses it, in Location, starting at DefaultTime (when set); elsewhere it stays a text field.
	DateTime    bool
	DefaultTime time.Time
	Location    string
}

// DialogState is what a schedule dialog's signed state carries: who may submit it, where, what it changes.
type DialogState struct {
	UserID     string
	ChannelID  string
	TeamID     string
	RootID     string
	ScheduleID int64 // a reschedule; 0 for a new meeting
	Nonce      string
	Expires    time.Time
}

// Dialogs opens dialogs and signs their state; package mattermost implements it.
type Dialogs interface {
	// OpenDialog opens d in the client of the user whose command or click carried triggerID.
	OpenDialog(ctx context.Context, triggerID string, d *Dialog) error
	// SignState returns st as a signed, opaque dialog state.
	SignState(st DialogState) string
}

// Action names of scheduled cards' host controls.
const (
	ActionCancelOccurrence = "cancel_occurrence"
	ActionCancelSeries     = "cancel_series"
	ActionReschedule       = "reschedule"
)

// JobReminder posts a reminder of an occurrence; its key names the schedule and the occurrence's start.
const JobReminder = "reminder"

// DefaultReminderLead is how long before each start a reminder is posted when the admin does not say.
const DefaultReminderLead = 10 * time.Minute

// ListWindow is how far ahead `/zoom list` looks.
const ListWindow = 14 * 24 * time.Hour
