package meeting

import (
	"encoding/json"
	"time"
)

// scheduleDocument is the part of a Schedule that a store keeps as one JSON document: what it neither searches
// nor sorts by. Both stores keep the same document, so a schedule reads the same from either.
type scheduleDocument struct {
	TeamID        string       `json:"team_id"`
	RootID        string       `json:"root_id"`
	CreatorLocale string       `json:"creator_locale"`
	Topic         string       `json:"topic"`
	Agenda        string       `json:"agenda"`
	Timezone      string       `json:"timezone"`
	DurationMin   int64        `json:"duration_minutes"`
	Recurrence    *Recurrence  `json:"recurrence,omitempty"`
	Occurrences   []Occurrence `json:"occurrences"`
	JoinURL       string       `json:"join_url,omitempty"`
}

// MarshalDocument encodes the part of sc a store keeps as a JSON document (see UnmarshalDocument).
func (sc *Schedule) MarshalDocument() ([]byte, error) {
	return json.Marshal(scheduleDocument{TeamID: sc.TeamID, RootID: sc.RootID, CreatorLocale: sc.CreatorLocale, Topic: sc.Topic,
		Agenda: sc.Agenda, Timezone: sc.Timezone, DurationMin: int64(sc.Duration / time.Minute), Recurrence: sc.Recurrence,
		Occurrences: sc.Occurrences, JoinURL: sc.JoinURL})
}

// UnmarshalDocument sets the fields MarshalDocument encoded, with every time in UTC.
func (sc *Schedule) UnmarshalDocument(b []byte) error {
	var d scheduleDocument
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	sc.TeamID, sc.RootID, sc.CreatorLocale, sc.Topic, sc.Agenda, sc.Timezone = d.TeamID, d.RootID, d.CreatorLocale, d.Topic, d.Agenda, d.Timezone
	sc.Duration, sc.Recurrence, sc.Occurrences, sc.JoinURL = time.Duration(d.DurationMin)*time.Minute, d.Recurrence, d.Occurrences, d.JoinURL
	for i := range sc.Occurrences {
		sc.Occurrences[i].Start = sc.Occurrences[i].Start.UTC()
	}
	if sc.Recurrence != nil && !sc.Recurrence.Until.IsZero() {
		sc.Recurrence.Until = sc.Recurrence.Until.UTC()
	}
	return nil
}

// StartSpan is the first and the last start of sc's occurrences in Unix milliseconds (0 and 0 without
// any): the columns a store finds upcoming schedules by.
func (sc *Schedule) StartSpan() (first, last int64) {
	for _, o := range sc.Occurrences {
		if ms := o.Start.UnixMilli(); first == 0 || ms < first {
			first = ms
		}
		if ms := o.Start.UnixMilli(); ms > last {
			last = ms
		}
	}
	return first, last
}
