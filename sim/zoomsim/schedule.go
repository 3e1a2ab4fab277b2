package zoomsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Scheduled (type 2) and recurring (type 8) meetings, as POST /users/{userId}/meetings, GET, PATCH and
// DELETE /meetings/{meetingId} document them: start_time either in UTC ("…Z") or local time with a
// timezone (the host's when none is given); a recurrence {type 1 daily, 2 weekly, 3 monthly,
// repeat_interval, weekly_days "1"–"7" with 1 Sunday, monthly_day, end_times or end_date_time} whose
// occurrences each carry an occurrence_id (the occurrence's start in Unix milliseconds, as a string);
// occurrence_id in the query of GET, PATCH and DELETE addresses one occurrence.

// Recurrence is a type 8 meeting's recurrence object.
type Recurrence struct {
	Type           int    `json:"type"`
	RepeatInterval int    `json:"repeat_interval,omitempty"`
	WeeklyDays     string `json:"weekly_days,omitempty"`
	MonthlyDay     int    `json:"monthly_day,omitempty"`
	EndTimes       int    `json:"end_times,omitempty"`
	EndDateTime    string `json:"end_date_time,omitempty"`
}

// Occurrence is one occurrence of a recurring meeting.
type Occurrence struct {
	ID       string // occurrence_id
	Start    time.Time
	Duration int
	Status   string // "available" or "deleted"
}

// maxOccurrences is Zoom's limit on a recurring meeting's occurrences: end_times is "between a value of 1
// and 50" and "defaults to 1" (https://developers.zoom.us/docs/api/references/recurrence-object-definitions/),
// and "Recurring meetings can have a maximum of 50 occurrences" (support.zoom.us article 214973206).
const maxOccurrences = 50

// maxRepeatInterval is repeat_interval's maximum by recurrence type: 90 days, 12 weeks, 3 months (same
// recurrence object definitions).
var maxRepeatInterval = map[int]int{1: 90, 2: 12, 3: 3}

// scheduleFields are the scheduling fields of a create or patch body.
type scheduleFields struct {
	Topic      *string     `json:"topic"`
	Type       *int        `json:"type"`
	StartTime  *string     `json:"start_time"`
	Duration   *int        `json:"duration"`
	Timezone   *string     `json:"timezone"`
	Agenda     *string     `json:"agenda"`
	Recurrence *Recurrence `json:"recurrence"`
}

// fieldError is Zoom's validation failure: 400, code 300, with the field named.
type fieldError struct{ field, message string }

func (e *fieldError) write(w http.ResponseWriter) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"code": 300, "message": "Validation Failed.",
		"errors": []map[string]string{{"field": e.field, "message": e.message}}})
}

