package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/mmzoom/mmzoom/meeting"
)

// maxResponseBody caps what mmzoom reads of a Mattermost answer.
const maxResponseBody = 1 << 20

// Cache lifetimes: a steady-state /zoom start costs one Mattermost call (the card post); lookups are cached.
const (
	userTTL    = time.Minute
	channelTTL = 10 * time.Minute
	configTTL  = 5 * time.Minute
	cacheLimit = 10000
)

// ClientConfig configures a Client.
type ClientConfig struct {
	BaseURL    string // the Mattermost site URL
	BotToken   string // the bot's access token
	HTTPClient *http.Client
	Signer     *Signer // signs the contexts of posted buttons
	Now        func() time.Time
	// DialogURL is where Mattermost posts dialog submissions (mmzoom's /mattermost/dialog).
	DialogURL string
}

// Client calls Mattermost's REST API v4 (https://api.mattermost.com/) as mmzoom's bot. It implements
// meeting.Chat.
type Client struct {
	BaseURL *url.URL
	hc      *http.Client
	plain   *http.Client // for response URLs, which take no credentials
	signer  *Signer
	now     func() time.Time
	// dialogURL is where dialog submissions go.
	dialogURL string

	mu       sync.Mutex
	botID    string
	users    map[string]cached[*meeting.ChatUser]
	channels map[string]cached[*meeting.Channel]
	dms      map[string]string
	verify   cached[bool]
	// noModerations: until then, channel moderations are not asked for (the bot got 403: no manage_system).
	noModerations time.Time
	// infos and counts cache the channel policy's lookups (channels.go).
	infos  map[string]cached[*meeting.ChannelInfo]
	counts map[string]cached[int]
}

type cached[T any] struct {
	v       T
	expires time.Time
}

var _ meeting.Chat = (*Client)(nil)

// NewClient returns a Client. The bot token travels through an oauth2 transport, never a hand-built header.
func NewClient(cfg ClientConfig) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/") + "/")
	if err != nil {
		u = &url.URL{}
	}
	return &Client{
		BaseURL: u,
		hc: &http.Client{Timeout: hc.Timeout, Transport: &oauth2.Transport{
			Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.BotToken, TokenType: "Bearer"}), Base: base}},
		plain:  hc,
		signer: cfg.Signer, now: cfg.Now, dialogURL: cfg.DialogURL,
		users: map[string]cached[*meeting.ChatUser]{}, channels: map[string]cached[*meeting.Channel]{}, dms: map[string]string{},
	}
}

// Error is an error answer from Mattermost (its AppError body).
type Error struct {
	StatusCode int
	ID         string
	Message    string
	RequestID  string
	RetryAfter time.Duration
}

// Error says the status and Mattermost's error id and message.
func (e *Error) Error() string {
	return fmt.Sprintf("mattermost: HTTP %d: %s: %s", e.StatusCode, e.ID, e.Message)
}

