package zoom

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.ZoomScheduler = (*Gateway)(nil)

// Recurrence is a recurring meeting's recurrence object.
type Recurrence struct {
	Type           int    `json:"type"` // 1 daily, 2 weekly, 3 monthly
	RepeatInterval int    `json:"repeat_interval,omitempty"`
	WeeklyDays     string `json:"weekly_days,omitempty"` // "1" Sunday … "7" Saturday
	MonthlyDay     int    `json:"monthly_day,omitempty"`
	EndTimes       int    `json:"end_times,omitempty"`
	EndDateTime    string `json:"end_date_time,omitempty"` // UTC, "yyyy-MM-ddTHH:mm:ssZ"
}

// ScheduleRequest is the body of POST /users/{userId}/meetings for a scheduled meeting, and of PATCH
// /meetings/{meetingId}.
type ScheduleRequest struct {
	Topic      string      `json:"topic,omitempty"`
	Type       int         `json:"type,omitempty"`       // 2 scheduled, 8 recurring with a fixed time
	StartTime  string      `json:"start_time,omitempty"` // local "yyyy-MM-ddTHH:mm:ss" in Timezone
	Duration   int         `json:"duration,omitempty"`   // minutes
	Timezone   string      `json:"timezone,omitempty"`
	Agenda     string      `json:"agenda,omitempty"`
	Recurrence *Recurrence `json:"recurrence,omitempty"`
	// DefaultPassword and Settings carry the admin's meeting defaults and the user's choices, as for an
	// instant meeting; a reschedule leaves them out, so Zoom keeps what the meeting has.
	DefaultPassword *bool            `json:"default_password,omitempty"`
	Settings        *MeetingSettings `json:"settings,omitempty"`
}

// MeetingOccurrence is one occurrence of a recurring meeting.
type MeetingOccurrence struct {
	OccurrenceID string    `json:"occurrence_id"`
	StartTime    time.Time `json:"start_time"`
	Duration     int       `json:"duration"`
	Status       string    `json:"status"` // "available" or "deleted"
}

// ScheduledMeeting is a meeting with its schedule (create and GET answers of types 2 and 8).
type ScheduledMeeting struct {
	Meeting
	Duration    int                 `json:"duration"`
	Timezone    string              `json:"timezone"`
	Agenda      string              `json:"agenda"`
	Recurrence  *Recurrence         `json:"recurrence"`
	Occurrences []MeetingOccurrence `json:"occurrences"`
}

