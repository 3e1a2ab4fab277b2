// Package zoomsim is a simulator of Zoom for tests and the demo: OAuth (authorization code with PKCE,
// refresh-token rotation, account_credentials, revoke), the REST API v2 users and meetings endpoints with
// Zoom's error bodies and rate limiting, signed webhooks with Zoom's retry rule, and small web pages to
// start, join and end meetings. It follows Zoom's documented field names and types: a meeting id is a JSON
// number in REST answers and a string in webhooks. Production code never imports it.
package zoomsim

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mmzoom/mmzoom/sim/simnet"
)

// Options configure a simulator.
type Options struct {
	Now           func() time.Time
	ClientID      string // the OAuth app, also the Server-to-Server app
	ClientSecret  string
	AccountID     string // for account_credentials
	WebhookSecret string // signs event notifications
	WebhookURL    string // where event notifications go ("" = nowhere)
	HTTPClient    *http.Client
	// RetryDelays is the webhook retry schedule after failed deliveries; nil means Zoom's 5, 20 and 60 minutes.
	RetryDelays []time.Duration
	// AccessTokenTTL is how long access tokens live; 0 means an hour (expires_in 3599).
	AccessTokenTTL time.Duration
}

// User is a simulated Zoom user.
type User struct {
	ID        string
	Email     string
	FirstName string
	LastName  string
	Timezone  string
	PMI       int64
	Type      int // 1 Basic, 2 Licensed
	// Admin users approving the consent page grant account-level access (admin-managed apps).
	Admin bool
	// EmbedPasswordInJoinLink is the account setting that puts the passcode (encrypted) in join links.
	EmbedPasswordInJoinLink bool
	// PasscodeNotRequired turns off the user's "Require a passcode when scheduling new meetings" setting,
	// which Zoom turns on for everyone (passcodes by default since 2020): only then can a meeting created
	// through the API have no passcode.
	PasscodeNotRequired bool
}

// Meeting is a simulated meeting.
type Meeting struct {
	ID                int64
	UUID              string // the current (or next) instance
	HostID            string
	HostEmail         string
	Topic             string
	Type              int
	Status            string // "waiting" or "started"
	StartURL          string
	JoinURL           string
	Password          string
	EncryptedPassword string
	Personal          bool
	CreatedAt         time.Time
	StartedAt         time.Time
	Participants      int
	Settings          Settings // as created (settings.go)
	// StartTime, Duration (minutes), Timezone and Agenda are a scheduled meeting's (types 2 and 8).
	StartTime time.Time
	Duration  int
	Timezone  string
	Agenda    string
	// Recurrence and Occurrences are a recurring meeting's (type 8).
	Recurrence  *Recurrence
	Occurrences []Occurrence
	zak         string
	present     map[string]string // participant id → name
	ended       bool              // an instance has ended (an instant meeting cannot be deleted then)
}

// Stats counts what the simulator was asked.
type Stats struct {
	TokenRequests     map[string]int // by grant_type, successful or not
	Refreshes         int            // successful refresh_token grants
	APICalls          int            // every /v2 request
	APICallsByRoute   map[string]int // e.g. "POST /users/{userId}/meetings"
	WebhookDeliveries int            // attempts
	Revocations       int            // grants revoked through POST /oauth/revoke
}

// Delivery is one webhook delivery attempt.
type Delivery struct {
	Event   string
	Status  int // 0 when the request failed
	Attempt int
	At      time.Time
}

type authCode struct {
	clientID, redirectURI, challenge, method, userID string
	expires                                          time.Time
}

type grant struct {
	userID        string // the approving user ("" for account_credentials)
	account       bool
	access        string
	refresh       string
	accessExpires time.Time
	revoked       bool
	scope         string
}

type pastMeeting struct {
	ID           int64
	UUID         string
	HostID       string
	HostEmail    string
	Topic        string
	Type         int
	Start, End   time.Time
	Participants int
}