// NewRequest builds a request for path (relative to the site URL, e.g. "api/v4/posts") with a JSON body.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	u, err := c.BaseURL.Parse(strings.TrimPrefix(path, "/"))
	if err != nil {
		return nil, err
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// Do sends req and decodes a successful answer into v. Failures are *meeting.Error values wrapping *Error.
func (c *Client) Do(req *http.Request, v any) (*http.Response, error) {
	return c.do(c.hc, req, v)
}

func (c *Client) do(hc *http.Client, req *http.Request, v any) (*http.Response, error) {
	path := req.URL.Path
	if hc == c.plain {
		path = "(response URL)" // its id is the credential: keep it out of errors and logs
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may be a response URL, whose id is a credential
		}
		return nil, &meeting.Error{Kind: meeting.KindChatUnavailable, Err: fmt.Errorf("mattermost: %s %s: %w", req.Method, path, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return resp, &meeting.Error{Kind: meeting.KindChatUnavailable, Err: fmt.Errorf("mattermost: reading the answer: %w", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &Error{StatusCode: resp.StatusCode}
		var app struct {
			ID        string `json:"id"`
			Message   string `json:"message"`
			RequestID string `json:"request_id"`
		}
		if json.Unmarshal(body, &app) == nil {
			e.ID, e.Message, e.RequestID = app.ID, app.Message, app.RequestID
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		kind := meeting.KindInternal
		switch {
		case resp.StatusCode == http.StatusForbidden:
			kind = meeting.KindForbidden
		case resp.StatusCode == http.StatusNotFound, e.ID == errRootGone, archivedChannelErrors[e.ID]:
			kind = meeting.KindNotFound
		case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
			kind = meeting.KindChatUnavailable
		}
		return resp, &meeting.Error{Kind: kind, Err: fmt.Errorf("%s %s: %w", req.Method, path, e)}
	}
	if v != nil && len(body) > 0 {
		if err := json.Unmarshal(body, v); err != nil {
			return resp, &meeting.Error{Kind: meeting.KindInternal, Err: fmt.Errorf("mattermost: decoding %s: %w", path, err)}
		}
	}
	return resp, nil
}

func (c *Client) call(ctx context.Context, method, path string, body, v any) error {
	req, err := c.NewRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	_, err = c.Do(req, v)
	return err
}

// User returns a Mattermost user (cached for a minute).
func (c *Client) User(ctx context.Context, id string) (*meeting.ChatUser, error) {
	c.mu.Lock()
	if e, ok := c.users[id]; ok && c.now().Before(e.expires) {
		c.mu.Unlock()
		return e.v, nil
	}
	c.mu.Unlock()
	var u userJSON
	if err := c.call(ctx, http.MethodGet, "api/v4/users/"+url.PathEscape(id), nil, &u); err != nil {
		return nil, err
	}
	out := u.chatUser()
	c.mu.Lock()
	if len(c.users) >= cacheLimit {
		clear(c.users)
	}
	c.users[id] = cached[*meeting.ChatUser]{out, c.now().Add(userTTL)}
	c.mu.Unlock()
	return out, nil
}

// UserByEmail finds the Mattermost user with an e-mail address (GET /api/v4/users/email/{email}): KindNotFound
// when nobody has it, KindForbidden when the server hides e-mail addresses from the bot. Never cached: it
// guards a connection, which must see the current owner of the address.
func (c *Client) UserByEmail(ctx context.Context, email string) (*meeting.ChatUser, error) {
	var u userJSON
	if err := c.call(ctx, http.MethodGet, "api/v4/users/email/"+url.PathEscape(email), nil, &u); err != nil {
		return nil, err
	}
	return u.chatUser(), nil
}

// userJSON is the part of Mattermost's User that mmzoom reads.
type userJSON struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Nickname    string `json:"nickname"`
	Locale      string `json:"locale"`
	AuthService string `json:"auth_service"`
	Roles       string `json:"roles"`
	IsBot       bool   `json:"is_bot"`
	// Timezone is read leniently (see timezoneOf): Mattermost sends three strings.
	Timezone json.RawMessage `json:"timezone"`
}

func (u *userJSON) chatUser() *meeting.ChatUser {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.Nickname
	}
	return &meeting.ChatUser{ID: u.ID, Username: u.Username, DisplayName: name, Email: u.Email, Locale: u.Locale,
		AuthService: u.AuthService, Roles: u.Roles, IsBot: u.IsBot, Timezone: timezoneOf(u.Timezone)}
}

// Channel returns a channel (cached for ten minutes).
func (c *Client) Channel(ctx context.Context, id string) (*meeting.Channel, error) {
	c.mu.Lock()
	if e, ok := c.channels[id]; ok && c.now().Before(e.expires) {
		c.mu.Unlock()
		return e.v, nil
	}
	c.mu.Unlock()
	var ch struct {
		ID     string `json:"id"`
		TeamID string `json:"team_id"`
		Type   string `json:"type"`
		Name   string `json:"name"`
	}
	if err := c.call(ctx, http.MethodGet, "api/v4/channels/"+url.PathEscape(id), nil, &ch); err != nil {
		return nil, err
	}
	out := &meeting.Channel{ID: ch.ID, TeamID: ch.TeamID, Type: meeting.ChannelType(ch.Type), Name: ch.Name}
	c.mu.Lock()
	if len(c.channels) >= cacheLimit {
		clear(c.channels)
	}
	c.channels[id] = cached[*meeting.Channel]{out, c.now().Add(channelTTL)}
	c.mu.Unlock()
	return out, nil
}

// RequireEmailVerification reads EmailSettings.RequireEmailVerification from the client config (a string
// "true"/"false" there), cached for five minutes.
func (c *Client) RequireEmailVerification(ctx context.Context) (bool, error) {
	c.mu.Lock()
	if c.now().Before(c.verify.expires) {
		v := c.verify.v
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	var cfg map[string]any
	if err := c.call(ctx, http.MethodGet, "api/v4/config/client?format=old", nil, &cfg); err != nil {
		return false, err
	}
	v := fmt.Sprint(cfg["RequireEmailVerification"]) == "true"
	c.mu.Lock()
	c.verify = cached[bool]{v, c.now().Add(configTTL)}
	c.mu.Unlock()
	return v, nil
}

// Me returns the user the bot token belongs to (GET /api/v4/users/me). mmzoom calls it once at start, so that
// a wrong or revoked token is reported then rather than at the first card; a 401 answer is an *Error with
// StatusCode 401.
func (c *Client) Me(ctx context.Context) (*meeting.ChatUser, error) {
	var me struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Roles    string `json:"roles"`
		IsBot    bool   `json:"is_bot"`
	}
	if err := c.call(ctx, http.MethodGet, "api/v4/users/me", nil, &me); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.botID = me.ID
	c.mu.Unlock()
	return &meeting.ChatUser{ID: me.ID, Username: me.Username, Roles: me.Roles, IsBot: me.IsBot}, nil
}

// botUserID is the bot's own user id (GET /users/me, once).
func (c *Client) botUserID(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.botID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	me, err := c.Me(ctx)
	if err != nil {
		return "", err
	}
	return me.ID, nil
}

// JoinChannel adds the bot to a public channel.
func (c *Client) JoinChannel(ctx context.Context, channelID string) error {
	bot, err := c.botUserID(ctx)
	if err != nil {
		return err
	}
	return c.call(ctx, http.MethodPost, "api/v4/channels/"+url.PathEscape(channelID)+"/members", map[string]string{"user_id": bot}, nil)
}

// BotIsMember asks GET /api/v4/channels/{id}/members/{bot}: 404 (not a member) and 403 (a private channel
// or DM the bot cannot even read) both mean no.
func (c *Client) BotIsMember(ctx context.Context, channelID string) (bool, error) {
	bot, err := c.botUserID(ctx)
	if err != nil {
		return false, err
	}
	err = c.call(ctx, http.MethodGet, "api/v4/channels/"+url.PathEscape(channelID)+"/members/"+url.PathEscape(bot), nil, nil)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, meeting.ErrNotFound), errors.Is(err, meeting.ErrForbidden):
		return false, nil
	}
	return false, err
}

// wirePost is a post as the REST API takes it.
type wirePost struct {
	ChannelID string         `json:"channel_id"`
	RootID    string         `json:"root_id,omitempty"`
	Message   string         `json:"message"`
	Type      string         `json:"type,omitempty"`
	Props     map[string]any `json:"props,omitempty"`
	FileIDs   []string       `json:"file_ids,omitempty"`
	PendingID string         `json:"pending_post_id,omitempty"`
}

// props builds a post's whole props map: the domain props plus the attachments with signed buttons.
func (c *Client) props(p *meeting.Post, channelID string) map[string]any {
	props := make(map[string]any, len(p.Props)+1)
	for k, v := range p.Props {
		props[k] = v
	}
	if len(p.Attachments) > 0 {
		props["attachments"] = c.signer.Attachments(p.Attachments, channelID)
	}
	return props
}

// CreatePost posts p as the bot without marking the bot online.
func (c *Client) CreatePost(ctx context.Context, p *meeting.Post) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.call(ctx, http.MethodPost, "api/v4/posts?set_online=false",
		&wirePost{ChannelID: p.ChannelID, RootID: p.RootID, Message: p.Message, Type: p.Type, Props: c.props(p, p.ChannelID),
			FileIDs: p.FileIDs, PendingID: p.PendingID}, &out)
	return out.ID, err
}

