package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/mmzoom/mmzoom/mattermost"
	"github.com/mmzoom/mmzoom/meeting"
)

// dialog serves POST /mattermost/dialog, the schedule dialog's submissions. Mattermost sends no credentials
// and takes the state from the user's client, so the signed state is the only proof: it must have been made
// for this user and not have expired, or the submission is refused with 403 and changes nothing (the
// channel it names is where the meeting goes; the submission's channel is just the one the user views). A replayed state (its nonce spent by an earlier submission) is refused by the service.
func (s *Server) dialog(w http.ResponseWriter, r *http.Request) {
	sub, values, err := mattermost.ParseDialogSubmission(r)
	if err != nil {
		s.log.InfoContext(r.Context(), "malformed dialog submission", "err", err)
		http.Error(w, "malformed dialog submission", http.StatusBadRequest)
		return
	}
	if sub.Cancelled {
		w.WriteHeader(http.StatusOK)
		return
	}
	st, err := s.signer.VerifyState(sub.State, sub.UserID)
	if errors.Is(err, mattermost.ErrStateExpired) && sub.CallbackID == meeting.CallbackSchedule {
		// The user's own dialog, left open too long: say so, in the dialog, and change nothing.
		writeJSON(w, http.StatusOK, map[string]string{"error": s.text.T(s.svc.Locale(r.Context(), sub.UserID), "schedule.dialog.expired")})
		return
	}
	if err != nil || sub.CallbackID != meeting.CallbackSchedule {
		s.log.WarnContext(r.Context(), "dialog submission with an invalid state refused", "user_id", clip(sub.UserID), "err", err)
		http.Error(w, "invalid dialog state", http.StatusForbidden)
		return
	}
	// Mattermost waits OutgoingIntegrationRequestsTimeout (30 s by default) for the answer.
	ctx, cancel := context.WithTimeout(r.Context(), 25*time.Second)
	defer cancel()
	fieldErrors, err := s.svc.SubmitSchedule(ctx, st, values)
	switch {
	case meeting.KindOf(err) == meeting.KindActionInvalid:
		s.logError(ctx, "dialog", "schedule dialog submitted again", err, "user_id", clip(sub.UserID))
		writeJSON(w, http.StatusOK, map[string]string{"error": s.text.T(s.svc.Locale(ctx, sub.UserID), "schedule.dialog.used")})
	case err != nil:
		s.logError(ctx, "dialog", "schedule dialog failed", err, "user_id", clip(sub.UserID))
		writeJSON(w, http.StatusOK, map[string]string{"error": s.userMessage(s.svc.Locale(ctx, sub.UserID), err)})
	case fieldErrors[meeting.DialogGeneralError] != "":
		// About the whole dialog (the channel may no longer have meetings): Mattermost shows "error" at the top.
		writeJSON(w, http.StatusOK, map[string]string{"error": fieldErrors[meeting.DialogGeneralError]})
	case len(fieldErrors) > 0:
		writeJSON(w, http.StatusOK, map[string]any{"errors": fieldErrors})
	default:
		writeJSON(w, http.StatusOK, map[string]any{})
	}
}

// scheduleRequest is where and for whom a scheduling command runs.
func scheduleRequest(req *mattermost.CommandRequest, topic string) meeting.StartRequest {
	return meeting.StartRequest{UserID: req.UserID, ChannelID: req.ChannelID, TeamID: req.TeamID, RootID: req.RootID, Topic: topic}
}
