package mmsim

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Handler serves the REST API v4, the command response URLs, the simulator's own helpers under /sim/ and
// the chat page.
func (s *Server) Handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v4/users/me", s.getMe)
	api.HandleFunc("GET /api/v4/users/{id}", s.getUser)
	api.HandleFunc("GET /api/v4/users/email/{email}", s.getUserByEmail)
	api.HandleFunc("GET /api/v4/users/me/teams", s.myTeams)
	api.HandleFunc("GET /api/v4/users/me/teams/{team}/channels", s.myChannels)
	api.HandleFunc("GET /api/v4/channels/{id}", s.getChannel)
	api.HandleFunc("POST /api/v4/channels/{id}/members", s.joinChannel)
	api.HandleFunc("GET /api/v4/channels/{id}/members/{user}", s.getMember)
	api.HandleFunc("GET /api/v4/channels/{id}/stats", s.channelStats)
	api.HandleFunc("GET /api/v4/channels/{id}/moderations", s.channelModerations)
	api.HandleFunc("POST /api/v4/channels/direct", s.createDirect)
	api.HandleFunc("GET /api/v4/channels/{id}/posts", s.channelPosts)
	api.HandleFunc("GET /api/v4/config/client", s.clientConfig)
	api.HandleFunc("POST /api/v4/posts", s.createPost)
	api.HandleFunc("GET /api/v4/posts/{id}", s.getPost)
	api.HandleFunc("GET /api/v4/posts/{id}/thread", s.postThread)
	api.HandleFunc("PUT /api/v4/posts/{id}/patch", s.patchPost)
	api.HandleFunc("POST /api/v4/posts/ephemeral", s.ephemeralPost)
	api.HandleFunc("POST /api/v4/posts/{id}/actions/{action}", s.clickAction)
	api.HandleFunc("POST /api/v4/commands/execute", s.executeCommand)
	s.adminRoutes(api)
	api.HandleFunc("POST /api/v4/files", s.uploadFiles)
	api.HandleFunc("DELETE /api/v4/posts/{id}", s.deletePost)

	mux := http.NewServeMux()
	// One pattern per method: a method-less "/api/v4/" would conflict with "GET /" below.
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		mux.Handle(m+" /api/v4/", s.latency.Wrap(s.authenticated(api)))
	}
	mux.HandleFunc("POST /api/v4/users/login", s.login)
	mux.Handle("GET /api/v4/system/ping", s.latency.Wrap(http.HandlerFunc(s.ping)))
	// No session needed: the trigger id is the credential (api.APIHandler in Mattermost).
	mux.Handle("POST /api/v4/actions/dialogs/open", s.latency.Wrap(http.HandlerFunc(s.openDialog)))
	mux.Handle("POST /hooks/commands/{id}", s.latency.Wrap(http.HandlerFunc(s.commandHook)))
	mux.HandleFunc("GET /sim/users", s.simUsers)
	mux.Handle("GET /sim/ephemeral", s.authenticated(http.HandlerFunc(s.simEphemeral)))
	mux.Handle("GET /sim/dialog", s.authenticated(http.HandlerFunc(s.simDialog)))
	mux.Handle("POST /sim/dialog", s.authenticated(http.HandlerFunc(s.simDialog)))
	s.pluginRoutes(mux)
	mux.Handle("GET /", webUIHandler()) // the chat page at / and its assets under /webui/
	return s.versionHeader(mux)
}

// appError answers with Mattermost's AppError body.
func appError(w http.ResponseWriter, status int, id, message string) {
	writeJSON(w, status, map[string]any{"id": id, "message": message, "detailed_error": "", "request_id": newID(), "status_code": status})
}