// Server is the simulator.
type Server struct {
	opts    Options
	baseURL string
	latency simnet.Latency // simulated round-trip time of API calls (latency.go)

	mu          sync.Mutex
	users       map[string]*User
	codes       map[string]*authCode
	byAccess    map[string]*grant
	byRefresh   map[string]*grant
	spent       map[string]bool // rotated-out refresh tokens
	meetings    map[int64]*Meeting
	past        map[string]*pastMeeting // by uuid
	lastPast    map[int64]*pastMeeting
	created     map[string]int // meetings created today per host id
	createdDay  string
	stats       Stats
	deliveries  []Delivery
	rateLimited bool
	retryAfter  time.Duration
	down        bool
	failNext    *apiError
	dailyLimit  int
	lastEvent   string
	lastBody    []byte
	webhooksOff bool
	// granted overrides the scopes tokens carry, by admin (account-level) or not; see SetGrantedScopes.
	granted   map[bool]string
	summaries map[string]*storedSummary // by meeting instance UUID
	files     map[string]*simFile       // recording files by download id
	chats     map[int64]string          // the meeting chat the next recording carries
	downloads []Download

	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

type apiError struct {
	status, code int
	message      string
}

// New returns a simulator.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.RetryDelays == nil {
		o.RetryDelays = []time.Duration{5 * time.Minute, 20 * time.Minute, 60 * time.Minute}
	}
	if o.AccessTokenTTL == 0 {
		o.AccessTokenTTL = time.Hour
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{opts: o, baseURL: "https://zoom.us",
		users: map[string]*User{}, codes: map[string]*authCode{}, byAccess: map[string]*grant{}, byRefresh: map[string]*grant{},
		spent: map[string]bool{}, meetings: map[int64]*Meeting{}, past: map[string]*pastMeeting{}, lastPast: map[int64]*pastMeeting{},
		created: map[string]int{}, dailyLimit: 100,
		summaries: map[string]*storedSummary{}, files: map[string]*simFile{}, chats: map[int64]string{},
		stats: Stats{TokenRequests: map[string]int{}, APICallsByRoute: map[string]int{}},
		ctx:   ctx, cancel: cancel}
}

// SetBaseURL sets the simulator's public URL, used in join, start and redirect URLs.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	s.baseURL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// Close stops webhook deliveries in progress.
func (s *Server) Close() { s.cancel() }

// Handler serves the simulator.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/authorize", s.authorizePage)
	mux.HandleFunc("POST /oauth/authorize", s.authorizeApprove)
	mux.Handle("POST /oauth/token", s.latency.Wrap(http.HandlerFunc(s.token)))
	mux.Handle("POST /oauth/revoke", s.latency.Wrap(http.HandlerFunc(s.revoke)))
	mux.Handle("/v2/", s.latency.Wrap(s.api()))
	mux.HandleFunc("GET /{$}", s.homePage)
	mux.HandleFunc("GET /j/{id}", s.joinPage)
	mux.HandleFunc("GET /s/{id}", s.startPage)
	mux.HandleFunc("POST /sim/meetings/{id}/{op}", s.meetingOp)
	mux.HandleFunc("POST /sim/users/{id}/deauthorize", s.deauthorizeUser)
	mux.HandleFunc("GET /rec/download/{id}", s.downloadFile)
	mux.HandleFunc("GET /doc/{id}", s.docPage)
	return mux
}

// AddUser adds a Zoom user and returns it with its id and PMI filled in.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = randomID(22)
	}
	if u.PMI == 0 {
		u.PMI = 1000000000 + randomInt(8999999999)
	}
	if u.Type == 0 {
		u.Type = 2
	}
	if u.Timezone == "" {
		u.Timezone = "Asia/Tokyo"
	}
	cp := u
	s.users[u.ID] = &cp
	return u
}

// UserByEmail finds a user by e-mail address.
func (s *Server) UserByEmail(email string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.userByEmail(email); u != nil {
		return *u, true
	}
	return User{}, false
}

func (s *Server) userByEmail(email string) *User {
	for _, u := range s.users {
		if strings.EqualFold(u.Email, email) {
			return u
		}
	}
	return nil
}

// SetRateLimited makes every /v2 call answer 429 (true) or not.
func (s *Server) SetRateLimited(on bool, retryAfter time.Duration) {
	s.mu.Lock()
	s.rateLimited, s.retryAfter = on, retryAfter
	s.mu.Unlock()
}

// SetDown makes /v2 and the token endpoint answer 503.
func (s *Server) SetDown(on bool) {
	s.mu.Lock()
	s.down = on
	s.mu.Unlock()
}

// SetDailyLimit sets the per-host daily meeting create limit (Zoom's is 100); negative means none.
func (s *Server) SetDailyLimit(n int) {
	s.mu.Lock()
	s.dailyLimit = n
	s.mu.Unlock()
}

// FailNext makes the next /v2 call answer status with Zoom's error body {code, message}.
func (s *Server) FailNext(status, code int, message string) {
	s.mu.Lock()
	s.failNext = &apiError{status, code, message}
	s.mu.Unlock()
}

// ExpireAccessTokens makes every access token issued so far expired.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.byAccess {
		g.accessExpires = s.opts.Now().Add(-time.Second)
	}
}

