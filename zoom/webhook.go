package zoom

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxWebhookBody caps what mmzoom reads of a webhook request before verifying it.
const MaxWebhookBody = 1 << 20

// Webhook verifies Zoom's signed event notifications.
// https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events
type Webhook struct {
	Secret string
	// Tolerance is how far x-zm-request-timestamp may be from now. Zoom stamps every delivery, retries
	// included, with the time it is sent, so a fresh retry passes and a captured request replayed later fails.
	Tolerance time.Duration
	Now       func() time.Time
}

// Errors of webhook verification; all of them mean "refuse and change nothing".
var (
	ErrNoSignature  = errors.New("zoom webhook: missing x-zm-signature or x-zm-request-timestamp")
	ErrBadSignature = errors.New("zoom webhook: signature does not match")
	ErrStale        = errors.New("zoom webhook: timestamp outside the allowed window")
)

// Verify checks the signature over the raw body: x-zm-signature must be "v0=" + hex(HMAC-SHA256(secret,
// "v0:" + x-zm-request-timestamp + ":" + body)), compared in constant time, with a fresh timestamp.
func (w *Webhook) Verify(h http.Header, body []byte) error {
	sig, ts := h.Get("x-zm-signature"), h.Get("x-zm-request-timestamp")
	if sig == "" || ts == "" || w.Secret == "" {
		return ErrNoSignature
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrNoSignature
	}
	want := Signature(w.Secret, ts, body)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return ErrBadSignature
	}
	tol := w.Tolerance
	if tol <= 0 {
		tol = 5 * time.Minute
	}
	if d := w.Now().Sub(time.Unix(secs, 0)); d > tol || d < -tol {
		return ErrStale
	}
	return nil
}

// Signature computes the x-zm-signature value for a timestamp and body.
func Signature(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// EncryptToken answers endpoint.url_validation: hex(HMAC-SHA256(secret, plainToken)).
func (w *Webhook) EncryptToken(plainToken string) string {
	m := hmac.New(sha256.New, []byte(w.Secret))
	m.Write([]byte(plainToken))
	return hex.EncodeToString(m.Sum(nil))
}

// Event is a webhook notification, parsed defensively: Zoom sends object.id as a string in webhooks but a
// number in REST, and event_ts as a number (milliseconds) except in app_deauthorized, where it is a string.
type Event struct {
	Event          string
	EventTS        time.Time
	PlainToken     string // endpoint.url_validation
	AccountID      string
	UserID         string    // app_deauthorized: the Zoom user who removed the app
	ClientID       string    // app_deauthorized
	DeauthorizedAt time.Time // app_deauthorized
	Meeting        EventMeeting
	Participant    EventParticipant // meeting.participant_joined / _left
	Recording      EventRecording   // recording.completed, recording.transcript_completed
	Summary        *EventSummary    // meeting.summary_*
}

// EventParticipant is payload.object.participant.
type EventParticipant struct {
	UserID          string
	UserName        string
	ID              string
	ParticipantUUID string
	Email           string
	JoinTime        time.Time
	LeaveTime       time.Time
}

// Key identifies a participant across their join and leave events: Zoom's participant_uuid when present,
// else the participant's user id, else their name.
func (p EventParticipant) Key() string {
	for _, k := range []string{p.ParticipantUUID, p.UserID, p.ID, p.Email, p.UserName} {
		if k != "" {
			return k
		}
	}
	return ""
}

// EventRecording is what recording.completed says about a meeting's recordings.
type EventRecording struct {
	ShareURL      string
	Password      string // the recording passcode: a secret, shown only if the admin allows
	DownloadToken string // a secret: never stored in plaintext, never posted
	Files         []RecordingFile
}

// RecordingFile is one file of a recording.
type RecordingFile struct {
	ID            string
	RecordingType string
	FileType      string // MP4, M4A, TRANSCRIPT, CHAT, …
	FileExtension string
	FileSize      int64
	PlayURL       string
	DownloadURL   string // opened with the event's download token as a Bearer header
	Status        string
}

// EventMeeting is payload.object of a meeting event.
type EventMeeting struct {
	ID        int64
	UUID      string
	HostID    string
	Topic     string
	StartTime time.Time
	EndTime   time.Time
}

// flexInt accepts 123, "123" and "" (zero).
type flexInt int64

// UnmarshalJSON reads a number or a string of digits.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		s, err := jsonText(b)
		if err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return errors.New("not an integer id")
	}
	*f = flexInt(n)
	return nil
}

// jsonText is the text of the JSON string b. A string of printable ASCII without escapes (what Zoom sends for
// ids and times) is read as it stands; any other goes through encoding/json. Parsing a delivery reads several
// such strings on the path Zoom waits on, and a json.Unmarshal for each was a fifth of the parse.
func jsonText(b []byte) (string, error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		inner := b[1 : len(b)-1]
		plain := true
		for _, c := range inner {
			if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
				plain = false
				break
			}
		}
		if plain {
			return string(inner), nil
		}
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// flexTime accepts RFC 3339 strings, "2006-01-02 15:04:05" strings, millisecond numbers and "".
type flexTime time.Time