func forbidden(w http.ResponseWriter) {
	appError(w, http.StatusForbidden, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
}

func notFound(w http.ResponseWriter, what string) {
	appError(w, http.StatusNotFound, "app."+what+".get.app_error", "Unable to find the "+what+".")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type userKey struct{}

func userOf(r *http.Request) *User { u, _ := r.Context().Value(userKey{}).(*User); return u }

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status for the request log.
func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// authenticated requires a bearer token (bot or session) and records the call.
func (s *Server) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		var uid string
		defer func() {
			if strings.HasPrefix(r.URL.Path, "/api/v4/") {
				s.mu.Lock()
				s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, UserID: uid, Status: rec.status})
				s.mu.Unlock()
			}
		}()
		s.mu.Lock()
		down, limited, retry := s.down, s.limited, s.retryAfter
		uid = s.sessions[sessionToken(r)]
		u := s.users[uid]
		if u != nil && !s.accessTokenAllowed(u, sessionToken(r)) {
			u = nil
		}
		s.mu.Unlock()
		switch {
		case down:
			appError(rec, http.StatusServiceUnavailable, "api.server.unavailable", "Service Unavailable")
		case limited:
			rec.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())))
			rec.Header().Set("X-Ratelimit-Limit", "10")
			rec.Header().Set("X-Ratelimit-Remaining", "0")
			appError(rec, http.StatusTooManyRequests, "api.context.rate_limit.app_error", "Too many requests.")
		case u == nil:
			uid = ""
			appError(rec, http.StatusUnauthorized, "api.context.session_expired.app_error", "Invalid or expired session, please login again.")
		default:
			r = r.WithContext(context.WithValue(r.Context(), userKey{}, u))
			switch s.chaos(r) {
			case failBefore:
				appError(rec, http.StatusInternalServerError, "api.server.injected_failure", "Injected failure before the change.")
			case failAfter:
				// The change is made, but the caller hears 500: it cannot know that it worked.
				bw := httptest.NewRecorder() // the answer the caller never hears
				next.ServeHTTP(bw, r)
				s.recordCommittedFailure(r, bw)
				appError(rec, http.StatusInternalServerError, "api.server.injected_failure", "Injected failure after the change.")
			default:
				next.ServeHTTP(rec, r)
			}
		}
	})
}

type failMode int

const (
	failNone failMode = iota
	failBefore
	failAfter
)

// SetFailureRate makes that share of mutating REST calls (POST, PUT) fail with 500: before the change is
// made or, with afterCommit, after it (the change stands, the caller cannot know). seed makes runs repeatable.
func (s *Server) SetFailureRate(rate float64, afterCommit bool, seed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRate, s.failAfterCommit = rate, afterCommit
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// FailedAfterCommit lists the posts created by calls that were answered 500 (see SetFailureRate).
func (s *Server) FailedAfterCommit() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Post
	for _, id := range s.committedFailures {
		if p, ok := s.posts[id]; ok {
			out = append(out, clientPost(p))
		}
	}
	return out
}

func (s *Server) chaos(r *http.Request) failMode {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		return failNone
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failRate <= 0 || s.rng.Float64() >= s.failRate {
		return failNone
	}
	if s.failAfterCommit && s.rng.IntN(2) == 0 {
		return failAfter
	}
	return failBefore
}

func (s *Server) recordCommittedFailure(r *http.Request, bw *httptest.ResponseRecorder) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v4/posts" || bw.Code != http.StatusCreated {
		return
	}
	var p struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(bw.Body.Bytes(), &p) == nil && p.ID != "" {
		s.mu.Lock()
		s.committedFailures = append(s.committedFailures, p.ID)
		s.mu.Unlock()
	}
}