// parseStart reads a start_time: UTC with "Z", or local time in tz.
func parseStart(v, tz string) (time.Time, *fieldError) {
	if t, err := time.Parse("2006-01-02T15:04:05Z", v); err == nil {
		return t.UTC(), nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		return time.Time{}, &fieldError{"timezone", "Invalid field."}
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", v, loc)
	if err != nil {
		return time.Time{}, &fieldError{"start_time", "Invalid field."}
	}
	return t.UTC(), nil
}

// applySchedule sets m's schedule from a create body (create) or a patch body; callers hold s.mu.
func (s *Server) applySchedule(m *Meeting, f scheduleFields, hostTZ string) *fieldError {
	if f.Topic != nil {
		if len([]rune(*f.Topic)) > 200 {
			return &fieldError{"topic", "Invalid field."}
		}
		m.Topic = *f.Topic
	}
	if f.Agenda != nil {
		if len([]rune(*f.Agenda)) > 2000 {
			return &fieldError{"agenda", "Invalid field."}
		}
		m.Agenda = *f.Agenda
	}
	if f.Type != nil {
		switch *f.Type {
		case 1, 2, 3, 8:
			m.Type = *f.Type
		default:
			return &fieldError{"type", "Invalid field."}
		}
	}
	if f.Timezone != nil {
		if _, err := time.LoadLocation(*f.Timezone); err != nil || *f.Timezone == "" {
			return &fieldError{"timezone", "Invalid field."}
		}
		m.Timezone = *f.Timezone
	}
	if m.Timezone == "" {
		m.Timezone = hostTZ
	}
	if f.Duration != nil {
		if *f.Duration < 0 {
			return &fieldError{"duration", "Invalid field."}
		}
		m.Duration = *f.Duration
	}
	if f.StartTime != nil {
		t, ferr := parseStart(*f.StartTime, m.Timezone)
		if ferr != nil {
			return ferr
		}
		m.StartTime = t
	}
	if f.Recurrence != nil {
		m.Recurrence = f.Recurrence
	}
	if m.Type == 8 {
		if m.Recurrence == nil {
			return &fieldError{"recurrence", "Invalid field."}
		}
		occ, ferr := occurrences(m.StartTime, m.Duration, m.Timezone, *m.Recurrence)
		if ferr != nil {
			return ferr
		}
		m.Occurrences = occ
	} else {
		m.Recurrence, m.Occurrences = nil, nil
	}
	return nil
}

// occurrences lists a recurrence's occurrences from start, in the meeting's timezone (a weekly meeting at
// 09:00 stays at 09:00 local time across a daylight-saving change).
func occurrences(start time.Time, duration int, tz string, r Recurrence) ([]Occurrence, *fieldError) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, &fieldError{"timezone", "Invalid field."}
	}
	interval := r.RepeatInterval
	if interval <= 0 {
		interval = 1
	}
	if interval > maxRepeatInterval[r.Type] && maxRepeatInterval[r.Type] > 0 {
		return nil, &fieldError{"recurrence.repeat_interval", "Invalid field."}
	}
	if r.EndTimes > maxOccurrences || r.EndTimes < 0 {
		return nil, &fieldError{"recurrence.end_times", "Invalid field."}
	}
	var end time.Time
	if r.EndDateTime != "" {
		if r.EndTimes != 0 {
			return nil, &fieldError{"recurrence.end_date_time", "Invalid field."}
		}
		if end, err = time.Parse(time.RFC3339, r.EndDateTime); err != nil {
			return nil, &fieldError{"recurrence.end_date_time", "Invalid field."}
		}
	}
	// end_times "defaults to 1": a recurrence without end_times or end_date_time has one occurrence. With
	// end_date_time, the occurrences up to that date, at most the maximum.
	count := r.EndTimes
	switch {
	case count == 0 && r.EndDateTime == "":
		count = 1
	case count == 0:
		count = maxOccurrences
	}
	local := start.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), 0, loc)
	var days map[time.Weekday]bool
	switch r.Type {
	case 1:
	case 2:
		days = map[time.Weekday]bool{}
		weekly := r.WeeklyDays
		if weekly == "" {
			weekly = "1" // weekly_days "defaults to 1" (Sunday)
		}
		for _, d := range strings.Split(weekly, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(d))
			if err != nil || n < 1 || n > 7 {
				return nil, &fieldError{"recurrence.weekly_days", "Invalid field."}
			}
			days[time.Weekday(n-1)] = true
		}
	case 3:
		if r.MonthlyDay < 1 || r.MonthlyDay > 31 {
			return nil, &fieldError{"recurrence.monthly_day", "Invalid field."}
		}
	default:
		return nil, &fieldError{"recurrence.type", "Invalid field."}
	}
	var out []Occurrence
	add := func(t time.Time) bool {
		if t.Before(start) || !end.IsZero() && t.After(end) || len(out) >= count {
			return false
		}
		out = append(out, Occurrence{ID: strconv.FormatInt(t.UnixMilli(), 10), Start: t.UTC(), Duration: duration, Status: "available"})
		return true
	}
	for i := 0; len(out) < count && i < 3660; i++ {
		var t time.Time
		switch r.Type {
		case 1:
			t = day.AddDate(0, 0, i*interval)
		case 2:
			// Days of the week in weeks 0, interval, 2·interval, … from the start's week (Sunday first).
			week, wd := i/7, time.Weekday(i%7)
			sunday := day.AddDate(0, 0, -int(day.Weekday()))
			if !days[wd] {
				continue
			}
			t = sunday.AddDate(0, 0, week*7*interval+int(wd))
		case 3:
			first := time.Date(day.Year(), day.Month()+time.Month(i*interval), 1, day.Hour(), day.Minute(), day.Second(), 0, loc)
			if r.MonthlyDay > daysIn(first) {
				continue // a month without that day has no occurrence
			}
			t = first.AddDate(0, 0, r.MonthlyDay-1)
		}
		if !end.IsZero() && t.After(end) {
			break
		}
		add(t)
	}
	if len(out) == 0 {
		return nil, &fieldError{"recurrence", "Invalid field."}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

func daysIn(firstOfMonth time.Time) int { return firstOfMonth.AddDate(0, 1, -1).Day() }

// occurrence finds an occurrence by id; callers hold s.mu.
func (m *Meeting) occurrence(id string) *Occurrence {
	for i := range m.Occurrences {
		if m.Occurrences[i].ID == id {
			return &m.Occurrences[i]
		}
	}
	return nil
}

// occurrencesJSON is the occurrences array of GET and webhooks.
func occurrencesJSON(occ []Occurrence) []map[string]any {
	out := make([]map[string]any, 0, len(occ))
	for _, o := range occ {
		out = append(out, map[string]any{"occurrence_id": o.ID, "start_time": o.Start.Format(time.RFC3339), "duration": o.Duration,
			"status": o.Status})
	}
	return out
}

// scheduleJSON adds a meeting's schedule to its REST representation; callers hold s.mu. GET leaves out the
// occurrences that are over unless show_previous_occurrences is true ("Set the value of this field to true
// if you would like to view meeting details of all previous occurrences", Zoom's Meeting API OpenAPI file);
// before nil lists them all (the create answer).
func scheduleJSON(m *Meeting, out map[string]any, occurrenceID string, before *time.Time) {
	if m.Type == 1 {
		return
	}
	out["start_time"] = m.StartTime.Format(time.RFC3339)
	out["duration"] = m.Duration
	out["timezone"] = m.Timezone
	out["agenda"] = m.Agenda
	if m.Type != 8 {
		return
	}
	out["recurrence"] = m.Recurrence
	occ := m.Occurrences
	if before != nil {
		occ = nil
		for _, o := range m.Occurrences {
			if o.Start.Add(time.Duration(o.Duration) * time.Minute).After(*before) {
				occ = append(occ, o)
			}
		}
	}
	out["occurrences"] = occurrencesJSON(occ)
	if o := m.occurrence(occurrenceID); o != nil {
		out["start_time"] = o.Start.Format(time.RFC3339)
		out["duration"] = o.Duration
	}
}

// meetingChange is what PATCH or the host's own edit in Zoom changed, for meeting.updated.
type meetingChange struct {
	old, new map[string]any
}

// patch applies a PATCH body (or the host editing the meeting in Zoom); callers hold s.mu.
func (s *Server) patch(m *Meeting, f scheduleFields, occurrenceID string) (*meetingChange, *fieldError) {
	before := *m
	before.Occurrences = append([]Occurrence(nil), m.Occurrences...)
	if occurrenceID != "" {
		o := m.occurrence(occurrenceID)
		if o == nil {
			return nil, &fieldError{"occurrence_id", "Invalid field."}
		}
		if f.StartTime != nil {
			t, ferr := parseStart(*f.StartTime, m.Timezone)
			if ferr != nil {
				return nil, ferr
			}
			o.Start = t
		}
		if f.Duration != nil {
			o.Duration = *f.Duration
		}
		oldO := before.occurrence(occurrenceID)
		return &meetingChange{
			old: map[string]any{"id": m.ID, "uuid": m.UUID, "occurrences": occurrencesJSON([]Occurrence{*oldO})},
			new: map[string]any{"id": m.ID, "uuid": m.UUID, "occurrences": occurrencesJSON([]Occurrence{*o})},
		}, nil
	}
	if ferr := s.applySchedule(m, f, m.Timezone); ferr != nil {
		*m = before
		return nil, ferr
	}
	oldObj, newObj := map[string]any{"id": m.ID, "uuid": m.UUID}, map[string]any{"id": m.ID, "uuid": m.UUID}
	diff := func(k string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			oldObj[k], newObj[k] = a, b
		}
	}
	diff("topic", before.Topic, m.Topic)
	diff("agenda", before.Agenda, m.Agenda)
	diff("type", before.Type, m.Type)
	diff("start_time", before.StartTime.Format(time.RFC3339), m.StartTime.Format(time.RFC3339))
	diff("duration", before.Duration, m.Duration)
	diff("timezone", before.Timezone, m.Timezone)
	if m.Type == 8 {
		ob, _ := json.Marshal(before.Recurrence)
		nb, _ := json.Marshal(m.Recurrence)
		if string(ob) != string(nb) {
			oldObj["recurrence"], newObj["recurrence"] = before.Recurrence, m.Recurrence
		}
		if _, ok := newObj["start_time"]; ok || newObj["recurrence"] != nil {
			oldObj["occurrences"], newObj["occurrences"] = occurrencesJSON(before.Occurrences), occurrencesJSON(m.Occurrences)
		}
	}
	return &meetingChange{old: oldObj, new: newObj}, nil
}

