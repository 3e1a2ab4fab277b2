package zoomsim

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// What Zoom makes of a meeting once it ended: the AI Companion summary (meeting.summary_* events and
// GET /meetings/{meetingId}/meeting_summary), the audio transcript (recording.transcript_completed) and the
// meeting chat (a CHAT file of recording.completed). Field names and types follow Zoom's documentation and
// its Rivet SDK's event types (see ../shared/reference/zoom-api.md §7); files are downloaded with the
// event's download_token as a Bearer header, never as a query parameter.

// Summary is an AI Companion meeting summary.
type Summary struct {
	Title     string
	Overview  string
	Details   []SummaryDetail
	NextSteps []string
	// Content is summary_content, the whole summary in Markdown, which Zoom added to meeting.summary_completed
	// and meeting.summary_updated on 2025-04-24 (developers.zoom.us/changelog/meetings/april-24-2025) and
	// which the meeting_summary endpoint answers too; empty makes one from the fields above.
	Content string
}

// SummaryDetail is one topic of a summary (summary_details[]: label and summary).
type SummaryDetail struct{ Label, Summary string }

// Summary event types Zoom documents (changelogs of 2023-11-20 and 2024-05-20; Rivet's
// MeetingSummaryUpdatedEvent for the update).
const (
	EventSummaryCompleted = "meeting.summary_completed"
	EventSummaryUpdated   = "meeting.summary_updated"
	EventSummaryTrashed   = "meeting.summary_trashed"
	EventSummaryDeleted   = "meeting.summary_deleted"
	EventSummaryRecovered = "meeting.summary_recovered"
)

type storedSummary struct {
	Summary
	past                  *pastMeeting
	docID                 string
	created, modified     time.Time
	trashed               bool
	deleted               bool
	editedDetails         string // edited_summary.summary_details, after an edit in Zoom
	editedNextSteps       []string
	summaryStart, summEnd time.Time
	contentOnly           bool
}

// simFile is a file behind a download URL that needs its download token, until the token expires.
type simFile struct {
	content []byte
	token   string
	expires time.Time
}

// downloadTokenTTL is how long an event's download_token opens its files: 24 hours from the event (Workato's
// Zoom connector documentation and notes of a real integration both say 24 hours; Zoom states no other
// figure). A receiver that waits longer must fetch a fresh link through the recordings API.
const downloadTokenTTL = 24 * time.Hour

// Download is one request for a recording file.
type Download struct {
	Path string
	// Bearer: the request carried "Authorization: Bearer <the file's download token>".
	Bearer bool
	Status int
}

// SummaryOptions shape a summary event.
type SummaryOptions struct {
	// Partial sends the event without summary_details and next_steps (the receiver must fetch them).
	Partial bool
	// ContentOnly makes a summary whose only text is summary_content: summary_overview absent and
	// summary_details and next_steps empty, in the event and the endpoint alike, as a summary made from one of
	// AI Companion's templates is (the older fields are the deprecated ones).
	ContentOnly bool
}

// SummaryCompleted makes the AI Companion summary of the meeting's last ended instance:
// meeting.summary_completed follows, and GET /meetings/{uuid}/meeting_summary answers it.
func (s *Server) SummaryCompleted(ctx context.Context, id int64, sum Summary, o SummaryOptions) error {
	s.mu.Lock()
	p := s.lastPast[id]
	if p == nil {
		s.mu.Unlock()
		return fmt.Errorf("zoomsim: meeting %d has not ended", id)
	}
	now := s.opts.Now().UTC()
	st := &storedSummary{Summary: sum, past: p, docID: randomID(22), created: now, modified: now, summaryStart: p.Start, summEnd: p.End,
		contentOnly: o.ContentOnly}
	s.summaries[p.UUID] = st
	obj := s.summaryObject(st, !o.Partial)
	s.mu.Unlock()
	s.notify(EventSummaryCompleted, obj)
	return nil
}

// SummaryUpdated is the host editing the summary in Zoom: meeting.summary_updated follows, with the
// edited text in edited_summary (summary_details a string there, as Zoom sends it).
func (s *Server) SummaryUpdated(ctx context.Context, id int64, sum Summary) error {
	return s.summaryChange(id, EventSummaryUpdated, func(st *storedSummary) {
		st.Summary = sum
		var b strings.Builder
		for _, d := range sum.Details {
			b.WriteString(d.Label + "\n" + d.Summary + "\n")
		}
		st.editedDetails, st.editedNextSteps = strings.TrimSpace(b.String()), sum.NextSteps
	})
}

// SummaryTrashed is the host moving the summary to the trash: meeting.summary_trashed follows.
func (s *Server) SummaryTrashed(ctx context.Context, id int64) error {
	return s.summaryChange(id, EventSummaryTrashed, func(st *storedSummary) { st.trashed = true })
}

