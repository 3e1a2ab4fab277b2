package mmsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxIntegrationResponse is Mattermost's MaxIntegrationResponseSize.
const maxIntegrationResponse = 1 << 20

// Response URLs work 5 times within 30 minutes.
const (
	hookUses     = 5
	hookLifetime = 30 * time.Minute
)

// CommandResponse is a slash command's answer, as Mattermost reads it.
type CommandResponse struct {
	ResponseType     string             `json:"response_type"`
	Text             string             `json:"text"`
	GotoLocation     string             `json:"goto_location"`
	Type             string             `json:"type"`
	Props            map[string]any     `json:"props"`
	Attachments      []map[string]any   `json:"attachments"`
	SkipSlackParsing bool               `json:"skip_slack_parsing"`
	ExtraResponses   []*CommandResponse `json:"extra_responses"`
}

// CommandResult is what running a slash command did.
type CommandResult struct {
	Status   int // the integration's HTTP status (0 when it could not be reached)
	Response *CommandResponse
	Error    string // what the user sees when the command failed
}

// ActionResult is what clicking a button did.
type ActionResult struct {
	Status                      int
	EphemeralText, GotoLocation string
	Error                       string
}

// ExecuteCommand runs a slash command line as userID in channelID, as POST /api/v4/commands/execute does.
// teamID is used for direct and group channels, which belong to no team.
func (s *Server) ExecuteCommand(ctx context.Context, userID, channelID, teamID, rootID, line string) (*CommandResult, error) {
	s.mu.Lock()
	u, ch := s.users[userID], s.channels[channelID]
	if u == nil || ch == nil {
		s.mu.Unlock()
		return nil, errors.New("mmsim: unknown user or channel")
	}
	if !s.canPost(u, ch) || !s.isMember(ch, u.ID) {
		s.mu.Unlock()
		return &CommandResult{Status: http.StatusForbidden, Error: "You do not have the appropriate permissions."}, nil
	}
	if ch.TeamID != "" {
		teamID = ch.TeamID
	}
	trigger, text, _ := strings.Cut(strings.TrimSpace(line), " ")
	trigger = strings.ToLower(strings.TrimPrefix(trigger, "/"))
	var cmd *Command
	for _, c := range s.commands {
		if c.TeamID == teamID && c.Trigger == trigger {
			cmd = c
		}
	}
	team := s.teams[teamID]
	if cmd == nil || team == nil {
		s.mu.Unlock()
		return &CommandResult{Status: http.StatusNotFound, Error: fmt.Sprintf("Command with a trigger of '/%s' not found.", trigger)}, nil
	}
	hookID := newID()
	s.hooks[hookID] = &hook{userID: userID, channelID: channelID, rootID: rootID, expires: s.opts.Now().Add(hookLifetime)}
	form := url.Values{
		"channel_id": {ch.ID}, "channel_name": {ch.Name}, "command": {"/" + cmd.Trigger},
		"response_url": {s.siteURL + "/hooks/commands/" + hookID}, "team_domain": {team.Name}, "team_id": {team.ID},
		"text": {strings.TrimSpace(text)}, "token": {cmd.Token}, "trigger_id": {newID()}, "user_id": {u.ID},
		"user_name": {u.Username}, "root_id": {rootID},
	}
	cmdURL, token := cmd.URL, cmd.Token
	s.mu.Unlock()

	failed := fmt.Sprintf("Command with a trigger of '/%s' failed.", trigger)
	ctx, cancel := context.WithTimeout(ctx, s.opts.CommandTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cmdURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "Mattermost-Bot/1.1")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Token "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return &CommandResult{Error: failed}, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxIntegrationResponse))
	if resp.StatusCode != http.StatusOK {
		return &CommandResult{Status: resp.StatusCode, Error: failed}, nil
	}
	cr, err := parseCommandResponse(resp.Header.Get("Content-Type"), body)
	if err != nil {
		return &CommandResult{Status: resp.StatusCode, Error: failed}, nil
	}
	s.deliverCommandResponse(userID, channelID, rootID, cr)
	return &CommandResult{Status: resp.StatusCode, Response: cr}, nil
}

// parseCommandResponse reads a command answer: JSON only when the content type says so, otherwise the whole
// body is the text.
func parseCommandResponse(contentType string, body []byte) (*CommandResponse, error) {
	if strings.HasPrefix(strings.TrimSpace(strings.ToLower(contentType)), "application/json") {
		var cr CommandResponse
		if err := json.Unmarshal(body, &cr); err != nil {
			return nil, err
		}
		return &cr, nil
	}
	return &CommandResponse{Text: string(body)}, nil
}

// deliverCommandResponse shows a command answer: ephemeral to the user, or a post by the user in the channel.
func (s *Server) deliverCommandResponse(userID, channelID, rootID string, cr *CommandResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range append([]*CommandResponse{cr}, cr.ExtraResponses...) {
		props := copyJSON(r.Props)
		if props == nil {
			props = map[string]any{}
		}
		if len(r.Attachments) > 0 {
			props["attachments"] = copyJSON[any](r.Attachments)
		}
		typ := r.Type
		if typ == "" && len(r.Attachments) > 0 {
			typ = "slack_attachment" // what ParseMessageAttachment sets when the response names no type
		}
		now := s.opts.Now().UnixMilli()
		p := &Post{ID: newID(), UserID: userID, ChannelID: channelID, RootID: rootID, Message: r.Text, Type: typ,
			Props: props, CreateAt: now, UpdateAt: now}
		if r.ResponseType == "in_channel" {
			p.Props["from_webhook"] = "true"
			s.posts[p.ID] = p
			s.order = append(s.order, p.ID)
			continue
		}
		if r.Text == "" && len(r.Attachments) == 0 {
			continue
		}
		p.Ephemeral = true
		s.ephemerals[userID] = append(s.ephemerals[userID], p)
	}
}