// UnmarshalJSON reads the time forms Zoom uses.
func (f *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] != '"' {
		ms, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return errors.New("not a timestamp")
		}
		*f = flexTime(time.UnixMilli(ms).UTC())
		return nil
	}
	s, err := jsonText(b)
	if err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			*f = flexTime(t.UTC())
			return nil
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexTime(time.UnixMilli(ms).UTC())
		return nil
	}
	return errors.New("not a timestamp")
}

// ParseEvent parses a verified webhook body.
func ParseEvent(body []byte) (*Event, error) {
	var raw struct {
		Event   string   `json:"event"`
		EventTS flexTime `json:"event_ts"`
		Payload struct {
			PlainToken string   `json:"plainToken"`
			AccountID  string   `json:"account_id"`
			UserID     string   `json:"user_id"`
			ClientID   string   `json:"client_id"`
			EventTS    flexTime `json:"event_ts"`
			DeauthTime flexTime `json:"deauthorization_time"`
			Object     struct {
				ID          flexInt  `json:"id"`
				UUID        string   `json:"uuid"`
				HostID      string   `json:"host_id"`
				Topic       string   `json:"topic"`
				StartTime   flexTime `json:"start_time"`
				EndTime     flexTime `json:"end_time"`
				Password    string   `json:"password"`
				ShareURL    string   `json:"share_url"`
				Participant struct {
					UserID          string   `json:"user_id"`
					UserName        string   `json:"user_name"`
					ID              string   `json:"id"`
					ParticipantUUID string   `json:"participant_uuid"`
					Email           string   `json:"email"`
					JoinTime        flexTime `json:"join_time"`
					LeaveTime       flexTime `json:"leave_time"`
				} `json:"participant"`
				RecordingFiles []struct {
					ID            string  `json:"id"`
					RecordingType string  `json:"recording_type"`
					FileType      string  `json:"file_type"`
					FileExtension string  `json:"file_extension"`
					FileSize      flexInt `json:"file_size"`
					PlayURL       string  `json:"play_url"`
					DownloadURL   string  `json:"download_url"`
					Status        string  `json:"status"`
				} `json:"recording_files"`
				wireSummary
			} `json:"object"`
		} `json:"payload"`
		DownloadToken string `json:"download_token"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("zoom webhook: malformed body: %w", err)
	}
	if strings.TrimSpace(raw.Event) == "" {
		return nil, errors.New("zoom webhook: no event type")
	}
	ev := &Event{
		Event: raw.Event, EventTS: time.Time(raw.EventTS), PlainToken: raw.Payload.PlainToken,
		AccountID: raw.Payload.AccountID, UserID: raw.Payload.UserID, ClientID: raw.Payload.ClientID,
		Meeting: EventMeeting{
			ID: int64(raw.Payload.Object.ID), UUID: raw.Payload.Object.UUID, HostID: raw.Payload.Object.HostID,
			Topic: raw.Payload.Object.Topic, StartTime: time.Time(raw.Payload.Object.StartTime),
			EndTime: time.Time(raw.Payload.Object.EndTime),
		},
	}
	if ev.EventTS.IsZero() {
		ev.EventTS = time.Time(raw.Payload.EventTS)
	}
	ev.DeauthorizedAt = time.Time(raw.Payload.DeauthTime)
	o := raw.Payload.Object
	ev.Participant = EventParticipant{UserID: o.Participant.UserID, UserName: o.Participant.UserName, ID: o.Participant.ID,
		ParticipantUUID: o.Participant.ParticipantUUID, Email: o.Participant.Email,
		JoinTime: time.Time(o.Participant.JoinTime), LeaveTime: time.Time(o.Participant.LeaveTime)}
	ev.Recording = EventRecording{ShareURL: o.ShareURL, Password: o.Password, DownloadToken: raw.DownloadToken}
	for _, f := range o.RecordingFiles {
		ev.Recording.Files = append(ev.Recording.Files, RecordingFile{ID: f.ID, RecordingType: f.RecordingType, FileType: f.FileType,
			FileExtension: f.FileExtension, FileSize: int64(f.FileSize), PlayURL: f.PlayURL, DownloadURL: f.DownloadURL, Status: f.Status})
	}
	if strings.HasPrefix(ev.Event, "meeting.summary_") {
		ev.Summary = o.wireSummary.summary()
		// Summary events name the meeting meeting_id and meeting_uuid.
		if ev.Meeting.ID == 0 {
			ev.Meeting.ID = ev.Summary.MeetingID
		}
		if ev.Meeting.UUID == "" {
			ev.Meeting.UUID = ev.Summary.MeetingUUID
		}
		if ev.Meeting.Topic == "" {
			ev.Meeting.Topic = ev.Summary.Topic
		}
	}
	return ev, nil
}