// RevokeUser revokes every grant the Zoom user approved (as the user removing the app would).
func (s *Server) RevokeUser(zoomUserID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.byAccess {
		if g.userID == zoomUserID {
			g.revoked = true
		}
	}
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.TokenRequests = map[string]int{}
	for k, v := range s.stats.TokenRequests {
		st.TokenRequests[k] = v
	}
	st.APICallsByRoute = map[string]int{}
	for k, v := range s.stats.APICallsByRoute {
		st.APICallsByRoute[k] = v
	}
	return st
}

// Deliveries lists webhook delivery attempts.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Meeting returns a meeting by id.
func (s *Server) Meeting(id int64) (Meeting, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetings[id]
	if !ok {
		return Meeting{}, false
	}
	return *m, true
}

// Meetings lists every meeting.
func (s *Server) Meetings() []Meeting {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Meeting, 0, len(s.meetings))
	for _, m := range s.meetings {
		out = append(out, *m)
	}
	return out
}

// StartMeeting is the host starting the meeting: meeting.started follows, then meeting.participant_joined for
// the host, as Zoom sends them.
func (s *Server) StartMeeting(ctx context.Context, id int64) error {
	s.mu.Lock()
	m, ok := s.meetings[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("zoomsim: no meeting %d", id)
	}
	if m.Status == "started" {
		s.mu.Unlock()
		return nil
	}
	now := s.opts.Now().UTC()
	m.Status, m.StartedAt = "started", now
	// The host is a participant: Zoom follows meeting.started with meeting.participant_joined for the host,
	// whose participant id is the host's Zoom user id.
	hostName, hostPID := m.HostEmail, randomID(22)
	if u := s.users[m.HostID]; u != nil {
		hostName = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	m.present = map[string]string{hostPID: hostName}
	m.Participants = len(m.present)
	obj := s.eventObject(m)
	joined := s.eventObject(m)
	joined["participant"] = map[string]any{"user_id": fmt.Sprint(16778240 + randomInt(1000)), "user_name": hostName, "id": m.HostID,
		"participant_uuid": hostPID, "participant_user_id": m.HostID, "join_time": now.Format(time.RFC3339), "email": m.HostEmail}
	s.mu.Unlock()
	s.notify("meeting.started", obj)
	s.notify("meeting.participant_joined", joined)
	return nil
}

// JoinMeeting is a participant joining a started meeting: meeting.participant_joined follows. It returns
// the participant's id for LeaveMeeting.
func (s *Server) JoinMeeting(ctx context.Context, id int64, name string) (string, error) {
	s.mu.Lock()
	m, ok := s.meetings[id]
	if !ok || m.Status != "started" {
		s.mu.Unlock()
		return "", fmt.Errorf("zoomsim: meeting %d is not in progress", id)
	}
	pid := randomID(22)
	if m.present == nil {
		m.present = map[string]string{}
	}
	m.present[pid] = name
	m.Participants = len(m.present) // the host included
	obj := s.eventObject(m)
	// user_id is the participant's id within this meeting, digits in a string (as the host's above and Zoom's
	// examples, "16778240"); id and participant_user_id are a signed-in Zoom user's id, empty for a guest.
	obj["participant"] = map[string]any{"user_id": fmt.Sprint(16778240 + randomInt(1000000)), "user_name": name, "id": "", "participant_uuid": pid,
		"join_time": s.opts.Now().UTC().Format(time.RFC3339), "email": ""}
	s.mu.Unlock()
	s.notify("meeting.participant_joined", obj)
	return pid, nil
}

// LeaveMeeting is a participant leaving: meeting.participant_left follows.
func (s *Server) LeaveMeeting(ctx context.Context, id int64, participantID string) error {
	s.mu.Lock()
	m, ok := s.meetings[id]
	if !ok || m.present[participantID] == "" {
		s.mu.Unlock()
		return fmt.Errorf("zoomsim: no participant %s in meeting %d", participantID, id)
	}
	name := m.present[participantID]
	delete(m.present, participantID)
	m.Participants = len(m.present)
	obj := s.eventObject(m)
	obj["participant"] = map[string]any{"user_id": "", "user_name": name, "id": "", "participant_uuid": participantID,
		"leave_time": s.opts.Now().UTC().Format(time.RFC3339), "leave_reason": name + " left the meeting.", "email": ""}
	s.mu.Unlock()
	s.notify("meeting.participant_left", obj)
	return nil
}

// RecordingCompleted announces the cloud recording of the meeting's last ended instance
// (recording.completed, with a download_token and the recording passcode, as Zoom sends them), with the
// meeting chat as a CHAT file when SetMeetingChat gave one.
func (s *Server) RecordingCompleted(ctx context.Context, id int64) error {
	s.mu.Lock()
	p := s.lastPast[id]
	if p == nil {
		s.mu.Unlock()
		return fmt.Errorf("zoomsim: meeting %d has not ended", id)
	}
	rec := randomID(20)
	token := randomToken()
	files := []map[string]any{{"id": randomID(16), "meeting_id": p.UUID, "recording_start": p.Start.Format(time.RFC3339),
		"recording_end": p.End.Format(time.RFC3339), "recording_type": "shared_screen_with_speaker_view", "file_type": "MP4",
		"file_size": 3328371, "file_extension": "MP4", "play_url": s.baseURL + "/rec/play/" + rec,
		"download_url": s.baseURL + "/rec/download/" + rec, "status": "completed"}}
	if chat := s.chatFile(p, token); chat != nil {
		files = append(files, chat)
	}
	obj := map[string]any{"id": p.ID, "uuid": p.UUID, "host_id": p.HostID, "account_id": "simAccount", "topic": p.Topic, "type": p.Type,
		"start_time": p.Start.Format(time.RFC3339), "password": "rec" + randomID(6), "timezone": "Asia/Tokyo", "host_email": p.HostEmail,
		"duration": int(p.End.Sub(p.Start).Minutes()), "share_url": s.baseURL + "/rec/share/" + rec, "total_size": 3328371,
		"recording_count": len(files), "recording_files": files}
	s.mu.Unlock()
	s.notifyBody("recording.completed", map[string]any{"event": "recording.completed", "event_ts": s.opts.Now().UnixMilli(),
		"download_token": token, "payload": map[string]any{"account_id": "simAccount", "object": obj}})
	return nil
}

// Deauthorize is the user removing the app in Zoom: their grants stop working and app_deauthorized follows
// (event_ts a string there, as Zoom sends it).
func (s *Server) Deauthorize(ctx context.Context, zoomUserID string) {
	s.RevokeUser(zoomUserID)
	now := s.opts.Now().UTC()
	s.notifyBody("app_deauthorized", map[string]any{"event": "app_deauthorized", "payload": map[string]any{
		"account_id": "simAccount", "user_id": zoomUserID, "signature": randomID(64),
		"deauthorization_time": now.Format("2006-01-02T15:04:05.000Z"), "client_id": s.opts.ClientID,
		"event_ts": now.Format("2006-01-02 15:04:05")}})
}

// Redeliver sends the last event notification again (freshly signed), as Zoom does when it did not hear
// an answer in time: the receiver must apply it once.
func (s *Server) Redeliver(ctx context.Context) {
	s.mu.Lock()
	event, body := s.lastEvent, s.lastBody
	s.mu.Unlock()
	if body != nil {
		s.send(event, body)
	}
}

// EndMeeting ends the meeting: meeting.ended follows with Zoom's start and end times. The meeting can be
// started again as a new instance with a new UUID (as a Personal Meeting ID is).
func (s *Server) EndMeeting(ctx context.Context, id int64) error {
	s.mu.Lock()
	m, ok := s.meetings[id]
	if !ok || m.Status != "started" {
		s.mu.Unlock()
		return fmt.Errorf("zoomsim: meeting %d is not in progress", id)
	}
	end := s.opts.Now().UTC()
	obj := s.eventObject(m)
	obj["end_time"] = end.Format(time.RFC3339)
	p := &pastMeeting{ID: m.ID, UUID: m.UUID, HostID: m.HostID, HostEmail: m.HostEmail, Topic: m.Topic, Type: m.Type,
		Start: m.StartedAt, End: end, Participants: m.Participants}
	s.past[m.UUID], s.lastPast[m.ID] = p, p
	m.Status, m.Participants, m.StartedAt, m.UUID, m.ended = "waiting", 0, time.Time{}, newUUID(), true
	s.mu.Unlock()
	s.notify("meeting.ended", obj)
	return nil
}

// eventObject is the payload.object of a meeting event. Zoom sends the meeting id as a string here.
func (s *Server) eventObject(m *Meeting) map[string]any {
	tz, d := m.Timezone, m.Duration
	if tz == "" {
		tz = "Asia/Tokyo"
	}
	if d == 0 {
		d = 60
	}
	obj := map[string]any{"id": fmt.Sprint(m.ID), "uuid": m.UUID, "host_id": m.HostID, "topic": m.Topic, "type": m.Type,
		"timezone": tz, "duration": d}
	if !m.StartedAt.IsZero() {
		obj["start_time"] = m.StartedAt.Format(time.RFC3339)
	}
	return obj
}

func randomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func randomInt(n int64) int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>1) % n
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func s256(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