// commandHook serves POST /hooks/commands/{id}: a late answer to a slash command.
func (s *Server) commandHook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.hooks[r.PathValue("id")]
	ok := h != nil && h.uses < hookUses && s.opts.Now().Before(h.expires)
	if ok {
		h.uses++
	}
	s.mu.Unlock()
	if !ok {
		appError(w, http.StatusBadRequest, "web.command_webhook.invalid.app_error", "Unable to find the webhook.")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxIntegrationResponse))
	cr, err := parseCommandResponse(r.Header.Get("Content-Type"), body)
	if err != nil {
		appError(w, http.StatusBadRequest, "web.command_webhook.parse.app_error", "Unable to parse incoming data.")
		return
	}
	s.deliverCommandResponse(h.userID, h.channelID, h.rootID, cr)
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ok"))
}

// ClickButton clicks button actionID of a post (a channel post or one of the user's ephemeral posts), as
// POST /api/v4/posts/{post_id}/actions/{action_id} does.
func (s *Server) ClickButton(ctx context.Context, userID, postID, actionID string) (*ActionResult, error) {
	s.mu.Lock()
	u := s.users[userID]
	p := s.posts[postID]
	if p == nil {
		for _, e := range s.ephemerals[userID] {
			if e.ID == postID {
				p = e
			}
		}
	}
	if u == nil || p == nil {
		s.mu.Unlock()
		return &ActionResult{Status: http.StatusNotFound, Error: "Unable to find the post."}, nil
	}
	ch := s.channels[p.ChannelID]
	if !s.canRead(u, ch) {
		s.mu.Unlock()
		return &ActionResult{Status: http.StatusForbidden, Error: "You do not have the appropriate permissions."}, nil
	}
	integration := findIntegration(p.Props, actionID)
	team := s.teams[ch.TeamID]
	s.mu.Unlock()
	if integration == nil {
		return &ActionResult{Status: http.StatusNotFound, Error: "Unable to find the action."}, nil
	}
	var teamID, teamName string
	if team != nil {
		teamID, teamName = team.ID, team.Name
	}
	body, _ := json.Marshal(map[string]any{
		"user_id": u.ID, "user_name": u.Username, "channel_id": ch.ID, "channel_name": ch.Name, "team_id": teamID,
		"team_domain": teamName, "post_id": p.ID, "trigger_id": newID(), "type": "button", "data_source": "",
		"context": integration["context"],
	})
	urlStr, _ := integration["url"].(string)
	ctx, cancel := context.WithTimeout(ctx, s.opts.CommandTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, urlStr, bytes.NewReader(body))
	if err != nil {
		return &ActionResult{Error: "The action failed."}, nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return &ActionResult{Error: "The action failed."}, nil
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, maxIntegrationResponse))
	if resp.StatusCode != http.StatusOK {
		return &ActionResult{Status: resp.StatusCode, Error: "The action failed."}, nil
	}
	var ar struct {
		Update *struct {
			Message *string        `json:"message"`
			Props   map[string]any `json:"props"`
		} `json:"update"`
		EphemeralText string `json:"ephemeral_text"`
		GotoLocation  string `json:"goto_location"`
	}
	if len(bytes.TrimSpace(rb)) > 0 {
		if err := json.Unmarshal(rb, &ar); err != nil {
			return &ActionResult{Status: resp.StatusCode, Error: "The action failed."}, nil
		}
	}
	s.mu.Lock()
	now := s.opts.Now().UnixMilli()
	if ar.Update != nil {
		if ar.Update.Message != nil {
			p.Message = *ar.Update.Message
			p.EditAt = now
		}
		if ar.Update.Props != nil { // null keeps the props, {} clears them
			p.Props = copyJSON(ar.Update.Props)
		}
		p.UpdateAt = now
	}
	if ar.EphemeralText != "" {
		s.ephemerals[userID] = append(s.ephemerals[userID], &Post{ID: newID(), UserID: userID, ChannelID: ch.ID, RootID: p.RootID,
			Message: ar.EphemeralText, Props: map[string]any{}, CreateAt: now, UpdateAt: now, Ephemeral: true})
	}
	s.mu.Unlock()
	return &ActionResult{Status: resp.StatusCode, EphemeralText: ar.EphemeralText, GotoLocation: ar.GotoLocation}, nil
}

// findIntegration finds the integration of button id in props.attachments[].actions[].
func findIntegration(props map[string]any, id string) map[string]any {
	atts, _ := props["attachments"].([]any)
	for _, a := range atts {
		am, _ := a.(map[string]any)
		acts, _ := am["actions"].([]any)
		for _, act := range acts {
			m, _ := act.(map[string]any)
			if m["id"] == id {
				in, _ := m["integration"].(map[string]any)
				return in
			}
		}
	}
	return nil
}