func (s *Server) userJSON(u *User) map[string]any {
	return map[string]any{
		"id": u.ID, "create_at": 0, "update_at": 0, "delete_at": 0, "username": u.Username, "auth_data": "",
		"auth_service": u.AuthService, "email": u.Email, "nickname": u.Nickname, "first_name": u.FirstName,
		"last_name": u.LastName, "position": "", "roles": u.Roles, "locale": u.Locale, "is_bot": u.IsBot,
		"bot_description": "", "timezone": map[string]string{"useAutomaticTimezone": strconv.FormatBool(u.Timezone.UseAutomatic),
			"automaticTimezone": u.Timezone.Automatic, "manualTimezone": u.Timezone.Manual},
	}
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.userJSON(userOf(r)))
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[r.PathValue("id")]
	if u == nil {
		notFound(w, "user")
		return
	}
	out := s.userJSON(u)
	if s.config["ShowEmailAddress"] != "true" && !hasRole(userOf(r), "system_admin") && u.ID != userOf(r).ID {
		out["email"] = ""
	}
	writeJSON(w, http.StatusOK, out)
}

// getUserByEmail is GET /api/v4/users/email/{email} as current Mattermost answers it (api4/user.go,
// getUserByEmail): 403 api.user.get_user_by_email.permissions.app_error when e-mail addresses are hidden from
// the caller (ShowEmailAddress off and not a system admin), 404 app.user.missing_account.const when no user
// has the address; the address is compared in lower case, as the store does.
func (s *Server) getUserByEmail(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.config["ShowEmailAddress"] != "true" && !hasRole(userOf(r), "system_admin") {
		appError(w, http.StatusForbidden, "api.user.get_user_by_email.permissions.app_error", "Unable to get user by email.")
		return
	}
	email := strings.ToLower(r.PathValue("email"))
	for _, u := range s.users {
		if strings.ToLower(u.Email) == email && email != "" {
			writeJSON(w, http.StatusOK, s.userJSON(u))
			return
		}
	}
	appError(w, http.StatusNotFound, "app.user.missing_account.const", "Unable to find the user.")
}

