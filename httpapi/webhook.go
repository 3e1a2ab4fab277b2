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
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if err := s.webhook.Verify(r.Header, body); err != nil {
		s.log.WarnContext(ctx, "Zoom webhook refused", "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	ev, err := zoom.ParseEvent(body)
	if err != nil {
		s.log.WarnContext(ctx, "malformed Zoom webhook", "err", err)
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	switch ev.Event {
	case "endpoint.url_validation":
		if ev.PlainToken == "" {
			http.Error(w, "no plainToken", http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"plainToken": ev.PlainToken, "encryptedToken": s.webhook.EncryptToken(ev.PlainToken)})
	case meeting.EventMeetingStarted, meeting.EventMeetingEnded:
		_, err := s.svc.ApplyEvent(ctx, meeting.Event{
			Type: ev.Event, MeetingID: ev.Meeting.ID, UUID: ev.Meeting.UUID,
			StartTime: ev.Meeting.StartTime, EndTime: ev.Meeting.EndTime,
		})
		if err != nil {
			// 500 makes Zoom deliver the event again later.
			s.logError(ctx, "applying a Zoom event failed", err, "event", ev.Event, "meeting_id", ev.Meeting.ID)
			http.Error(w, "event not applied", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		s.log.DebugContext(ctx, "Zoom event ignored", "event", ev.Event)
		w.WriteHeader(http.StatusOK)
	}
}
