package mattermost

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

var (
	_ meeting.Dialogs       = (*Client)(nil)
	_ meeting.ChannelAdmins = (*Client)(nil)
)

// timezoneOf is the IANA zone in force in a user's timezone setting: manualTimezone unless
// useAutomaticTimezone is "true", else automaticTimezone. Mattermost sends the three as strings; a boolean
// is read too, and anything unreadable means "unknown".
func timezoneOf(raw json.RawMessage) string {
	var tz map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &tz) != nil {
		return ""
	}
	str := func(k string) string { s, _ := tz[k].(string); return strings.TrimSpace(s) }
	auto := str("useAutomaticTimezone") == "true" || tz["useAutomaticTimezone"] == true
	name := str("manualTimezone")
	if auto || name == "" {
		if a := str("automaticTimezone"); a != "" || auto {
			name = a
		}
	}
	if name == "" {
		return ""
	}
	if _, err := time.LoadLocation(name); err != nil {
		return ""
	}
	return name
}

// dialogElement is an interactive dialog element as Mattermost takes it.
type dialogElement struct {
	DisplayName string         `json:"display_name"`
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	SubType     string         `json:"subtype,omitempty"`
	Default     string         `json:"default,omitempty"`
	Placeholder string         `json:"placeholder,omitempty"`
	HelpText    string         `json:"help_text,omitempty"`
	Optional    bool           `json:"optional"`
	MaxLength   int            `json:"max_length,omitempty"`
	Options     []dialogOption `json:"options,omitempty"`
	// TimeInterval (11.1) and DatetimeConfig (11.6) configure a datetime element.
	TimeInterval   int             `json:"time_interval,omitempty"`
	DatetimeConfig *datetimeConfig `json:"datetime_config,omitempty"`
}

// datetimeConfig is a datetime element's configuration.
type datetimeConfig struct {
	TimeInterval     int    `json:"time_interval,omitempty"`
	LocationTimezone string `json:"location_timezone,omitempty"`
	ManualTimeEntry  bool   `json:"manual_time_entry,omitempty"`
}

// datetimeInterval is the step of the datetime picker, in minutes: Zoom meetings start on quarter hours.
const datetimeInterval = 15

// hasDatetime reports whether a Mattermost version ("11.3.0") has the dialog's datetime element (11.1+).
func hasDatetime(version string) bool {
	var major, minor int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 11 || major == 11 && minor >= 1
}

// serverVersion is the Mattermost version from the client config ("" when unknown).
func (c *Client) serverVersion(ctx context.Context) string {
	var cfg map[string]any
	if err := c.call(ctx, http.MethodGet, "api/v4/config/client?format=old", nil, &cfg); err != nil {
		return ""
	}
	v, _ := cfg["Version"].(string)
	return v
}

type dialogOption struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// clipRunes keeps the first n characters of s. Mattermost does not refuse a dialog whose labels are too long:
// it opens it and logs "Interactive dialog is invalid" (app/integration_action.go), and its limits count
// bytes, so a Japanese label over 8 characters is logged even when clipped here; the client shows it whole.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// OpenDialog opens d in the client of the user whose command or click carried triggerID
// (POST /api/v4/actions/dialogs/open; https://developers.mattermost.com/integrate/plugins/interactive-dialogs/).
func (c *Client) OpenDialog(ctx context.Context, triggerID string, d *meeting.Dialog) error {
	datetime := false
	for _, e := range d.Elements {
		if e.DateTime {
			datetime = hasDatetime(c.serverVersion(ctx))
			break
		}
	}
	els := make([]dialogElement, 0, len(d.Elements))
	for _, e := range d.Elements {
		de := dialogElement{DisplayName: clipRunes(e.Label, 24), Name: e.Name, Type: e.Type, Default: clipRunes(e.Default, 150),
			Placeholder: clipRunes(e.Placeholder, 150), HelpText: clipRunes(e.Help, 150), Optional: e.Optional, MaxLength: e.MaxLength}
		if e.Type == "textarea" {
			de.Default = e.Default
		}
		for _, o := range e.Options {
			de.Options = append(de.Options, dialogOption{Text: o[0], Value: o[1]})
		}
		if e.DateTime && datetime {
			// The picker submits RFC 3339 with the offset of location_timezone (the user's own when the server
			// predates it), which the service reads like any typed time. Its default must sit on the interval.
			de.Type, de.Placeholder, de.MaxLength, de.Default = "datetime", "", 0, ""
			de.TimeInterval = datetimeInterval
			de.DatetimeConfig = &datetimeConfig{TimeInterval: datetimeInterval, LocationTimezone: e.Location, ManualTimeEntry: true}
			if !e.DefaultTime.IsZero() && e.DefaultTime.Minute()%datetimeInterval == 0 {
				loc, err := time.LoadLocation(e.Location)
				if err != nil {
					loc = time.UTC
				}
				de.Default = e.DefaultTime.In(loc).Format(time.RFC3339)
			}
		}
		els = append(els, de)
	}
	body := map[string]any{"trigger_id": triggerID, "url": c.dialogURL, "dialog": map[string]any{
		"callback_id": d.CallbackID, "title": clipRunes(d.Title, 24), "introduction_text": d.Intro, "submit_label": d.Submit,
		"notify_on_cancel": false, "state": d.State, "elements": els}}
	return c.call(ctx, http.MethodPost, "api/v4/actions/dialogs/open", body, nil)
}

