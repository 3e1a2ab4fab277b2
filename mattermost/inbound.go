// Package mattermost is mmzoom's Mattermost adapter: it reads the slash-command and button requests
// Mattermost sends, signs and verifies the contexts of the buttons mmzoom posts, answers in Mattermost's
// formats, and calls the REST API v4 as mmzoom's bot (https://api.mattermost.com/).
package mattermost

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxRequestBody caps what mmzoom reads of a slash-command or button request.
const maxRequestBody = 64 << 10

// CommandRequest is a slash-command call as Mattermost sends it: form fields with the command's token.
type CommandRequest struct {
	Token, TeamID, TeamDomain, ChannelID, ChannelName, UserID, UserName string
	Command, Text, TriggerID, ResponseURL                               string
	// RootID is the thread the command was run in; only newer Mattermost servers send it.
	RootID string
	// ChannelMentionIDs and UserMentionIDs are the ids of the ~channels and @users the text names, as
	// Mattermost resolves them (repeated channel_mentions_ids / user_mentions_ids): only the team's public,
	// unarchived channels and the team's members; a private channel is never resolved, not even for its
	// members (app/command.go), so a private ~name stays plain text.
	ChannelMentionIDs, UserMentionIDs []string
}

// ParseCommand reads a slash-command request. The token comes from the form; a request without one may
// carry it as "Authorization: Token <token>", as Mattermost also sends it.
func ParseCommand(r *http.Request) (*CommandRequest, error) {
	if r.Method != http.MethodPost {
		return nil, errors.New("slash command: POST expected")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return nil, fmt.Errorf("slash command: reading the body: %w", err)
	}
	if len(body) > maxRequestBody {
		return nil, errors.New("slash command: body too large")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("slash command: malformed form: %w", err)
	}
	c := &CommandRequest{
		Token: form.Get("token"), TeamID: form.Get("team_id"), TeamDomain: form.Get("team_domain"),
		ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"), UserID: form.Get("user_id"),
		UserName: form.Get("user_name"), Command: form.Get("command"), Text: form.Get("text"),
		TriggerID: form.Get("trigger_id"), ResponseURL: form.Get("response_url"), RootID: form.Get("root_id"),
		ChannelMentionIDs: form["channel_mentions_ids"], UserMentionIDs: form["user_mentions_ids"],
	}
	if c.Token == "" {
		if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Token") {
			c.Token = strings.TrimSpace(tok)
		}
	}
	if c.UserID == "" || c.ChannelID == "" || c.TeamID == "" {
		return nil, errors.New("slash command: user_id, channel_id and team_id are required")
	}
	return c, nil
}

// ActionRequest is a button click as Mattermost posts it to the button's integration URL (JSON, no
// credentials: the signed context is the only proof).
type ActionRequest struct {
	UserID      string         `json:"user_id"`
	UserName    string         `json:"user_name"`
	ChannelID   string         `json:"channel_id"`
	ChannelName string         `json:"channel_name"`
	TeamID      string         `json:"team_id"`
	TeamDomain  string         `json:"team_domain"`
	PostID      string         `json:"post_id"`
	TriggerID   string         `json:"trigger_id"`
	Type        string         `json:"type"`
	DataSource  string         `json:"data_source"`
	Context     map[string]any `json:"context"`
}

// ParseAction reads a button request.
func ParseAction(r *http.Request) (*ActionRequest, error) {
	if r.Method != http.MethodPost {
		return nil, errors.New("action: POST expected")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return nil, fmt.Errorf("action: reading the body: %w", err)
	}
	if len(body) > maxRequestBody {
		return nil, errors.New("action: body too large")
	}
	var a ActionRequest
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("action: malformed JSON: %w", err)
	}
	if a.UserID == "" || a.ChannelID == "" || a.Context == nil {
		return nil, errors.New("action: user_id, channel_id and context are required")
	}
	return &a, nil
}

// ValidResponseURL reports whether raw is a slash-command response URL of the Mattermost at mattermostURL
// (<site URL>/hooks/commands/<id>). Any other URL is never called: a forged one would make mmzoom post the
// user's meeting link to an address of the forger's choosing.
func ValidResponseURL(raw, mattermostURL string) bool {
	u, err := url.Parse(raw)
	base, berr := url.Parse(strings.TrimRight(mattermostURL, "/"))
	if err != nil || berr != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	if u.Scheme != base.Scheme || u.Host != base.Host || u.RawPath != "" && u.RawPath != u.Path {
		return false
	}
	id, ok := strings.CutPrefix(u.Path, base.Path+"/hooks/commands/")
	if !ok || id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// EscapeText makes user input inert in Mattermost Markdown: no @-mentions (a zero-width space follows every
// @), no links, images or emphasis (Markdown punctuation is backslash-escaped), no bare URL autolinks (a
// zero-width space breaks "://" and "www."), and no line breaks. Words, Japanese text and emoji stay as
// they are, and ordinary punctuation stays unescaped so push notifications read naturally.
func EscapeText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '@':
			b.WriteString("@\u200b")
		case '\\', '`', '*', '_', '[', ']', '(', ')', '<', '>', '!', '#', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	out := strings.ReplaceAll(b.String(), "://", ":\u200b//")
	return strings.ReplaceAll(out, "www.", "www\u200b.")
}
