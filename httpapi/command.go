package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/mattermost"
	"github.com/mmzoom/mmzoom/meeting"
)

// slowWorkTimeout bounds work that finishes after the slash command has been answered.
const slowWorkTimeout = 2 * time.Minute

// command serves POST /mattermost/command, the /zoom slash command.
func (s *Server) command(w http.ResponseWriter, r *http.Request) {
	req, err := mattermost.ParseCommand(r)
	if err != nil {
		s.log.InfoContext(r.Context(), "malformed slash command request", "err", err)
		http.Error(w, "malformed slash command request", http.StatusBadRequest)
		return
	}
	// Authenticate before anything else: an unknown token causes no Zoom or Mattermost call.
	if !s.knownToken(req.Token) {
		s.log.WarnContext(r.Context(), "slash command with an unknown token refused", "team_id", clip(req.TeamID), "user_id", clip(req.UserID))
		http.Error(w, "unknown command token", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	team, err := s.store.BindCommandToken(ctx, tokenID(req.Token), req.TeamID)
	if err != nil {
		s.writeCommand(ctx, w, req, nil, err)
		return
	}
	if team != req.TeamID {
		// Each team's /zoom command has its own token; a token used from another team was copied.
		s.log.WarnContext(ctx, "slash command token used from another team refused", "team_id", clip(req.TeamID), "bound_team_id", clip(team))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(&mattermost.CommandResponse{ResponseType: "ephemeral", Text: s.text.T("", "error.team")})
		return
	}
	sub, rest := splitSubcommand(req.Text)
	var reply *meeting.Reply
	switch strings.ToLower(sub) {
	case "start":
		s.start(w, r, req, rest)
		return
	case "connect":
		reply, err = s.svc.Connect(ctx, req.UserID)
	case "disconnect":
		reply, err = s.svc.Disconnect(ctx, req.UserID, strings.ToLower(rest))
	case "settings":
		reply, err = s.svc.SettingsReply(ctx, req.UserID, req.ChannelID)
	case "channel":
		reply, err = s.svc.ChannelCommand(ctx, req.UserID, req.ChannelID, rest)
	case "admin":
		reply, err = s.admin(ctx, req, rest)
	case "schedule":
		reply, err = s.svc.OpenSchedule(ctx, scheduleRequest(req, rest), req.TriggerID)
	case "list":
		reply, err = s.svc.List(ctx, req.UserID, req.ChannelID, strings.EqualFold(rest, "mine"))
	case "subscribe":
		reply, err = s.svc.Subscribe(ctx, scheduleRequest(req, ""), rest)
	case "unsubscribe":
		reply, err = s.svc.Unsubscribe(ctx, scheduleRequest(req, ""), rest)
	case "subscriptions":
		reply, err = s.svc.SubscriptionsReply(ctx, scheduleRequest(req, ""))
	case "", "help":
		reply = s.svc.Help(ctx, req.UserID)
	default:
		reply = s.svc.UnknownCommand(ctx, req.UserID, clip(sub))
	}
	s.writeCommand(ctx, w, req, reply, err)
}

// start runs `/zoom start` within the start budget: Zoom answering in time lets the reply take the starter
// straight to the meeting; otherwise the user is told it is on its way and the result follows through
// response_url. The start itself is never cut short by the budget.
func (s *Server) start(w http.ResponseWriter, r *http.Request, req *mattermost.CommandRequest, text string) {
	topic, over, perr := meeting.ParseStartText(text)
	if perr != nil {
		s.writeCommand(r.Context(), w, req, s.svc.StartFlagsReply(r.Context(), req.UserID, perr), nil)
		return
	}
	sr := meeting.StartRequest{UserID: req.UserID, ChannelID: req.ChannelID, TeamID: req.TeamID, RootID: req.RootID, Topic: topic, Options: over}
	type result struct {
		reply *meeting.Reply
		err   error
	}
	done := make(chan result, 1)
	bgctx := context.WithoutCancel(r.Context())
	s.bg(func() {
		ctx, cancel := context.WithTimeout(bgctx, slowWorkTimeout)
		defer cancel()
		reply, err := s.svc.Start(ctx, sr)
		done <- result{reply, err}
	})
	timer := time.NewTimer(s.cfg.StartBudget)
	defer timer.Stop()
	select {
	case res := <-done:
		s.writeCommand(r.Context(), w, req, res.reply, res.err)
		return
	case <-timer.C:
	}
	locale := s.svc.Locale(r.Context(), req.UserID)
	writeJSON(w, http.StatusOK, &mattermost.CommandResponse{ResponseType: "ephemeral", Text: s.text.T(locale, "start.working")})
	s.bg(func() {
		res := <-done
		ctx, cancel := context.WithTimeout(bgctx, 30*time.Second)
		defer cancel()
		resp := s.commandResponse(ctx, req, res.reply, res.err)
		// A late answer cannot open the meeting for the user; the host link stays out of it.
		resp.GotoLocation = ""
		if !mattermost.ValidResponseURL(req.ResponseURL, s.cfg.MattermostURL) {
			// Only Mattermost's own response URLs are called: anything else would let a command request
			// make mmzoom post (the user's meeting link included) to an arbitrary address.
			s.log.WarnContext(ctx, "late /zoom start answer dropped: response_url is not the configured Mattermost", "user_id", clip(req.UserID))
			return
		}
		if err := s.responder.Respond(ctx, req.ResponseURL, resp); err != nil {
			s.log.ErrorContext(ctx, "delivering a late /zoom start answer failed", "user_id", clip(req.UserID), "err", err)
		}
	})
}

// writeCommand answers a slash command with reply, or with the user's message for err.
func (s *Server) writeCommand(ctx context.Context, w http.ResponseWriter, req *mattermost.CommandRequest, reply *meeting.Reply, err error) {
	writeJSON(w, http.StatusOK, s.commandResponse(ctx, req, reply, err))
}

func (s *Server) commandResponse(ctx context.Context, req *mattermost.CommandRequest, reply *meeting.Reply, err error) *mattermost.CommandResponse {
	if err != nil {
		s.logError(ctx, "command", "/zoom command failed", err, "user_id", clip(req.UserID), "channel_id", clip(req.ChannelID))
		reply = &meeting.Reply{Text: s.userMessage(s.svc.Locale(ctx, req.UserID), err)}
	}
	return s.signer.CommandResponse(reply, req.ChannelID)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