// PatchPost replaces a post's message and its whole props map (Mattermost replaces props on a patch).
func (c *Client) PatchPost(ctx context.Context, postID string, p *meeting.Post) error {
	body := map[string]any{"message": p.Message, "props": c.props(p, p.ChannelID)}
	return c.call(ctx, http.MethodPut, "api/v4/posts/"+url.PathEscape(postID)+"/patch", body, nil)
}

// SendDirect posts p in the direct channel between the bot and userID, opening it if needed.
func (c *Client) SendDirect(ctx context.Context, userID string, p *meeting.Post) (string, error) {
	c.mu.Lock()
	dm := c.dms[userID]
	c.mu.Unlock()
	if dm == "" {
		bot, err := c.botUserID(ctx)
		if err != nil {
			return "", err
		}
		var ch struct {
			ID string `json:"id"`
		}
		if err := c.call(ctx, http.MethodPost, "api/v4/channels/direct", []string{bot, userID}, &ch); err != nil {
			return "", err
		}
		dm = ch.ID
		c.mu.Lock()
		c.dms[userID] = dm
		c.mu.Unlock()
	}
	cp := *p
	cp.ChannelID = dm
	return c.CreatePost(ctx, &cp)
}

// Respond delivers a late answer to a slash command through its response URL (which the caller checked
// with ValidResponseURL). Response URLs take no credentials: the bot token is not sent.
func (c *Client) Respond(ctx context.Context, responseURL string, resp *CommandResponse) error {
	b, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	_, err = c.do(c.plain, req, nil)
	return err
}