// CreateScheduledMeeting creates a scheduled or recurring meeting hosted by userID.
// https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings
func (c *Client) CreateScheduledMeeting(ctx context.Context, userID string, m *ScheduleRequest) (*ScheduledMeeting, error) {
	var out ScheduledMeeting
	if err := c.call(ctx, http.MethodPost, "users/"+url.PathEscape(userID)+"/meetings", m, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ScheduledMeeting gets a meeting with its schedule.
// https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/meetings/{meetingId}
func (c *Client) ScheduledMeeting(ctx context.Context, meetingID int64) (*ScheduledMeeting, error) {
	var out ScheduledMeeting
	if err := c.call(ctx, http.MethodGet, "meetings/"+strconv.FormatInt(meetingID, 10), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateMeeting changes a meeting, or one occurrence (occurrenceID).
// https://developers.zoom.us/docs/api/meetings/#tag/meetings/PATCH/meetings/{meetingId}
func (c *Client) UpdateMeeting(ctx context.Context, meetingID int64, occurrenceID string, m *ScheduleRequest) error {
	return c.call(ctx, http.MethodPatch, "meetings/"+strconv.FormatInt(meetingID, 10)+occurrenceQuery(occurrenceID), m, nil)
}

// DeleteOccurrence deletes a meeting, or one occurrence (occurrenceID).
// https://developers.zoom.us/docs/api/meetings/#tag/meetings/DELETE/meetings/{meetingId}
func (c *Client) DeleteOccurrence(ctx context.Context, meetingID int64, occurrenceID string) error {
	return c.call(ctx, http.MethodDelete, "meetings/"+strconv.FormatInt(meetingID, 10)+occurrenceQuery(occurrenceID), nil, nil)
}

func occurrenceQuery(id string) string {
	if id == "" {
		return ""
	}
	return "?" + url.Values{"occurrence_id": {id}}.Encode()
}

// scheduleBody turns a domain request into Zoom's body: the start as local time with its timezone, so that
// Zoom keeps a weekly meeting at the same local time across daylight-saving changes.
func scheduleBody(req meeting.ScheduleRequest) *ScheduleRequest {
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	b := &ScheduleRequest{Topic: req.Topic, Agenda: req.Agenda, Duration: int(req.Duration / time.Minute), Timezone: loc.String()}
	if !req.Start.IsZero() {
		b.StartTime = req.Start.In(loc).Format("2006-01-02T15:04:05")
	}
	if r := req.Recurrence; r != nil {
		start := req.Start.In(loc)
		rec := &Recurrence{RepeatInterval: 1, EndTimes: r.Count}
		switch r.Repeat {
		case meeting.RepeatDaily:
			rec.Type = 1
		case meeting.RepeatWeekly:
			rec.Type, rec.WeeklyDays = 2, strconv.Itoa(int(start.Weekday())+1)
		case meeting.RepeatMonthly:
			rec.Type, rec.MonthlyDay = 3, start.Day()
		}
		switch {
		case !r.Until.IsZero():
			rec.EndDateTime = r.Until.UTC().Format("2006-01-02T15:04:05Z")
		case r.Count == 0:
			// Zoom's end_times "defaults to 1": a recurrence sent without an end would be a single meeting.
			// No end asks for Zoom's maximum.
			// https://developers.zoom.us/docs/api/references/recurrence-object-definitions/
			rec.EndTimes = meeting.MaxOccurrences
		}
		b.Recurrence = rec
	}
	return b
}

func (m *ScheduledMeeting) domain(now time.Time) *meeting.ScheduledMeeting {
	out := &meeting.ScheduledMeeting{ZoomMeeting: meeting.ZoomMeeting{ID: m.ID, UUID: m.UUID, HostID: m.HostID, Topic: m.Topic,
		JoinURL: m.JoinURL, StartURL: m.StartURL, Password: m.Password, Status: m.Status, Created: m.CreatedAt},
		Type: m.Type, Agenda: m.Agenda, Duration: time.Duration(m.Duration) * time.Minute, Timezone: m.Timezone}
	if out.Created.IsZero() {
		out.Created = now
	}
	if t, err := time.Parse(time.RFC3339, m.StartTime); err == nil {
		out.Start = t.UTC()
	}
	for _, o := range m.Occurrences {
		if o.Status == "deleted" {
			continue
		}
		out.Occurrences = append(out.Occurrences, meeting.Occurrence{ID: o.OccurrenceID, Start: o.StartTime.UTC(),
			Duration: time.Duration(o.Duration) * time.Minute})
	}
	return out
}

// ScheduleMeeting creates a scheduled (type 2) or recurring (type 8) meeting hosted by userID.
func (g *Gateway) ScheduleMeeting(ctx context.Context, owner meeting.Owner, userID string, req meeting.ScheduleRequest) (*meeting.ScheduledMeeting, error) {
	body := scheduleBody(req)
	body.Type = 2
	body.Settings, body.DefaultPassword = meetingSettings(meeting.MeetingRequest{Options: req.Options}), req.Options.Passcode
	if req.Recurrence != nil {
		body.Type = 8
	}
	var m *ScheduledMeeting
	err := g.call(ctx, owner, func(c *Client) (err error) {
		m, err = c.CreateScheduledMeeting(ctx, userID, body)
		return err
	})
	if err != nil {
		return nil, classify(err, userID)
	}
	return m.domain(g.cfg.Now()), nil
}

// UpdateMeeting moves a meeting (or one occurrence) to req's start and duration.
func (g *Gateway) UpdateMeeting(ctx context.Context, owner meeting.Owner, meetingID int64, occurrenceID string, req meeting.ScheduleRequest) error {
	body := scheduleBody(req)
	if occurrenceID != "" {
		body.Topic, body.Agenda, body.Timezone = "", "", ""
	}
	err := g.call(ctx, owner, func(c *Client) error { return c.UpdateMeeting(ctx, meetingID, occurrenceID, body) })
	return classifyMeeting(err)
}

// DeleteMeeting cancels a meeting (or one occurrence). An occurrence Zoom no longer has is KindNotFound, like
// a meeting it no longer has: Zoom answers 400, code 3000 "Invalid occurrence_id." there rather than 404
// (DELETE /meetings/{meetingId} in Zoom's Meeting API OpenAPI file).
func (g *Gateway) DeleteMeeting(ctx context.Context, owner meeting.Owner, meetingID int64, occurrenceID string) error {
	err := g.call(ctx, owner, func(c *Client) error { return c.DeleteOccurrence(ctx, meetingID, occurrenceID) })
	var ze *Error
	if occurrenceID != "" && errors.As(err, &ze) && ze.StatusCode == http.StatusBadRequest && ze.Code == 3000 {
		return &meeting.Error{Kind: meeting.KindNotFound, Err: err}
	}
	return classifyMeeting(err)
}

// ScheduledMeeting gets a meeting with its schedule.
func (g *Gateway) ScheduledMeeting(ctx context.Context, owner meeting.Owner, meetingID int64) (*meeting.ScheduledMeeting, error) {
	var m *ScheduledMeeting
	err := g.call(ctx, owner, func(c *Client) (err error) {
		m, err = c.ScheduledMeeting(ctx, meetingID)
		return err
	})
	if err != nil {
		return nil, classifyMeeting(err)
	}
	return m.domain(g.cfg.Now()), nil
}

// classifyMeeting is classify for calls about a meeting: 404 (3001, no such meeting or occurrence) is
// KindNotFound, and the documented refusals (3000 started, 3002 in progress, 3003 not the host, 3007 ended)
// carry Zoom's message for the user.
func classifyMeeting(err error) error {
	if err == nil {
		return nil
	}
	return classify(err, "")
}