// notifyUpdated sends meeting.updated as Zoom documents it: payload.object holds the meeting id and what
// changed, payload.old_object the same fields before, with the operator and time_stamp (milliseconds). Whether
// one occurrence or the whole series changed is payload.scope ("single" or "all"); meeting.updated has no
// "operation", which is meeting.deleted's name for it (Rivet's MeetingUpdatedEvent and MeetingDeletedEvent,
// generated from Zoom's webhook definitions).
func (s *Server) notifyUpdated(m *Meeting, ch *meetingChange, operator *User, occurrenceID string) {
	scope := "all"
	if occurrenceID != "" {
		scope = "single"
	}
	s.notifyBody("meeting.updated", map[string]any{"event": "meeting.updated", "event_ts": s.opts.Now().UnixMilli(),
		"payload": map[string]any{"account_id": "simAccount", "operator": operator.Email, "operator_id": operator.ID,
			"scope": scope, "object": ch.new, "old_object": ch.old, "time_stamp": s.opts.Now().UnixMilli()}})
}

// notifyDeleted sends meeting.deleted: the whole meeting (operation "all") or the deleted occurrences
// ("single").
func (s *Server) notifyDeleted(m *Meeting, operator *User, deleted []Occurrence) {
	s.mu.Lock()
	obj := map[string]any{"id": m.ID, "uuid": m.UUID, "host_id": m.HostID, "topic": m.Topic, "type": m.Type,
		"start_time": m.StartTime.Format(time.RFC3339), "duration": m.Duration, "timezone": m.Timezone}
	op := "all"
	if deleted != nil {
		op = "single"
		occ := make([]map[string]any, 0, len(deleted))
		for _, o := range deleted {
			occ = append(occ, map[string]any{"occurrence_id": o.ID, "start_time": o.Start.Format(time.RFC3339)})
		}
		obj["occurrences"] = occ
	}
	body := map[string]any{"event": "meeting.deleted", "event_ts": s.opts.Now().UnixMilli(),
		"payload": map[string]any{"account_id": "simAccount", "operator": operator.Email, "operator_id": operator.ID,
			"operation": op, "object": obj}}
	s.mu.Unlock()
	s.notifyBody("meeting.deleted", body)
}

