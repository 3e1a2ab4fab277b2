package zoomsim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// writeJSON answers like Zoom's API: JSON with a tracking id header.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("x-zm-trackingid", "v=2.0;clid=us05;rid="+randomID(16))
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func zoomError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message})
}

// api serves /v2: bearer authentication, rate limiting and the users and meetings endpoints.
func (s *Server) api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/users/{userId}", s.getUser)
	mux.HandleFunc("POST /v2/users/{userId}/meetings", s.createMeeting)
	mux.HandleFunc("GET /v2/meetings/{meetingId}", s.getMeeting)
	mux.HandleFunc("PATCH /v2/meetings/{meetingId}", s.patchMeeting)
	mux.HandleFunc("DELETE /v2/meetings/{meetingId}", s.deleteMeeting)
	mux.HandleFunc("PUT /v2/meetings/{meetingId}/status", s.meetingStatus)
	mux.HandleFunc("GET /v2/past_meetings/{meetingId}", s.getPastMeeting)
	mux.HandleFunc("GET /v2/meetings/{meetingId}/meeting_summary", s.getMeetingSummary)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		s.mu.Lock()
		s.stats.APICalls++
		s.stats.APICallsByRoute[r.Method+" "+strings.TrimPrefix(strings.TrimPrefix(pattern, r.Method+" "), "/v2")]++
		down, limited, retry, fail := s.down, s.rateLimited, s.retryAfter, s.failNext
		s.failNext = nil
		s.mu.Unlock()
		switch {
		case down:
			zoomError(w, http.StatusServiceUnavailable, 503, "Service Unavailable")
			return
		case r.URL.Query().Get("access_token") != "":
			zoomError(w, http.StatusUnauthorized, 124, "Invalid access token, this access token is not supported as query parameter string.")
			return
		}
		g, status, msg := s.authenticate(r)
		if g == nil {
			zoomError(w, status, 124, msg)
			return
		}
		switch {
		case limited:
			h := w.Header()
			h.Set("X-RateLimit-Category", "Medium")
			h.Set("X-RateLimit-Type", "QPS")
			h.Set("X-RateLimit-Limit", "20")
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("Retry-After", s.opts.Now().Add(retry).UTC().Format(time.RFC3339))
			zoomError(w, http.StatusTooManyRequests, 429, "You have reached the maximum per-second rate limit for this API. Try again later.")
			return
		case fail != nil:
			zoomError(w, fail.status, fail.code, fail.message)
			return
		}
		mux.ServeHTTP(w, r.WithContext(withGrant(r.Context(), g)))
	})
}

// authenticate finds the grant of the request's bearer token.
func (s *Server) authenticate(r *http.Request) (*grant, int, string) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return nil, http.StatusUnauthorized, "Invalid access token."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.byAccess[tok]
	switch {
	case g == nil || g.revoked:
		return nil, http.StatusUnauthorized, "Invalid access token."
	case !s.opts.Now().Before(g.accessExpires):
		return nil, http.StatusUnauthorized, "Access token is expired."
	}
	return g, 0, ""
}

// resolveUser finds the user a path's userId names for grant g. User-level grants may only address their own
// user ("me" or its id); account-level grants may address anyone by id or e-mail.
func (s *Server) resolveUser(g *grant, userID string) (*User, int, int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var u *User
	switch {
	case userID == "me":
		u = s.users[g.userID]
	case strings.Contains(userID, "@"):
		u = s.userByEmail(userID)
	default:
		u = s.users[userID]
	}
	if !g.account && (u == nil || u.ID != g.userID) {
		return nil, http.StatusBadRequest, 124, "Invalid access token."
	}
	if u == nil {
		return nil, http.StatusNotFound, 1001, fmt.Sprintf("User does not exist: %s.", userID)
	}
	return u, 0, 0, ""
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	u, status, code, msg := s.resolveUser(grantOf(r.Context()), r.PathValue("userId"))
	if u == nil {
		zoomError(w, status, code, msg)
		return
	}
	role := "Member"
	if u.Admin {
		role = "Admin"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": u.ID, "email": u.Email, "first_name": u.FirstName, "last_name": u.LastName,
		"display_name": strings.TrimSpace(u.FirstName + " " + u.LastName), "account_id": "simAccount", "type": u.Type,
		"pmi": u.PMI, "timezone": u.Timezone, "status": "active", "role_name": role, "use_pmi": false, "verified": 1,
	})
}

