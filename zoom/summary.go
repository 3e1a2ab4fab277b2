package zoom

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// EventSummary is a meeting's AI Companion summary as the meeting.summary_* events and the meeting_summary
// endpoint carry it. Trashed, deleted and recovered events carry only the metadata (no details).
type EventSummary struct {
	MeetingID       int64
	MeetingUUID     string
	Topic           string
	Title           string
	Overview        string
	Details         []SummaryDetail
	NextSteps       []string
	EditedDetails   string   // edited_summary.summary_details: the host's edit, plain text
	EditedNextSteps []string // edited_summary.next_steps
	Content         string   // summary_content: the whole summary in Markdown (the only text of a template summary)
	DocURL          string   // summary_doc_url
	Modified        time.Time
}

// SummaryDetail is one topic of a summary (summary_details[]).
type SummaryDetail struct {
	Label   string `json:"label"`
	Summary string `json:"summary"`
}

// wireSummary is the summary part of an event's object, or the meeting_summary answer. Parsed leniently:
// where Zoom documents a string or a list inconsistently (summary_details is a list of topics in the object
// and a string in edited_summary), an unexpected shape is read as absent rather than refusing the event.
type wireSummary struct {
	MeetingID     flexInt         `json:"meeting_id"`
	MeetingUUID   string          `json:"meeting_uuid"`
	MeetingTopic  string          `json:"meeting_topic"`
	SummaryTitle  string          `json:"summary_title"`
	Overview      string          `json:"summary_overview"`
	SummaryDocURL string          `json:"summary_doc_url"`
	Content       string          `json:"summary_content"`
	LastModified  flexTime        `json:"summary_last_modified_time"`
	RawDetails    json.RawMessage `json:"summary_details"`
	RawNextSteps  json.RawMessage `json:"next_steps"`
	Edited        json.RawMessage `json:"edited_summary"`
}

func (w *wireSummary) summary() *EventSummary {
	s := &EventSummary{MeetingID: int64(w.MeetingID), MeetingUUID: w.MeetingUUID, Topic: w.MeetingTopic, Title: w.SummaryTitle,
		Overview: w.Overview, Content: w.Content, DocURL: w.SummaryDocURL, Modified: time.Time(w.LastModified)}
	s.Details = details(w.RawDetails)
	s.NextSteps = stringList(w.RawNextSteps)
	var edited struct {
		Details   json.RawMessage `json:"summary_details"`
		NextSteps json.RawMessage `json:"next_steps"`
	}
	if len(w.Edited) > 0 && json.Unmarshal(w.Edited, &edited) == nil {
		var text string
		if json.Unmarshal(edited.Details, &text) == nil {
			s.EditedDetails = text
		} else if d := details(edited.Details); len(d) > 0 {
			s.Details = d
		}
		s.EditedNextSteps = stringList(edited.NextSteps)
	}
	return s
}

func details(raw json.RawMessage) []SummaryDetail {
	var d []SummaryDetail
	if len(bytes.TrimSpace(raw)) == 0 || json.Unmarshal(raw, &d) != nil {
		return nil
	}
	return d
}

func stringList(raw json.RawMessage) []string {
	var l []string
	if len(bytes.TrimSpace(raw)) == 0 || json.Unmarshal(raw, &l) != nil {
		return nil
	}
	return l
}

// Domain is the summary as the domain takes it: the host's edits win over Zoom's original text.
func (s *EventSummary) Domain() *meeting.Summary {
	out := &meeting.Summary{Title: s.Title, Overview: s.Overview, NextSteps: s.NextSteps, EditedDetails: strings.TrimSpace(s.EditedDetails),
		Content: s.Content, DocURL: s.DocURL, Modified: s.Modified}
	if s.EditedNextSteps != nil {
		out.NextSteps = s.EditedNextSteps
	}
	for _, d := range s.Details {
		out.Details = append(out.Details, meeting.SummaryDetail{Label: d.Label, Summary: d.Summary})
	}
	return out
}

// MeetingSummary gets a meeting instance's AI Companion summary by UUID (double-encoded where Zoom requires).
// https://developers.zoom.us/docs/api/meetings/#tag/summaries/GET/meetings/{meetingId}/meeting_summary
func (c *Client) MeetingSummary(ctx context.Context, uuid string) (*EventSummary, error) {
	var w wireSummary
	if err := c.call(ctx, http.MethodGet, "meetings/"+EscapeUUID(uuid)+"/meeting_summary", nil, &w); err != nil {
		return nil, err
	}
	return w.summary(), nil
}

var _ meeting.SummaryZoom = (*Gateway)(nil)

// MeetingSummary gets a meeting instance's summary with owner's credential (scope meeting_summary:read, or
// meeting_summary:read:admin for account-level apps).
func (g *Gateway) MeetingSummary(ctx context.Context, owner meeting.Owner, uuid string) (*meeting.Summary, error) {
	var s *EventSummary
	err := g.call(ctx, owner, func(c *Client) (err error) {
		s, err = c.MeetingSummary(ctx, uuid)
		return err
	})
	if err != nil {
		return nil, classify(err, "")
	}
	return s.Domain(), nil
}
