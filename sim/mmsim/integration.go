package mmsim

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
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

// ActionResult is what clicking a button did, as the clicking client saw it.
type ActionResult struct {
	// Status is the HTTP status the client got: 200, or the AppError's status.
	Status int
	// EphemeralText is the ephemeral_text shown to the clicker; GotoLocation is the integration's
	// goto_location, which Mattermost does not act on for clicks (5.36 ignores it). Both are empty when the
	// click failed.
	EphemeralText, GotoLocation string
	// ErrorID and Error are the AppError's id and message when the click failed.
	ErrorID, Error string
	// TriggerID is the trigger id the click gave the integration (for a dialog), which the client gets back
	// to recognise the dialog (Mattermost answers a client trigger id embedded in it; here they are one).
	TriggerID string
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
	// api4/command.go executeCommand checks create_post in the channel, nothing more: a system admin (or a
	// holder of system_post_all) runs commands where they are not a member.
	if !s.canPost(u, ch) || s.readOnlyFor(u, ch) {
		s.mu.Unlock()
		return &CommandResult{Status: http.StatusForbidden, Error: "You do not have the appropriate permissions."}, nil
	}
	if s.archived[ch.ID] != 0 {
		s.mu.Unlock()
		return &CommandResult{Status: http.StatusBadRequest, Error: "Cannot post to a deleted channel."}, nil
	}
	if ch.TeamID != "" {
		teamID = ch.TeamID
	} else if !s.teamMembers[teamID][u.ID] && !isAdmin(u) {
		// api4/command.go executeCommand: in a direct or group message the body's team_id names the team whose
		// command runs, and the user must belong to it; without it a user is refused (observed on 5.36: 403).
		// A system admin holds the permission everywhere and goes on (to "not found" without a team).
		s.mu.Unlock()
		return &CommandResult{Status: http.StatusForbidden, Error: "You do not have the appropriate permissions."}, nil
	}
	trigger, text := splitCommand(webappCommandLine(strings.TrimLeftFunc(line, unicode.IsSpace)))
	if pc := s.pluginCommandFor(teamID, trigger); pc != nil {
		// Plugins' commands come before the custom ones (plugin_commands.go).
		s.mu.Unlock()
		return &CommandResult{Status: http.StatusOK, Response: &CommandResponse{ResponseType: "ephemeral", Text: pc.text}}, nil
	}
	var cmd *Command
	for _, c := range s.commands {
		if c.TeamID == teamID && c.Trigger == trigger && c.DeleteAt == 0 {
			cmd = c
		}
	}
	team := s.teams[teamID]
	if cmd == nil || team == nil {
		s.mu.Unlock()
		return &CommandResult{Status: http.StatusNotFound, Error: fmt.Sprintf("Command with a trigger of '/%s' not found.", trigger)}, nil
	}
	hookID := newID()
	if s.dialogChannel == nil {
		s.dialogChannel = map[string][2]string{}
	}
	s.dialogChannel[userID] = [2]string{ch.ID, teamID}
	triggerID := s.newTrigger(userID)
	s.hooks[hookID] = &hook{userID: userID, channelID: channelID, rootID: rootID, expires: s.opts.Now().Add(hookLifetime)}
	form := url.Values{
		"channel_id": {ch.ID}, "channel_name": {ch.Name}, "command": {"/" + cmd.Trigger},
		"response_url": {s.siteURL + "/hooks/commands/" + hookID}, "team_domain": {team.Name}, "team_id": {team.ID},
		"text": {text}, "token": {cmd.Token}, "trigger_id": {triggerID}, "user_id": {u.ID},
		"user_name": {u.Username}, "root_id": {rootID},
	}
	s.addMentions(form, teamID, text)
	cmdURL, token := cmd.URL, cmd.Token
	s.mu.Unlock()

	failed := fmt.Sprintf("Command with a trigger of '/%s' failed.", trigger)
	if !s.outgoingAllowed(cmdURL) {
		return &CommandResult{Error: failed}, nil // "address forbidden" goes to the server log only
	}
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
		s.sealButtons(p)
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

// actionErrorID is the AppError id of most failed clicks; users see its message, "Action integration error."
const actionErrorID = "api.post.do_action.action_integration.app_error"

func actionFailed(status int) *ActionResult {
	return &ActionResult{Status: status, ErrorID: actionErrorID, Error: "Action integration error."}
}

func clickForbidden() *ActionResult {
	return &ActionResult{Status: http.StatusForbidden, ErrorID: "api.context.permissions.app_error", Error: "You do not have the appropriate permissions."}
}

// postNotFound is what Mattermost answers when the clicked post is not stored, and also when an integration
// answers a click on an ephemeral post with an update: UpdatePost finds no such post.
func postNotFound() *ActionResult {
	return &ActionResult{Status: http.StatusNotFound, ErrorID: "app.post.get.app_error", Error: "Unable to get the post."}
}

// ClickButton clicks button actionID of a post as userID's client does: a channel post by its id alone; one
// of the user's ephemeral posts, which the server does not store, by its id and the cookie its button carries.
func (s *Server) ClickButton(ctx context.Context, userID, postID, actionID string) (*ActionResult, error) {
	s.mu.Lock()
	var cookie string
	if s.posts[postID] == nil {
		for _, e := range s.ephemerals[userID] {
			if e.ID == postID {
				cookie = buttonCookie(e.Props, actionID)
			}
		}
	}
	s.mu.Unlock()
	return s.doPostAction(ctx, userID, postID, actionID, cookie)
}

// doPostAction is POST /api/v4/posts/{post_id}/actions/{action_id} with the body's cookie, as Mattermost's
// doPostAction and DoPostActionWithCookie serve it: a stored post is clicked through its own integration
// (the cookie is ignored); any other post only through a cookie sealed by this server for that post id.
func (s *Server) doPostAction(ctx context.Context, userID, postID, actionID, cookie string) (*ActionResult, error) {
	s.mu.Lock()
	u := s.users[userID]
	if u == nil {
		s.mu.Unlock()
		return nil, errors.New("mmsim: unknown user")
	}
	var ck *actionCookie
	if cookie != "" {
		var err error
		if ck, err = s.openCookie(cookie); err != nil {
			s.mu.Unlock()
			return actionFailed(http.StatusBadRequest), nil
		}
	}
	var ch *Channel
	var integration map[string]any
	var rootID string
	if p := s.posts[postID]; p != nil {
		// The permission is checked on the cookie's channel when there is a cookie, else on the post's.
		permCh := s.channels[p.ChannelID]
		if ck != nil {
			permCh = s.channels[ck.ChannelID]
		}
		if permCh == nil || !s.canRead(u, permCh) {
			s.mu.Unlock()
			return clickForbidden(), nil
		}
		ch, integration, rootID = s.channels[p.ChannelID], findIntegration(p.Props, actionID), p.RootID
		if rootID == "" {
			rootID = p.ID
		}
		if integration == nil {
			s.mu.Unlock()
			return &ActionResult{Status: http.StatusNotFound, ErrorID: "api.post.do_action.action_id.app_error", Error: "Unable to find the action."}, nil
		}
	} else {
		switch {
		case ck == nil && !hasRole(u, "system_admin"):
			// The permission check by post finds no channel for an unknown post.
			s.mu.Unlock()
			return clickForbidden(), nil
		case ck == nil:
			s.mu.Unlock()
			return postNotFound(), nil
		}
		ch = s.channels[ck.ChannelID]
		if ch == nil || !s.canRead(u, ch) {
			s.mu.Unlock()
			return clickForbidden(), nil
		}
		if ck.Integration == nil || ck.PostID != postID {
			s.mu.Unlock()
			return actionFailed(http.StatusBadRequest), nil
		}
		integration, rootID = ck.Integration, ck.RootPostID
	}
	team := s.teams[ch.TeamID]
	triggerID := s.newTrigger(u.ID)
	if s.dialogChannel == nil {
		s.dialogChannel = map[string][2]string{}
	}
	s.dialogChannel[u.ID] = [2]string{ch.ID, ch.TeamID}
	s.mu.Unlock()

	var teamID, teamName string
	if team != nil {
		teamID, teamName = team.ID, team.Name
	}
	body, _ := json.Marshal(map[string]any{
		"user_id": u.ID, "user_name": u.Username, "channel_id": ch.ID, "channel_name": ch.Name, "team_id": teamID,
		"team_domain": teamName, "post_id": postID, "trigger_id": triggerID, "type": "button", "data_source": "",
		"context": integration["context"],
	})
	urlStr, _ := integration["url"].(string)
	if !s.outgoingAllowed(urlStr) {
		return actionFailed(http.StatusBadRequest), nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.CommandTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, urlStr, bytes.NewReader(body))
	if err != nil {
		return actionFailed(http.StatusBadRequest), nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return actionFailed(http.StatusBadRequest), nil
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, maxIntegrationResponse))
	if resp.StatusCode != http.StatusOK {
		return actionFailed(http.StatusBadRequest), nil
	}
	var ar struct {
		Update *struct {
			Message *string        `json:"message"`
			Props   map[string]any `json:"props"`
		} `json:"update"`
		EphemeralText string `json:"ephemeral_text"`
		GotoLocation  string `json:"goto_location"`
	}
	if len(rb) > 0 { // a blank line is not JSON either (DoPostActionWithCookie)
		if err := json.Unmarshal(rb, &ar); err != nil {
			return actionFailed(http.StatusBadRequest), nil
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now().UnixMilli()
	if ar.Update != nil {
		// The update applies to the stored post of that id; an ephemeral post has none, so Mattermost answers
		// 404 and returns before showing the ephemeral text.
		p := s.posts[postID]
		if p == nil {
			return postNotFound(), nil
		}
		if s.archived[p.ChannelID] != 0 {
			// UpdatePost refuses a post of an archived channel (app/post.go), after the integration acted.
			return &ActionResult{Status: http.StatusBadRequest, ErrorID: "api.post.update_post.can_not_update_post_in_deleted.error",
				Error: "Can not update existing post in deleted channel."}, nil
		}
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
		s.ephemerals[userID] = append(s.ephemerals[userID], &Post{ID: newID(), UserID: userID, ChannelID: ch.ID, RootID: rootID,
			Message: ar.EphemeralText, Props: map[string]any{}, CreateAt: now, UpdateAt: now, Ephemeral: true})
	}
	return &ActionResult{Status: http.StatusOK, EphemeralText: ar.EphemeralText, GotoLocation: ar.GotoLocation, TriggerID: triggerID}, nil
}

// actionCookie is what Mattermost seals into each button of an ephemeral post (model.PostActionCookie): the
// post is never stored, so a click on it can only be served from what the client sends back.
type actionCookie struct {
	Type        string         `json:"type,omitempty"`
	PostID      string         `json:"post_id,omitempty"`
	RootPostID  string         `json:"root_post_id,omitempty"`
	ChannelID   string         `json:"channel_id,omitempty"`
	DataSource  string         `json:"data_source,omitempty"`
	Integration map[string]any `json:"integration,omitempty"`
}

// sealButtons turns p into what the client of an ephemeral post gets (model.AddPostActionCookies): each
// button's integration moves into an encrypted cookie. Called with s.mu held.
func (s *Server) sealButtons(p *Post) {
	root := p.RootID
	if root == "" {
		root = p.ID
	}
	atts, _ := p.Props["attachments"].([]any)
	for _, a := range atts {
		am, _ := a.(map[string]any)
		acts, _ := am["actions"].([]any)
		for _, act := range acts {
			m, ok := act.(map[string]any)
			if !ok {
				continue
			}
			typ, _ := m["type"].(string)
			ds, _ := m["data_source"].(string)
			in, _ := m["integration"].(map[string]any)
			b, _ := json.Marshal(&actionCookie{Type: typ, PostID: p.ID, RootPostID: root, ChannelID: p.ChannelID, DataSource: ds, Integration: in})
			nonce := make([]byte, s.cookieAEAD.NonceSize())
			_, _ = rand.Read(nonce)
			m["cookie"] = base64.StdEncoding.EncodeToString(s.cookieAEAD.Seal(nonce, nonce, b, nil))
			delete(m, "integration")
		}
	}
}

// openCookie decrypts a cookie sealed by sealButtons. Called with s.mu held.
func (s *Server) openCookie(cookie string) (*actionCookie, error) {
	raw, err := base64.StdEncoding.DecodeString(cookie)
	n := s.cookieAEAD.NonceSize()
	if err != nil || len(raw) < n {
		return nil, errors.New("mmsim: malformed action cookie")
	}
	plain, err := s.cookieAEAD.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return nil, err
	}
	var c actionCookie
	if err := json.Unmarshal(plain, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// buttonCookie is the cookie of button id in a client's copy of a post.
func buttonCookie(props map[string]any, id string) string {
	atts, _ := props["attachments"].([]any)
	for _, a := range atts {
		am, _ := a.(map[string]any)
		acts, _ := am["actions"].([]any)
		for _, act := range acts {
			if m, _ := act.(map[string]any); m["id"] == id {
				c, _ := m["cookie"].(string)
				return c
			}
		}
	}
	return ""
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
