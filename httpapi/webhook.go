package httpapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/zoom"
)

// zoomWebhook serves POST /zoom/webhook. The signature is checked over the raw body before anything is
// parsed; an unsigned or wrongly signed request is refused whatever it claims to be.
func (s *Server) zoomWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, zoom.MaxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.refused.Refused(RefusedTooLarge)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		s.refused.Refused(RefusedUnreadable)
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if err := s.webhook.Verify(r.Header, body); err != nil {
		s.log.WarnContext(ctx, "Zoom webhook refused", "err", err)
		s.refused.Refused(refusalReason(err))
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	ev, err := zoom.ParseEvent(body)
	if err != nil {
		s.log.WarnContext(ctx, "malformed Zoom webhook", "err", err)
		s.refused.Refused(RefusedMalformed)
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if ev.Event == "endpoint.url_validation" {
		if ev.PlainToken == "" {
			http.Error(w, "no plainToken", http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"plainToken": ev.PlainToken, "encryptedToken": s.webhook.EncryptToken(ev.PlainToken)})
		return
	}
	if !meeting.Handled(ev.Event) {
		s.log.DebugContext(ctx, "Zoom event ignored", "event", ev.Event)
		w.WriteHeader(http.StatusOK)
		return
	}
	// Acknowledge only what is durable: the event is stored before Zoom hears 200 (a repeated delivery too: it
	// is dropped before it is applied). A captured request replayed within the timestamp window is refused:
	// each delivery Zoom makes, retries included, is signed anew with its own timestamp, so the same signature
	// never comes twice from Zoom.
	err = s.svc.Ingest(ctx, domainEvent(ev), "zoom-webhook:"+r.Header.Get("x-zm-request-timestamp")+":"+r.Header.Get("x-zm-signature"))
	if meeting.KindOf(err) == meeting.KindActionInvalid {
		s.log.WarnContext(ctx, "replayed Zoom webhook refused", "event", ev.Event)
		s.refused.Refused(RefusedReplayed)
		http.Error(w, "replayed request", meeting.HandlingOf(meeting.KindActionInvalid).Status)
		return
	}
	if err != nil {
		// 500 makes Zoom deliver the event again later.
		s.logError(ctx, "webhook", "storing a Zoom event failed", err, "event", ev.Event, "meeting_id", ev.Meeting.ID)
		http.Error(w, "event not stored", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// domainEvent keeps what the domain needs of a webhook. The download token is kept only with the transcript
// and chat files it opens, inside the event the store seals, and only when there are such files.
func domainEvent(ev *zoom.Event) meeting.Event {
	out := meeting.Event{Type: ev.Event, MeetingID: ev.Meeting.ID, UUID: ev.Meeting.UUID, StartTime: ev.Meeting.StartTime,
		EndTime: ev.Meeting.EndTime, Participant: ev.Participant.Key(), ParticipantName: ev.Participant.UserName,
		ZoomUserID: ev.UserID, DeauthorizedAt: ev.DeauthorizedAt}
	switch ev.Event {
	case meeting.EventParticipantJoined:
		out.At = ev.Participant.JoinTime
	case meeting.EventParticipantLeft:
		out.At = ev.Participant.LeaveTime
	case meeting.EventRecordingCompleted, meeting.EventTranscriptCompleted:
		r := &meeting.Recording{ShareURL: ev.Recording.ShareURL}
		if ev.Event == meeting.EventRecordingCompleted {
			r.Passcode = ev.Recording.Password
		}
		for _, f := range ev.Recording.Files {
			switch f.FileType {
			case meeting.FileTranscript, meeting.FileChat:
				if f.DownloadURL != "" {
					out.Files = append(out.Files, meeting.RecordingFile{Type: f.FileType, Extension: f.FileExtension,
						DownloadURL: f.DownloadURL, Size: f.FileSize})
				}
			default:
				if f.PlayURL != "" {
					r.PlayURLs = append(r.PlayURLs, f.PlayURL)
				}
			}
		}
		if len(out.Files) > 0 {
			out.DownloadToken = ev.Recording.DownloadToken
		}
		out.Recording = r
	}
	if ev.Summary != nil {
		out.Summary = ev.Summary.Domain()
	}
	if out.At.IsZero() {
		out.At = ev.EventTS
	}
	return out
}
