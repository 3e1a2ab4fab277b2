package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/mmzoom/mmzoom/mattermost"
)

// action serves POST /mattermost/action, the message buttons. Mattermost sends no credentials with a click:
// the signed integration context is the only proof, so it is verified before any other work.
func (s *Server) action(w http.ResponseWriter, r *http.Request) {
	req, err := mattermost.ParseAction(r)
	if err != nil {
		s.log.InfoContext(r.Context(), "malformed action request", "err", err)
		http.Error(w, "malformed action request", http.StatusBadRequest)
		return
	}
	a, nonce, err := s.signer.Verify(req.Context, req.UserID, req.ChannelID)
	if err != nil {
		s.log.WarnContext(r.Context(), "button click with an invalid context refused", "user_id", clip(req.UserID), "err", err)
		http.Error(w, "invalid action context", http.StatusForbidden)
		return
	}
	if nonce != "" {
		if err := s.store.UseNonce(r.Context(), nonce, a.Expires); err != nil {
			s.logError(r.Context(), "button click refused: context already used", err, "user_id", clip(req.UserID))
			http.Error(w, "action already used", http.StatusForbidden)
			return
		}
	}
	// Mattermost waits 30 s for the answer.
	ctx, cancel := context.WithTimeout(r.Context(), 25*time.Second)
	defer cancel()
	reply, err := s.svc.Click(ctx, a, req.UserID, req.ChannelID)
	if err != nil {
		s.logError(ctx, "button action failed", err, "action", a.Name, "user_id", clip(req.UserID))
		writeJSON(w, http.StatusOK, &mattermost.ActionResponse{EphemeralText: s.userMessage(s.svc.Locale(ctx, req.UserID), err)})
		return
	}
	writeJSON(w, http.StatusOK, s.signer.ActionResponse(reply, req.ChannelID))
}
