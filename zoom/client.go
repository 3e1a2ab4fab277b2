// Package zoom is mmzoom's Zoom adapter: a client of the REST API v2 (https://developers.zoom.us/docs/api/),
// the OAuth flows of the three app kinds (authorization code with PKCE, refresh with rotation,
// Server-to-Server account_credentials), the Gateway that gives the domain its meeting.Zoom, and the
// verification of Zoom's signed webhooks.
package zoom

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
	"time"
)

// DefaultAPIURL is Zoom's REST API v2 base URL.
const DefaultAPIURL = "https://api.zoom.us/v2"

// maxBody caps what mmzoom reads of a Zoom response.
const maxBody = 1 << 20

// Client calls Zoom's REST API v2 (https://developers.zoom.us/docs/api/) with an OAuth-authorized HTTP
// client: it never builds an Authorization header itself.
type Client struct {
	// BaseURL is the API root, e.g. https://api.zoom.us/v2/ (with a trailing slash).
	BaseURL *url.URL
	hc      *http.Client
	now     func() time.Time
}

// NewClient returns a Client for baseURL ("" means DefaultAPIURL) sending requests through hc, which
// authorizes them (an oauth2.Transport).
func NewClient(hc *http.Client, baseURL string, now func() time.Time) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultAPIURL
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/") + "/")
	if err != nil {
		return nil, fmt.Errorf("zoom: API URL: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Client{BaseURL: u, hc: hc, now: now}, nil
}

// Error is an error answer from Zoom: its HTTP status and Zoom's own code and message.
type Error struct {
	StatusCode int
	Code       int
	Message    string
	TrackingID string        // x-zm-trackingid, for Zoom support
	RetryAfter time.Duration // from Retry-After on 429, when given
}

// Error says the status, Zoom's code and its message (never a token).
func (e *Error) Error() string {
	return fmt.Sprintf("zoom: HTTP %d: code %d: %s", e.StatusCode, e.Code, e.Message)
}

// NewRequest builds a request for path (relative to BaseURL, already escaped) with body encoded as JSON.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	u, err := c.BaseURL.Parse(strings.TrimPrefix(path, "/"))
	if err != nil {
		return nil, fmt.Errorf("zoom: path %q: %w", path, err)
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

// Do sends req and decodes a successful JSON answer into v (when not nil). A non-2xx answer is an *Error.
func (c *Client) Do(req *http.Request, v any) (*http.Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("zoom: %s %s: %w", req.Method, req.URL.Path, stripURL(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp, fmt.Errorf("zoom: reading the answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &Error{StatusCode: resp.StatusCode, TrackingID: resp.Header.Get("x-zm-trackingid")}
		var wire struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &wire) == nil {
			e.Code, e.Message = wire.Code, wire.Message
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), c.now())
		return resp, e
	}
	if v != nil && len(body) > 0 {
		if err := json.Unmarshal(body, v); err != nil {
			return resp, fmt.Errorf("zoom: decoding the answer to %s %s: %w", req.Method, req.URL.Path, err)
		}
	}
	return resp, nil
}

// stripURL drops the URL from a transport error: Zoom URLs never carry secrets, but keeping errors short
// and uniform keeps it that way.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryAfter reads Retry-After as seconds, an HTTP date, or the RFC 3339 date-time Zoom documents.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	for _, layout := range []string{http.TimeFormat, time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d
			}
			return 0
		}
	}
	return 0
}

// User is a Zoom user (GET /users/{userId}).
type User struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	DisplayName string `json:"display_name"`
	Type        int    `json:"type"`
	PMI         int64  `json:"pmi"`
	Timezone    string `json:"timezone"`
	Status      string `json:"status"`
	AccountID   string `json:"account_id"`
}

// MeetingSettings are the meeting settings mmzoom sets, under Zoom's names and types. A nil field is not sent,
// so that Zoom applies the host's own setting.
type MeetingSettings struct {
	UsePMI                bool    `json:"use_pmi"`
	WaitingRoom           *bool   `json:"waiting_room,omitempty"`
	JoinBeforeHost        *bool   `json:"join_before_host,omitempty"`
	JBHTime               *int    `json:"jbh_time,omitempty"` // 0, 5 or 10 minutes
	MuteUponEntry         *bool   `json:"mute_upon_entry,omitempty"`
	HostVideo             *bool   `json:"host_video,omitempty"`
	ParticipantVideo      *bool   `json:"participant_video,omitempty"`
	AutoRecording         *string `json:"auto_recording,omitempty"` // "local", "cloud" or "none"
	MeetingAuthentication *bool   `json:"meeting_authentication,omitempty"`
}