// SignState signs a dialog state with the button key.
func (c *Client) SignState(st meeting.DialogState) string { return c.signer.SignState(st) }

// stateJSON is a dialog state as signed.
type stateJSON struct {
	User     string `json:"u"`
	Channel  string `json:"c"`
	Team     string `json:"t,omitempty"`
	Root     string `json:"r,omitempty"`
	Schedule int64  `json:"s,omitempty"`
	Nonce    string `json:"n"`
	Expires  int64  `json:"e"`
}

// ErrBadState is a dialog state that is forged, altered, or sent by the wrong user.
var ErrBadState = errors.New("mattermost: invalid dialog state")

// ErrStateExpired is a genuine dialog state, for this user, that has expired.
var ErrStateExpired = errors.New("mattermost: dialog state expired")

// SignState encodes st and its HMAC. Mattermost hands the state to the user's client and takes it back from
// the client, so it is treated as hostile when it returns.
func (s *Signer) SignState(st meeting.DialogState) string {
	b, _ := json.Marshal(stateJSON{User: st.UserID, Channel: st.ChannelID, Team: st.TeamID, Root: st.RootID, Schedule: st.ScheduleID,
		Nonce: st.Nonce, Expires: st.Expires.Unix()})
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + s.stateMAC(payload)
}

func (s *Signer) stateMAC(payload string) string {
	m := hmac.New(sha256.New, s.key)
	io.WriteString(m, "mmzoom dialog state v1:"+payload)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// VerifyState checks a dialog state that came back with a submission by userID. The submission's channel is
// not compared: Mattermost's client sends the channel it shows at submission time (mattermost-redux
// submitInteractiveDialog), which is another one when the command ran in a thread of another channel, and
// the meeting's channel is the one the signed state names.
func (s *Signer) VerifyState(raw, userID string) (meeting.DialogState, error) {
	payload, mac, ok := strings.Cut(raw, ".")
	if !ok || len(raw) > 2048 || !hmac.Equal([]byte(mac), []byte(s.stateMAC(payload))) {
		return meeting.DialogState{}, ErrBadState
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	var st stateJSON
	if err != nil || json.Unmarshal(b, &st) != nil {
		return meeting.DialogState{}, ErrBadState
	}
	exp := time.Unix(st.Expires, 0)
	if st.User != userID || st.Channel == "" || st.Nonce == "" {
		return meeting.DialogState{}, ErrBadState
	}
	if !s.now().Before(exp) {
		return meeting.DialogState{}, ErrStateExpired
	}
	return meeting.DialogState{UserID: st.User, ChannelID: st.Channel, TeamID: st.Team, RootID: st.Root, ScheduleID: st.Schedule,
		Nonce: st.Nonce, Expires: exp}, nil
}

// DialogSubmission is an interactive dialog submission as Mattermost posts it (no credentials: the signed
// state is the only proof).
type DialogSubmission struct {
	Type       string         `json:"type"`
	CallbackID string         `json:"callback_id"`
	State      string         `json:"state"`
	UserID     string         `json:"user_id"`
	ChannelID  string         `json:"channel_id"`
	TeamID     string         `json:"team_id"`
	Submission map[string]any `json:"submission"`
	Cancelled  bool           `json:"cancelled"`
}

// ParseDialogSubmission reads a dialog submission; the values come back as strings (numbers and booleans
// written as Mattermost would show them).
func ParseDialogSubmission(r *http.Request) (*DialogSubmission, map[string]string, error) {
	if r.Method != http.MethodPost {
		return nil, nil, errors.New("dialog: POST expected")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return nil, nil, fmt.Errorf("dialog: reading the body: %w", err)
	}
	if len(body) > maxRequestBody {
		return nil, nil, errors.New("dialog: body too large")
	}
	var d DialogSubmission
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, nil, fmt.Errorf("dialog: malformed JSON: %w", err)
	}
	if d.UserID == "" || d.ChannelID == "" {
		return nil, nil, errors.New("dialog: user_id and channel_id are required")
	}
	values := map[string]string{}
	for k, v := range d.Submission {
		switch v := v.(type) {
		case string:
			values[k] = v
		case float64, bool:
			values[k] = fmt.Sprint(v)
		}
	}
	return &d, values, nil
}