// HostUpdate is the host changing the meeting (or one occurrence) in Zoom's own web portal: the change is
// made and meeting.updated follows. startTime is local to the meeting's timezone ("2006-01-02T15:04:05") or
// UTC with "Z"; empty leaves it; duration 0 leaves it.
func (s *Server) HostUpdate(id int64, occurrenceID, startTime string, duration int) error {
	s.mu.Lock()
	m := s.meetings[id]
	if m == nil {
		s.mu.Unlock()
		return fmt.Errorf("zoomsim: no meeting %d", id)
	}
	var f scheduleFields
	if startTime != "" {
		f.StartTime = &startTime
	}
	if duration > 0 {
		f.Duration = &duration
	}
	ch, ferr := s.patch(m, f, occurrenceID)
	host := s.users[m.HostID]
	s.mu.Unlock()
	if ferr != nil {
		return fmt.Errorf("zoomsim: %s: %s", ferr.field, ferr.message)
	}
	s.notifyUpdated(m, ch, host, occurrenceID)
	return nil
}

// HostDelete is the host deleting the meeting (or one occurrence) in Zoom's web portal: meeting.deleted
// follows.
func (s *Server) HostDelete(id int64, occurrenceID string) error {
	s.mu.Lock()
	m := s.meetings[id]
	if m == nil {
		s.mu.Unlock()
		return fmt.Errorf("zoomsim: no meeting %d", id)
	}
	deleted, code, _ := s.remove(m, occurrenceID)
	host := s.users[m.HostID]
	s.mu.Unlock()
	if code != 0 {
		return fmt.Errorf("zoomsim: cannot delete meeting %d: code %d", id, code)
	}
	s.notifyDeleted(m, host, deleted)
	return nil
}