// MeetingRequest is the body of POST /users/{userId}/meetings.
type MeetingRequest struct {
	Topic string `json:"topic"`
	Type  int    `json:"type"` // 1 instant, 2 scheduled
	// DefaultPassword asks Zoom to generate a passcode by the host's settings (true), or for none (false).
	DefaultPassword *bool            `json:"default_password,omitempty"`
	Settings        *MeetingSettings `json:"settings,omitempty"`
}

// Meeting is a Zoom meeting (create and GET answers).
type Meeting struct {
	ID                int64     `json:"id"`
	UUID              string    `json:"uuid"`
	HostID            string    `json:"host_id"`
	HostEmail         string    `json:"host_email"`
	Topic             string    `json:"topic"`
	Type              int       `json:"type"`
	Status            string    `json:"status"`
	StartTime         string    `json:"start_time"`
	CreatedAt         time.Time `json:"created_at"`
	StartURL          string    `json:"start_url"`
	JoinURL           string    `json:"join_url"`
	Password          string    `json:"password"`
	EncryptedPassword string    `json:"encrypted_password"`
	PMI               string    `json:"pmi"`
}

// PastMeeting is an ended meeting instance (GET /past_meetings/{meetingId}).
type PastMeeting struct {
	ID                int64     `json:"id"`
	UUID              string    `json:"uuid"`
	Topic             string    `json:"topic"`
	HostID            string    `json:"host_id"`
	StartTime         time.Time `json:"start_time"`
	EndTime           time.Time `json:"end_time"`
	Duration          int       `json:"duration"`
	ParticipantsCount int       `json:"participants_count"`
}

// call makes one request and decodes the answer into v.
func (c *Client) call(ctx context.Context, method, path string, body, v any) error {
	req, err := c.NewRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	_, err = c.Do(req, v)
	return err
}

// User looks up a user: "me", a user id or an e-mail address.
// https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}
func (c *Client) User(ctx context.Context, userID string) (*User, error) {
	var u User
	if err := c.call(ctx, http.MethodGet, "users/"+url.PathEscape(userID), nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateMeeting creates a meeting hosted by userID ("me", an id or an e-mail address).
// https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings
func (c *Client) CreateMeeting(ctx context.Context, userID string, m *MeetingRequest) (*Meeting, error) {
	var out Meeting
	if err := c.call(ctx, http.MethodPost, "users/"+url.PathEscape(userID)+"/meetings", m, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Meeting gets a meeting. https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/meetings/{meetingId}
func (c *Client) Meeting(ctx context.Context, meetingID int64) (*Meeting, error) {
	var out Meeting
	if err := c.call(ctx, http.MethodGet, "meetings/"+strconv.FormatInt(meetingID, 10), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteMeeting deletes a meeting. https://developers.zoom.us/docs/api/meetings/#tag/meetings/DELETE/meetings/{meetingId}
func (c *Client) DeleteMeeting(ctx context.Context, meetingID int64) error {
	return c.call(ctx, http.MethodDelete, "meetings/"+strconv.FormatInt(meetingID, 10), nil, nil)
}

// EndMeeting ends a running meeting. https://developers.zoom.us/docs/api/meetings/#tag/meetings/PUT/meetings/{meetingId}/status
func (c *Client) EndMeeting(ctx context.Context, meetingID int64) error {
	return c.call(ctx, http.MethodPut, "meetings/"+strconv.FormatInt(meetingID, 10)+"/status", map[string]string{"action": "end"}, nil)
}

// PastMeeting gets an ended meeting instance by meeting id (the latest instance) or UUID.
// https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/past_meetings/{meetingId}
func (c *Client) PastMeeting(ctx context.Context, uuidOrID string) (*PastMeeting, error) {
	var out PastMeeting
	if err := c.call(ctx, http.MethodGet, "past_meetings/"+EscapeUUID(uuidOrID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// EscapeUUID escapes a meeting UUID for a path segment. Zoom requires UUIDs that begin with "/" or contain
// "//" to be encoded twice.
func EscapeUUID(uuid string) string {
	e := escapeComponent(uuid)
	if strings.HasPrefix(uuid, "/") || strings.Contains(uuid, "//") {
		e = escapeComponent(e)
	}
	return e
}

// escapeComponent escapes like JavaScript's encodeURIComponent, which Zoom's examples use.
func escapeComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