// SummaryRecovered is the host restoring a trashed summary: meeting.summary_recovered follows.
func (s *Server) SummaryRecovered(ctx context.Context, id int64) error {
	return s.summaryChange(id, EventSummaryRecovered, func(st *storedSummary) { st.trashed = false })
}

// SummaryDeleted is the host deleting the summary for good: meeting.summary_deleted follows.
func (s *Server) SummaryDeleted(ctx context.Context, id int64) error {
	return s.summaryChange(id, EventSummaryDeleted, func(st *storedSummary) { st.deleted = true })
}

func (s *Server) summaryChange(id int64, event string, change func(*storedSummary)) error {
	s.mu.Lock()
	p := s.lastPast[id]
	var st *storedSummary
	if p != nil {
		st = s.summaries[p.UUID]
	}
	if st == nil || st.deleted {
		s.mu.Unlock()
		return fmt.Errorf("zoomsim: meeting %d has no summary", id)
	}
	change(st)
	st.modified = s.opts.Now().UTC()
	// Only the completed and updated events carry the summary's content; the others carry its metadata.
	obj := s.summaryObject(st, event == EventSummaryUpdated)
	if event == EventSummaryUpdated {
		edited := map[string]any{"summary_details": st.editedDetails}
		if st.editedNextSteps != nil {
			edited["next_steps"] = st.editedNextSteps
		}
		obj["edited_summary"] = edited
	}
	s.mu.Unlock()
	s.notifyBody(event, map[string]any{"event": event, "event_ts": s.opts.Now().UnixMilli(),
		"payload": map[string]any{"account_id": "simAccount", "operator": p.HostEmail, "operator_id": p.HostID, "object": obj}})
	return nil
}

// summaryObject is payload.object of a summary event (meeting_id a number here, unlike meeting events).
// With content, it carries the overview, the per-topic details and the next steps.
func (s *Server) summaryObject(st *storedSummary, content bool) map[string]any {
	p := st.past
	obj := map[string]any{"meeting_id": p.ID, "meeting_uuid": p.UUID, "meeting_host_id": p.HostID, "meeting_host_email": p.HostEmail,
		"meeting_topic": p.Topic, "meeting_start_time": p.Start.Format(time.RFC3339), "meeting_end_time": p.End.Format(time.RFC3339),
		"summary_start_time": st.summaryStart.Format(time.RFC3339), "summary_end_time": st.summEnd.Format(time.RFC3339),
		"summary_created_time": st.created.Format(time.RFC3339), "summary_last_modified_time": st.modified.Format(time.RFC3339),
		"summary_title": st.Title}
	if content {
		s.summaryContent(st, obj)
	}
	return obj
}

func (s *Server) summaryContent(st *storedSummary, obj map[string]any) {
	details := []map[string]any{}
	for _, d := range st.Details {
		details = append(details, map[string]any{"label": d.Label, "summary": d.Summary})
	}
	steps := st.NextSteps
	if steps == nil {
		steps = []string{}
	}
	obj["summary_content"] = st.markdown()
	if st.contentOnly {
		details, steps = []map[string]any{}, []string{}
	} else if st.Overview != "" {
		obj["summary_overview"] = st.Overview
	}
	obj["summary_details"], obj["next_steps"] = details, steps
	obj["summary_doc_url"] = s.baseURL + "/doc/" + st.docID
}

// markdown is the summary's summary_content: its Content, or Markdown made of the other fields (a heading per
// part, a bullet per next step).
func (st *storedSummary) markdown() string {
	if st.Content != "" {
		return st.Content
	}
	var b strings.Builder
	b.WriteString("## Quick recap\n\n" + st.Overview + "\n")
	for _, d := range st.Details {
		b.WriteString("\n### " + d.Label + "\n\n" + d.Summary + "\n")
	}
	if len(st.NextSteps) > 0 {
		b.WriteString("\n## Next steps\n\n")
		for _, n := range st.NextSteps {
			b.WriteString("- " + n + "\n")
		}
	}
	return b.String()
}