func (s *Server) myTeams(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for id, members := range s.teamMembers {
		if members[userOf(r).ID] {
			t := s.teams[id]
			out = append(out, map[string]any{"id": t.ID, "name": t.Name, "display_name": t.DisplayName, "type": "O"})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func channelJSON(c *Channel) map[string]any {
	return map[string]any{"id": c.ID, "create_at": 0, "update_at": 0, "delete_at": 0, "team_id": c.TeamID, "type": c.Type,
		"display_name": c.DisplayName, "name": c.Name, "header": "", "purpose": "", "creator_id": ""}
}

func (s *Server) myChannels(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, c := range s.channels {
		if s.isMember(c, userOf(r).ID) && (c.TeamID == r.PathValue("team") || c.TeamID == "") {
			out = append(out, channelJSON(c))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["name"].(string) < out[j]["name"].(string) })
	writeJSON(w, http.StatusOK, out)
}

// readableChannel is the channel of the request's {id} when its user may read it; otherwise it answers 404 or
// 403 as Mattermost does and returns nil (the caller holds s.mu).
func (s *Server) readableChannel(w http.ResponseWriter, r *http.Request) *Channel {
	c := s.channels[r.PathValue("id")]
	switch {
	case c == nil:
		notFound(w, "channel")
		return nil
	case !s.canRead(userOf(r), c):
		forbidden(w)
		return nil
	}
	return c
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.readableChannel(w, r); c != nil {
		out := channelJSON(c)
		out["delete_at"] = s.archived[c.ID]
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) joinChannel(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserID string `json:"user_id"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing user_id in request body.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, c := userOf(r), s.channels[r.PathValue("id")]
	if c == nil {
		notFound(w, "channel")
		return
	}
	admin := hasRole(u, "system_admin")
	self := body.UserID == u.ID
	if !admin && !(self && c.Type == "O" && s.teamMembers[c.TeamID][u.ID]) {
		forbidden(w)
		return
	}
	s.members[c.ID][body.UserID] = true
	writeJSON(w, http.StatusCreated, map[string]any{"channel_id": c.ID, "user_id": body.UserID, "roles": "channel_user"})
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.readableChannel(w, r)
	switch {
	case c == nil:
	case !s.isMember(c, r.PathValue("user")):
		appError(w, http.StatusNotFound, "app.channel.get_member.missing.app_error", "No channel member found for that user ID and channel ID.")
	default:
		writeJSON(w, http.StatusOK, s.memberJSON(c, r.PathValue("user")))
	}
}

func (s *Server) createDirect(w http.ResponseWriter, r *http.Request) {
	var ids []string
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ids); err != nil || len(ids) != 2 {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing user_ids in request body.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := userOf(r)
	if (ids[0] != u.ID && ids[1] != u.ID && !hasRole(u, "system_admin")) || s.users[ids[0]] == nil || s.users[ids[1]] == nil {
		forbidden(w)
		return
	}
	c := s.directChannel(ids[0], ids[1])
	writeJSON(w, http.StatusCreated, channelJSON(s.channels[c.ID]))
}

func postJSON(p *Post) map[string]any {
	props := stripIntegrations(p.Props)
	if props == nil {
		props = map[string]any{}
	}
	return map[string]any{"id": p.ID, "create_at": p.CreateAt, "update_at": p.UpdateAt, "edit_at": p.EditAt, "delete_at": 0,
		"is_pinned": false, "user_id": p.UserID, "channel_id": p.ChannelID, "root_id": p.RootID, "original_id": "",
		"message": p.Message, "type": p.Type, "props": props, "hashtags": "", "pending_post_id": "", "reply_count": 0,
		"metadata": postMetadata(p), "file_ids": fileIDs(p)}
}

// postMetadata is the post's metadata as Mattermost sends it: the infos of its files, when it has some.
func postMetadata(p *Post) map[string]any {
	if len(p.files) == 0 {
		return map[string]any{}
	}
	return map[string]any{"files": p.files}
}

func fileIDs(p *Post) []string {
	if p.FileIDs == nil {
		return []string{}
	}
	return p.FileIDs
}

func (s *Server) channelPosts(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.readableChannel(w, r)
	if c == nil {
		return
	}
	order := []string{}
	posts := map[string]any{}
	for i := len(s.order) - 1; i >= 0; i-- {
		if p := s.posts[s.order[i]]; p.ChannelID == c.ID {
			order = append(order, p.ID)
			posts[p.ID] = postJSON(p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": order, "posts": posts, "next_post_id": "", "prev_post_id": ""})
}

// clientConfig is GET /config/client (api4/config.go getClientConfig): only format=old exists; no format
// is 501 api.config.client.old_format.app_error and another one 400.
func (s *Server) clientConfig(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Query().Get("format") {
	case "old":
	case "":
		appError(w, http.StatusNotImplemented, "api.config.client.old_format.app_error", "New format for the client configuration is not supported yet. Please specify format=old in the query string.")
		return
	default:
		badParam(w, "format")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{"SiteURL": s.siteURL}
	for k, v := range s.config {
		out[k] = v
	}
	if s.config["IsLicensed"] == "false" && out["ExperimentalTownSquareIsReadOnly"] != "" {
		// A licensed option: without a license the client config shows its default (config/client.go).
		out["ExperimentalTownSquareIsReadOnly"] = "false"
	}
	writeJSON(w, http.StatusOK, out)
}

var colorRE = regexp.MustCompile(`^(good|warning|danger|#[0-9a-fA-F]{6})$`)

// validProps checks props.attachments as Mattermost does.
func validProps(props map[string]any) bool {
	atts, ok := props["attachments"]
	if !ok {
		return true
	}
	list, ok := atts.([]any)
	if !ok {
		return false
	}
	for _, a := range list {
		am, ok := a.(map[string]any)
		if !ok {
			return false
		}
		if c, ok := am["color"].(string); ok && c != "" && !colorRE.MatchString(c) {
			return false
		}
		if tl, _ := am["title_link"].(string); tl != "" {
			if t, _ := am["title"].(string); t == "" || !(strings.HasPrefix(tl, "http://") || strings.HasPrefix(tl, "https://")) {
				return false
			}
		}
		acts, _ := am["actions"].([]any)
		for _, act := range acts {
			m, _ := act.(map[string]any)
			if name, _ := m["name"].(string); name == "" {
				return false
			}
			if in, ok := m["integration"].(map[string]any); ok {
				if u, _ := in["url"].(string); !(strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "/plugins/")) {
					return false
				}
			}
		}
	}
	return true
}

type postBody struct {
	ChannelID string         `json:"channel_id"`
	RootID    string         `json:"root_id"`
	Message   string         `json:"message"`
	Type      string         `json:"type"`
	Props     map[string]any `json:"props"`
	FileIDs   []string       `json:"file_ids"`
	// PendingID is the client's pending_post_id (pending.go).
	PendingID string `json:"pending_post_id"`
}

func (s *Server) createPost(w http.ResponseWriter, r *http.Request) {
	var body postBody
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<20)).Decode(&body); err != nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing post in request body.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, c := userOf(r), s.channels[body.ChannelID]
	switch {
	case c == nil:
		forbidden(w) // Mattermost answers 403 for a channel the caller cannot see
		return
	case !s.canPost(u, c):
		forbidden(w)
		return
	case s.archived[c.ID] != 0:
		appError(w, http.StatusBadRequest, "api.post.create_post.can_not_post_to_deleted.error", "Can not post to deleted channel.")
		return
	case s.townSquareReadOnlyFor(u, c):
		appError(w, http.StatusForbidden, "api.post.create_post.town_square_read_only", "This channel is read-only. Only members with permission can post here.")
		return
	case strings.HasPrefix(body.Type, "system_") || (body.Type != "" && !strings.HasPrefix(body.Type, "custom_") && body.Type != "slack_attachment"):
		appError(w, http.StatusBadRequest, "api.context.invalid_param.app_error", "Invalid type parameter.")
		return
	case !validProps(body.Props):
		appError(w, http.StatusBadRequest, "model.post.is_valid.props.app_error", "Invalid props.")
		return
	case messageTooLong(body.Message):
		appError(w, http.StatusBadRequest, "model.post.is_valid.msg.app_error", "Invalid Message.")
		return
	case fileIDsTooLong(body.FileIDs):
		appError(w, http.StatusBadRequest, "model.post.is_valid.file_ids.app_error", "Invalid file ids.")
		return
	}
	if body.RootID != "" {
		if root := s.posts[body.RootID]; root == nil || root.ChannelID != c.ID {
			appError(w, http.StatusBadRequest, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.")
			return
		}
	}
	at := s.opts.Now()
	if body.PendingID != "" {
		if done, found := s.pendingPostFor(body.PendingID, at); found {
			if done == nil {
				// The post made with this key is gone (deleted): Mattermost cannot read it back.
				appError(w, http.StatusInternalServerError, "api.post.deduplicate_create_post.failed_to_get", "Failed to fetch original post after deduplicating a client repeating the same request.")
				return
			}
			writeJSON(w, http.StatusCreated, postJSON(done))
			return
		}
	}
	now := at.UnixMilli()
	p := &Post{ID: newID(), UserID: u.ID, ChannelID: c.ID, RootID: body.RootID, Message: body.Message, Type: body.Type,
		Props: body.Props, CreateAt: now, UpdateAt: now}
	if p.Props == nil {
		p.Props = map[string]any{}
	}
	s.attachFiles(p, body.FileIDs)
	s.posts[p.ID] = p
	s.order = append(s.order, p.ID)
	s.rememberPending(body.PendingID, p.ID, at)
	created := postJSON(p)
	created["pending_post_id"] = body.PendingID // answered as sent; not stored, so a read of the post has ""
	writeJSON(w, http.StatusCreated, created)
}

func (s *Server) getPost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.posts[r.PathValue("id")]
	switch {
	case p == nil:
		notFound(w, "post")
	case !s.canRead(userOf(r), s.channels[p.ChannelID]):
		forbidden(w)
	default:
		writeJSON(w, http.StatusOK, postJSON(p))
	}
}

// postThread answers GET /posts/{id}/thread as Mattermost does without perPage: the whole thread of the post
// (its root and every reply), newest first, for anyone who can read the channel.
func (s *Server) postThread(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.posts[r.PathValue("id")]
	if p == nil {
		notFound(w, "post")
		return
	}
	if !s.canRead(userOf(r), s.channels[p.ChannelID]) {
		forbidden(w)
		return
	}
	root := p.ID
	if p.RootID != "" {
		root = p.RootID
	}
	order := []string{}
	posts := map[string]any{}
	for i := len(s.order) - 1; i >= 0; i-- {
		if q := s.posts[s.order[i]]; q.ID == root || q.RootID == root {
			order = append(order, q.ID)
			posts[q.ID] = postJSON(q)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": order, "posts": posts, "next_post_id": "", "prev_post_id": "", "has_next": false})
}

func (s *Server) patchPost(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Message *string         `json:"message"`
		Props   *map[string]any `json:"props"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<20)).Decode(&body); err != nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing patch in request body.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.posts[r.PathValue("id")]
	if p == nil {
		// api4/post.go patchPost: a post that GetSinglePost cannot find (never was, or deleted) is answered as
		// a missing edit_post permission, in every version.
		forbidden(w)
		return
	}
	c := s.channels[p.ChannelID]
	u := userOf(r)
	if !s.canRead(u, c) || !s.canEdit(u, p, c) {
		forbidden(w)
		return
	}
	if s.archived[c.ID] != 0 {
		// app/post.go PatchPost: the channel's delete_at is checked after the permission, in every version.
		appError(w, http.StatusBadRequest, "api.post.patch_post.can_not_update_post_in_deleted.error", "Can not update a post in a deleted channel.")
		return
	}
	if body.Props != nil && !validProps(*body.Props) {
		appError(w, http.StatusBadRequest, "model.post.is_valid.props.app_error", "Invalid props.")
		return
	}
	if body.Message != nil && messageTooLong(*body.Message) {
		appError(w, http.StatusBadRequest, "model.post.is_valid.msg.app_error", "Invalid Message.")
		return
	}
	now := s.opts.Now().UnixMilli()
	if body.Message != nil && *body.Message != p.Message {
		p.Message, p.EditAt = *body.Message, now
	}
	if body.Props != nil {
		p.Props = *body.Props // a patch replaces the whole props map
	}
	p.UpdateAt = now
	writeJSON(w, http.StatusOK, postJSON(p))
}

func (s *Server) ephemeralPost(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserID string   `json:"user_id"`
		Post   postBody `json:"post"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<20)).Decode(&body); err != nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing post in request body.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !hasRole(userOf(r), "system_admin") {
		forbidden(w)
		return
	}
	now := s.opts.Now().UnixMilli()
	p := &Post{ID: newID(), UserID: userOf(r).ID, ChannelID: body.Post.ChannelID, Message: body.Post.Message, Props: body.Post.Props,
		CreateAt: now, UpdateAt: now, Ephemeral: true}
	if p.Props == nil {
		p.Props = map[string]any{}
	}
	s.sealButtons(p)
	s.ephemerals[body.UserID] = append(s.ephemerals[body.UserID], p)
	writeJSON(w, http.StatusCreated, postJSON(p))
}

// clickAction is a client clicking a button; the body carries the button's cookie for an ephemeral post.
func (s *Server) clickAction(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Cookie string `json:"cookie"`
	}
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body) // Mattermost only logs a bad body
	res, err := s.doPostAction(r.Context(), userOf(r).ID, r.PathValue("id"), r.PathValue("action"), body.Cookie)
	switch {
	case err != nil:
		appError(w, http.StatusInternalServerError, actionErrorID, "Action integration error.")
	case res.Error != "":
		appError(w, res.Status, res.ErrorID, res.Error)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "OK", "trigger_id": res.TriggerID})
	}
}