func (s *Server) createMeeting(w http.ResponseWriter, r *http.Request) {
	u, status, code, msg := s.resolveUser(grantOf(r.Context()), r.PathValue("userId"))
	if u == nil {
		zoomError(w, status, code, msg)
		return
	}
	var req struct {
		Topic           string          `json:"topic"`
		Type            int             `json:"type"`
		DefaultPassword json.RawMessage `json:"default_password"`
		RawSettings     json.RawMessage `json:"settings"`
		Settings        Settings        `json:"-"`
	}
	var sched scheduleFields
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(body, &req); err != nil || json.Unmarshal(body, &sched) != nil {
		zoomError(w, http.StatusBadRequest, 300, "Request Body should be a valid JSON object.")
		return
	}
	set, bad := parseSettings(req.RawSettings, req.DefaultPassword, !u.PasscodeNotRequired)
	if bad != nil {
		writeInvalidField(w, bad)
		return
	}
	req.Settings = set
	if req.Type == 0 {
		req.Type = 2
	}
	s.mu.Lock()
	// A scheduled meeting without a start_time starts now; its timezone defaults to the host's.
	draft := &Meeting{Type: req.Type, StartTime: s.opts.Now().UTC().Truncate(time.Second), Duration: 60}
	sched.Type = &req.Type
	if req.Type != 1 {
		if ferr := s.applySchedule(draft, sched, u.Timezone); ferr != nil {
			s.mu.Unlock()
			ferr.write(w)
			return
		}
	}
	now := s.opts.Now().UTC()
	if !s.countCreateOrUpdate(w, u.ID) {
		s.mu.Unlock()
		return
	}
	id := 80000000000 + randomInt(9999999999)
	if req.Settings.UsePMI {
		id = u.PMI
	}
	m := s.meetings[id]
	if m == nil {
		pass, enc := fmt.Sprintf("%06d", randomInt(1000000)), randomID(32)+".1"
		if !set.Passcode {
			pass, enc = "", ""
		}
		m = &Meeting{ID: id, UUID: newUUID(), HostID: u.ID, HostEmail: u.Email, Status: "waiting", Password: pass,
			EncryptedPassword: enc, Personal: req.Settings.UsePMI, CreatedAt: now, zak: randomToken()}
		s.meetings[id] = m
	}
	m.Topic, m.Type, m.Settings = req.Topic, req.Type, set
	if req.Type != 1 {
		m.StartTime, m.Duration, m.Timezone, m.Agenda = draft.StartTime, draft.Duration, draft.Timezone, draft.Agenda
		m.Recurrence, m.Occurrences = draft.Recurrence, draft.Occurrences
	}
	m.StartURL = fmt.Sprintf("%s/s/%d?zak=%s", s.baseURL, id, m.zak)
	m.JoinURL = fmt.Sprintf("%s/j/%d", s.baseURL, id)
	if u.EmbedPasswordInJoinLink && m.EncryptedPassword != "" {
		m.JoinURL += "?pwd=" + url.QueryEscape(m.EncryptedPassword)
	}
	out := s.meetingJSON(m)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

// countCreateOrUpdate counts a create or an update against the host's daily limit, or answers 429 when it is
// reached: "100 create/update requests per day (UTC) per user … Applies to all Meeting/Webinar IDs hosted
// by the user" (developers.zoom.us/docs/api/rate-limits/); PATCH /meetings/{meetingId} lists "A maximum of
// {rateLimitNumber} meetings can be created/updated for a single user in one day" among its errors (Zoom's
// Meeting API OpenAPI file). Callers hold s.mu.
func (s *Server) countCreateOrUpdate(w http.ResponseWriter, hostID string) bool {
	if day := s.opts.Now().UTC().Format("2006-01-02"); day != s.createdDay {
		s.createdDay, s.created = day, map[string]int{}
	}
	if s.dailyLimit >= 0 && s.created[hostID] >= s.dailyLimit {
		zoomError(w, http.StatusTooManyRequests, 429, fmt.Sprintf("You have exceeded the daily rate limit (%d) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.", s.dailyLimit))
		return false
	}
	s.created[hostID]++
	return true
}

// meetingJSON is a meeting as Zoom's create and get answers show it: id a number, pmi a string.
func (s *Server) meetingJSON(m *Meeting) map[string]any {
	out := map[string]any{
		"id": m.ID, "uuid": m.UUID, "host_id": m.HostID, "host_email": m.HostEmail, "topic": m.Topic, "type": m.Type,
		"status": m.Status, "start_time": m.CreatedAt.Format(time.RFC3339), "duration": 60, "timezone": "Asia/Tokyo",
		"created_at": m.CreatedAt.Format(time.RFC3339), "start_url": m.StartURL, "join_url": m.JoinURL,
		"password": m.Password, "h323_password": m.Password, "pstn_password": m.Password,
		"encrypted_password": m.EncryptedPassword, "pre_schedule": false,
		"settings": settingsJSON(m.Settings),
	}
	if m.Personal {
		out["pmi"] = strconv.FormatInt(m.ID, 10)
	}
	scheduleJSON(m, out, "", nil)
	return out
}

func (s *Server) meetingFor(w http.ResponseWriter, r *http.Request) *Meeting {
	id, err := strconv.ParseInt(r.PathValue("meetingId"), 10, 64)
	s.mu.Lock()
	m := s.meetings[id]
	s.mu.Unlock()
	if err != nil || m == nil {
		zoomError(w, http.StatusNotFound, 3001, fmt.Sprintf("Meeting %s is not found or has expired.", r.PathValue("meetingId")))
		return nil
	}
	return m
}

func (s *Server) getMeeting(w http.ResponseWriter, r *http.Request) {
	if m := s.meetingFor(w, r); m != nil {
		occ := r.URL.Query().Get("occurrence_id")
		s.mu.Lock()
		if occ != "" && m.occurrence(occ) == nil {
			s.mu.Unlock()
			zoomError(w, http.StatusNotFound, 3001, fmt.Sprintf("Meeting %d is not found or has expired.", m.ID))
			return
		}
		out := s.meetingJSON(m)
		var before *time.Time
		if r.URL.Query().Get("show_previous_occurrences") != "true" {
			now := s.opts.Now()
			before = &now
		}
		scheduleJSON(m, out, occ, before)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	}
}

// hostOf checks that the request's grant may change m: a user-level grant only its own user's meetings
// (Zoom answers 3003 "You are not the meeting host." otherwise). It returns the operator.
func (s *Server) hostOf(w http.ResponseWriter, r *http.Request, m *Meeting) *User {
	g := grantOf(r.Context())
	s.mu.Lock()
	defer s.mu.Unlock()
	if !g.account && g.userID != m.HostID {
		zoomError(w, http.StatusBadRequest, 3003, "You are not the meeting host.")
		return nil
	}
	if u := s.users[g.userID]; u != nil {
		return u
	}
	return s.users[m.HostID]
}

func (s *Server) patchMeeting(w http.ResponseWriter, r *http.Request) {
	m := s.meetingFor(w, r)
	if m == nil {
		return
	}
	op := s.hostOf(w, r, m)
	if op == nil {
		return
	}
	var req scheduleFields
	var withSettings struct {
		Settings json.RawMessage `json:"settings"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if json.Unmarshal(body, &req) != nil || json.Unmarshal(body, &withSettings) != nil {
		zoomError(w, http.StatusBadRequest, 300, "Request Body should be a valid JSON object.")
		return
	}
	occ := r.URL.Query().Get("occurrence_id")
	s.mu.Lock()
	if m.Status == "started" {
		s.mu.Unlock()
		zoomError(w, http.StatusBadRequest, 3000, "You cannot update or delete meetings that have started using this method.")
		return
	}
	// The settings are validated as on a create, before anything changes: a refused PATCH changes nothing.
	set, bad := patchSettings(m.Settings, withSettings.Settings)
	if bad != nil {
		s.mu.Unlock()
		writeInvalidField(w, bad)
		return
	}
	if !s.countCreateOrUpdate(w, m.HostID) {
		s.mu.Unlock()
		return
	}
	ch, ferr := s.patch(m, req, occ)
	if ferr == nil {
		m.Settings = set
	}
	s.mu.Unlock()
	if ferr != nil {
		ferr.write(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	s.notifyUpdated(m, ch, op, occ)
}

func (s *Server) deleteMeeting(w http.ResponseWriter, r *http.Request) {
	m := s.meetingFor(w, r)
	if m == nil {
		return
	}
	op := s.hostOf(w, r, m)
	if op == nil {
		return
	}
	s.mu.Lock()
	deleted, code, msg := s.remove(m, r.URL.Query().Get("occurrence_id"))
	s.mu.Unlock()
	switch {
	case code == 3001:
		zoomError(w, http.StatusNotFound, code, msg)
		return
	case code != 0:
		zoomError(w, http.StatusBadRequest, code, msg)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	s.notifyDeleted(m, op, deleted)
}

func (s *Server) meetingStatus(w http.ResponseWriter, r *http.Request) {
	m := s.meetingFor(w, r)
	if m == nil {
		return
	}
	var req struct {
		Action string `json:"action"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || (req.Action != "end" && req.Action != "recover") {
		zoomError(w, http.StatusBadRequest, 300, "Invalid field.")
		return
	}
	if req.Action == "end" {
		if err := s.EndMeeting(r.Context(), m.ID); err != nil {
			zoomError(w, http.StatusBadRequest, 3063, "Can not end this meeting: it is not in progress.")
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getPastMeeting(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("meetingId")
	// A UUID beginning with "/" or containing "//" arrives encoded twice: decode what is left.
	for strings.Contains(key, "%") {
		d, err := url.PathUnescape(key)
		if err != nil || d == key {
			break
		}
		key = d
	}
	s.mu.Lock()
	p := s.past[key]
	if p == nil {
		if id, err := strconv.ParseInt(key, 10, 64); err == nil {
			p = s.lastPast[id]
		}
	}
	s.mu.Unlock()
	if p == nil {
		zoomError(w, http.StatusNotFound, 3001, "The meeting ID is invalid or the meeting has not ended.")
		return
	}
	d := int(p.End.Sub(p.Start).Minutes())
	writeJSON(w, http.StatusOK, map[string]any{
		"id": p.ID, "uuid": p.UUID, "duration": d, "start_time": p.Start.Format(time.RFC3339), "end_time": p.End.Format(time.RFC3339),
		"host_id": p.HostID, "dept": "", "participants_count": p.Participants, "source": "Zoom", "topic": p.Topic,
		"total_minutes": d * max(p.Participants, 1), "type": p.Type, "user_email": p.HostEmail, "user_name": "",
	})
}

type grantKey struct{}

func withGrant(ctx context.Context, g *grant) context.Context {
	return context.WithValue(ctx, grantKey{}, g)
}

func grantOf(ctx context.Context) *grant { g, _ := ctx.Value(grantKey{}).(*grant); return g }