// getMeetingSummary serves GET /v2/meetings/{meetingId}/meeting_summary: a meeting UUID (a meeting id
// means its latest instance). A UUID that begins with "/" or contains "//" must arrive encoded twice:
// encoded once, its slashes split the path and Zoom finds no such meeting.
func (s *Server) getMeetingSummary(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("meetingId") // decoded once by the router
	if strings.HasPrefix(key, "/") || strings.Contains(key, "//") {
		zoomError(w, http.StatusNotFound, 3001, "Meeting does not exist: "+key+".")
		return
	}
	if strings.Contains(key, "%") {
		if d, err := url.PathUnescape(key); err == nil {
			key = d
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.summaries[key]
	if st == nil {
		if id, err := strconv.ParseInt(key, 10, 64); err == nil && s.lastPast[id] != nil {
			st = s.summaries[s.lastPast[id].UUID]
		}
	}
	if st == nil || st.trashed || st.deleted {
		zoomError(w, http.StatusNotFound, 3001, "Meeting summary does not exist.")
		return
	}
	obj := s.summaryObject(st, true)
	if st.editedDetails != "" {
		obj["edited_summary"] = map[string]any{"summary_details": st.editedDetails, "next_steps": st.editedNextSteps}
	}
	writeJSON(w, http.StatusOK, obj)
}

// TranscriptCompleted makes the audio transcript (WebVTT) of the meeting's last ended instance:
// recording.transcript_completed follows, with a download_token and the file's download_url.
func (s *Server) TranscriptCompleted(ctx context.Context, id int64, vtt string) error {
	s.mu.Lock()
	p := s.lastPast[id]
	if p == nil {
		s.mu.Unlock()
		return fmt.Errorf("zoomsim: meeting %d has not ended", id)
	}
	token := randomToken()
	fileID := randomID(20)
	s.files[fileID] = &simFile{content: []byte(vtt), token: token, expires: s.opts.Now().Add(downloadTokenTTL)}
	obj := map[string]any{"id": p.ID, "uuid": p.UUID, "host_id": p.HostID, "account_id": "simAccount", "topic": p.Topic, "type": p.Type,
		"start_time": p.Start.Format(time.RFC3339), "timezone": "Asia/Tokyo", "host_email": p.HostEmail,
		"duration": int(p.End.Sub(p.Start).Minutes()), "share_url": s.baseURL + "/rec/share/" + randomID(20), "total_size": len(vtt),
		"recording_count": 1, "recording_files": []map[string]any{{"id": randomID(16), "meeting_id": p.UUID,
			"recording_start": p.Start.Format(time.RFC3339), "recording_end": p.End.Format(time.RFC3339),
			"recording_type": "audio_transcript", "file_type": "TRANSCRIPT", "file_size": len(vtt), "file_extension": "VTT",
			"download_url": s.baseURL + "/rec/download/" + fileID, "status": "completed"}}}
	s.mu.Unlock()
	s.notifyBody("recording.transcript_completed", map[string]any{"event": "recording.transcript_completed",
		"event_ts": s.opts.Now().UnixMilli(), "download_token": token, "payload": map[string]any{"account_id": "simAccount", "object": obj}})
	return nil
}

// SetMeetingChat sets what the next recording.completed of meeting id carries as its CHAT file.
func (s *Server) SetMeetingChat(id int64, chat string) {
	s.mu.Lock()
	s.chats[id] = chat
	s.mu.Unlock()
}

// chatFile registers the meeting chat of meeting id behind a download URL for token; it returns the
// recording_files entry, or nil when the meeting had no chat.
func (s *Server) chatFile(p *pastMeeting, token string) map[string]any {
	chat, ok := s.chats[p.ID]
	if !ok {
		return nil
	}
	fileID := randomID(20)
	s.files[fileID] = &simFile{content: []byte(chat), token: token, expires: s.opts.Now().Add(downloadTokenTTL)}
	return map[string]any{"id": randomID(16), "meeting_id": p.UUID, "recording_start": p.Start.Format(time.RFC3339),
		"recording_end": p.End.Format(time.RFC3339), "recording_type": "chat_file", "file_type": "CHAT", "file_size": len(chat),
		"file_extension": "TXT", "download_url": s.baseURL + "/rec/download/" + fileID, "status": "completed"}
}

// downloadFile serves a recording file to a request that carries the event's download_token as a Bearer
// header. The token in the query string is refused, as Zoom refuses access tokens there.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.files[r.PathValue("id")]
	s.mu.Unlock()
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	bearer := f != nil && strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(tok), []byte(f.token)) == 1
	status := http.StatusOK
	defer func() {
		s.mu.Lock()
		s.downloads = append(s.downloads, Download{Path: r.URL.Path, Bearer: bearer, Status: status})
		s.mu.Unlock()
	}()
	switch {
	case f == nil:
		status = http.StatusNotFound
		zoomError(w, status, 3301, "This recording does not exist.")
		return
	case !bearer:
		status = http.StatusUnauthorized
		zoomError(w, status, 124, "Invalid access token.")
		return
	case !s.opts.Now().Before(f.expires):
		status = http.StatusUnauthorized
		zoomError(w, status, 124, "Access token is expired.")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.content)))
	_, _ = w.Write(f.content)
}

// Downloads lists the requests for recording files.
func (s *Server) Downloads() []Download {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Download(nil), s.downloads...)
}

// docPage shows a summary as Zoom Docs would (the summary_doc_url).
func (s *Server) docPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var found *storedSummary
	for _, st := range s.summaries {
		if st.docID == r.PathValue("id") && !st.trashed && !st.deleted {
			found = st
		}
	}
	var msg string
	if found != nil {
		msg = found.Title
	}
	s.mu.Unlock()
	if found == nil {
		s.page(w, http.StatusNotFound, pageData{Message: "This document does not exist."})
		return
	}
	s.page(w, http.StatusOK, pageData{Message: msg, Summary: &found.Summary})
}
