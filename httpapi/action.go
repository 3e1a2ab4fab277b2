package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/mmzoom/mmzoom/mattermost"
)

// action serves POST /mattermost/action, the message buttons. Mattermost sends no credentials with a click:
// the signed integration context is the only proof, so it is verified before any other work. A forged,
// altered, expired or foreign context is refused with 403 and changes nothing; a legitimate click on a
// question already answered is told so by the service (it spends the question's nonce).
func (s *Server) action(w http.ResponseWriter, r *http.Request) {
	req, err := mattermost.ParseAction(r)
	if err != nil {
		s.log.InfoContext(r.Context(), "malformed action request", "err", err)
		http.Error(w, "malformed action request", http.StatusBadRequest)
		return
	}
	a, err := s.signer.Verify(req.Context, req.UserID, req.ChannelID)
	if err != nil {
		s.log.WarnContext(r.Context(), "button click with an invalid context refused", "user_id", clip(req.UserID), "err", err)
		http.Error(w, "invalid action context", http.StatusForbidden)
		return
	}
	// Mattermost waits 30 s for the answer.
	ctx, cancel := context.WithTimeout(r.Context(), 25*time.Second)
	defer cancel()
	a.TriggerID = req.TriggerID // a click can open a dialog (Reschedule)
	reply, err := s.svc.Click(ctx, a, req.UserID, req.ChannelID)
	if err != nil {
		s.logError(ctx, "action", "button action failed", err, "action", a.Name, "user_id", clip(req.UserID))
		writeJSON(w, http.StatusOK, &mattermost.ActionResponse{EphemeralText: s.userMessage(s.svc.Locale(ctx, req.UserID), err)})
		return
	}
	writeJSON(w, http.StatusOK, s.signer.ActionResponse(reply, a))
}