// remove deletes a meeting or one occurrence; it returns the deleted occurrences (nil for the whole
// meeting), or Zoom's error code and message. Callers hold s.mu.
func (s *Server) remove(m *Meeting, occurrenceID string) ([]Occurrence, int, string) {
	switch {
	case m.Status == "started":
		return nil, 3002, "Sorry, you cannot delete this meeting since it is in progress."
	case m.Personal:
		return nil, 3018, "Not allowed to delete PMI."
	case m.Type == 1 && m.ended:
		return nil, 3007, "Sorry, you cannot delete this meeting since it has ended."
	}
	if occurrenceID != "" {
		// DELETE /meetings/{meetingId} documents 400, code 3000 "Invalid occurrence_id." (Zoom's Meeting API
		// OpenAPI file); an occurrence already deleted is no longer one to delete.
		o := m.occurrence(occurrenceID)
		if o == nil || o.Status == "deleted" {
			return nil, 3000, "Invalid occurrence_id."
		}
		o.Status = "deleted"
		return []Occurrence{*o}, 0, ""
	}
	delete(s.meetings, m.ID)
	return nil, 0, ""
}

// AddScheduledMeeting is a host scheduling a meeting in Zoom itself (the web portal, a calendar add-on):
// start is taken in tz; rec nil makes a one-off (type 2) meeting, otherwise a recurring one (type 8).
func (s *Server) AddScheduledMeeting(hostEmail, topic string, start time.Time, tz string, duration int, rec *Recurrence) (Meeting, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByEmail(hostEmail)
	if u == nil {
		return Meeting{}, fmt.Errorf("zoomsim: no user %s", hostEmail)
	}
	typ, st := 2, start.UTC().Format("2006-01-02T15:04:05Z")
	if rec != nil {
		typ = 8
	}
	m := &Meeting{ID: 80000000000 + randomInt(9999999999), UUID: newUUID(), HostID: u.ID, HostEmail: u.Email, Status: "waiting",
		Password: fmt.Sprintf("%06d", randomInt(1000000)), EncryptedPassword: randomID(32) + ".1", CreatedAt: s.opts.Now().UTC(), zak: randomToken()}
	if ferr := s.applySchedule(m, scheduleFields{Topic: &topic, Type: &typ, StartTime: &st, Duration: &duration, Timezone: &tz, Recurrence: rec}, u.Timezone); ferr != nil {
		return Meeting{}, fmt.Errorf("zoomsim: %s: %s", ferr.field, ferr.message)
	}
	m.StartURL = fmt.Sprintf("%s/s/%d?zak=%s", s.baseURL, m.ID, m.zak)
	m.JoinURL = fmt.Sprintf("%s/j/%d?pwd=%s", s.baseURL, m.ID, m.EncryptedPassword)
	s.meetings[m.ID] = m
	return *m, nil
}

// AddPersonalMeeting makes the host's Personal Meeting ID room exist (GET /meetings/{pmi} answers type 4).
func (s *Server) AddPersonalMeeting(hostEmail string) (Meeting, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByEmail(hostEmail)
	if u == nil {
		return Meeting{}, fmt.Errorf("zoomsim: no user %s", hostEmail)
	}
	m := &Meeting{ID: u.PMI, UUID: newUUID(), HostID: u.ID, HostEmail: u.Email, Status: "waiting", Type: 4, Personal: true,
		Topic: u.FirstName + "'s Personal Meeting Room", Password: "pmi123", CreatedAt: s.opts.Now().UTC(), zak: randomToken(),
		Timezone: u.Timezone, Duration: 60, StartTime: s.opts.Now().UTC()}
	m.JoinURL = fmt.Sprintf("%s/j/%d", s.baseURL, m.ID)
	s.meetings[m.ID] = m
	return *m, nil
}