func (s *Server) executeCommand(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ChannelID string `json:"channel_id"`
		TeamID    string `json:"team_id"`
		RootID    string `json:"root_id"`
		Command   string `json:"command"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || !strings.HasPrefix(body.Command, "/") {
		appError(w, http.StatusBadRequest, "api.command.execute_command.start.app_error", "No command trigger found.")
		return
	}
	res, err := s.ExecuteCommand(r.Context(), userOf(r).ID, body.ChannelID, body.TeamID, body.RootID, body.Command)
	switch {
	case err != nil:
		appError(w, http.StatusBadRequest, "api.command.execute_command.app_error", err.Error())
	case res.Status == http.StatusBadRequest:
		appError(w, http.StatusBadRequest, "api.command.execute_command.deleted.error", res.Error)
	case res.Error != "":
		status := res.Status
		if status < 400 {
			status = http.StatusInternalServerError
		}
		if status != http.StatusForbidden && status != http.StatusNotFound {
			status = http.StatusInternalServerError
		}
		appError(w, status, "api.command.execute_command.failed.app_error", res.Error)
	default:
		out := copyJSON(res.Response)
		for _, a := range out.Attachments {
			acts, _ := a["actions"].([]any)
			for _, act := range acts {
				if m, ok := act.(map[string]any); ok {
					delete(m, "integration")
				}
			}
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// login is POST /api/v4/users/login for the chat page: the session token comes back in the Token header.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		LoginID  string `json:"login_id"`
		Password string `json:"password"`
	}
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
	s.mu.Lock()
	var u *User
	for _, c := range s.users {
		if (c.Username == body.LoginID || c.Email == body.LoginID) && !c.IsBot && c.Password == body.Password {
			u = c
		}
	}
	s.mu.Unlock()
	if u == nil {
		appError(w, http.StatusUnauthorized, "api.user.login.invalid_credentials_email_username", "Enter a valid email or username and/or password.")
		return
	}
	tok := s.Login(u.ID)
	w.Header().Set("Token", tok)
	// As Mattermost does for browsers: the session in an HttpOnly cookie, and a CSRF token the page sends back
	// in X-CSRF-Token on every write.
	http.SetCookie(w, &http.Cookie{Name: "MMAUTHTOKEN", Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: "MMCSRF", Value: newID(), Path: "/", SameSite: http.SameSiteLaxMode})
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.userJSON(u))
}

// sessionToken finds the request's session: a bearer token, or (for the browser) the MMAUTHTOKEN cookie,
// which for writes needs X-Requested-With and an X-CSRF-Token matching the MMCSRF cookie, as Mattermost
// checks.
func sessionToken(r *http.Request) string {
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return tok
	}
	c, err := r.Cookie("MMAUTHTOKEN")
	if err != nil || r.Header.Get("X-Requested-With") != "XMLHttpRequest" {
		return ""
	}
	if r.Method != http.MethodGet {
		csrf, err := r.Cookie("MMCSRF")
		if err != nil || csrf.Value == "" || r.Header.Get("X-CSRF-Token") != csrf.Value {
			return ""
		}
	}
	return c.Value
}

// simUsers lists the users for the chat page's user switcher (a simulator helper, not Mattermost's API).
func (s *Server) simUsers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, u := range s.users {
		out = append(out, map[string]any{"id": u.ID, "username": u.Username, "first_name": u.FirstName, "locale": u.Locale, "is_bot": u.IsBot,
			"timezone": s.userJSON(u)["timezone"]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["username"].(string) < out[j]["username"].(string) })
	writeJSON(w, http.StatusOK, out)
}

// simEphemeral lists the caller's ephemeral posts in a channel (Mattermost pushes them over its WebSocket).
func (s *Server) simEphemeral(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, p := range s.ephemerals[userOf(r).ID] {
		if p.ChannelID == r.URL.Query().Get("channel_id") {
			out = append(out, postJSON(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
}
