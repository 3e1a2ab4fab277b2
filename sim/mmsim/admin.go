package mmsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The administration endpoints mmzoom's setup and doctor use: bots and their access tokens, user roles,
// teams and team members, the custom commands API, the server configuration, the version header. Status
// codes, AppError ids and permission rules follow Mattermost's api4 handlers and what real servers answered
// (../shared/reference/mattermost-api.md §1.5, §2, §5.2 and §8).

// adminState is what the administration endpoints manage.
type adminState struct {
	bots    map[string]*bot             // by user id
	tokens  map[string]*userAccessToken // by token id
	config  map[string]map[string]any   // the server config (config.json), by section
	plugins map[string]*installedPlugin
	// left holds the memberships of users who left or were removed from a team, by team and user: the
	// time they left. Mattermost keeps such a row with its delete_at set (TeamMembers.DeleteAt).
	left map[string]map[string]int64
	// pluginCommands are the slash commands server plugins registered (plugin_commands.go).
	pluginCommands []pluginCommand
	// env holds the settings pinned by environment variables (MM_<SECTION>_<SETTING>), by "Section.Key".
	env map[string]any
	// version is the server's version (model.CurrentVersion), sent in X-Version-Id.
	version string
}

type bot struct {
	ownerID, description string
	createAt, deleteAt   int64
}

type userAccessToken struct {
	id, token, userID, description string
	active                         bool
}

func newAdminState() adminState {
	return adminState{
		bots: map[string]*bot{}, tokens: map[string]*userAccessToken{}, plugins: map[string]*installedPlugin{},
		left: map[string]map[string]int64{}, env: map[string]any{},
		version: "9.9.0",
		// Mattermost's defaults (model/config.go SetDefaults) for the settings the simulator reads.
		config: map[string]map[string]any{
			"ServiceSettings": {
				"SiteURL": "", "EnableBotAccountCreation": false, "EnableUserAccessTokens": false,
				"AllowedUntrustedInternalConnections": "", "EnableCommands": true,
				"OutgoingIntegrationRequestsTimeout": 30,
			},
			"EmailSettings":        {"RequireEmailVerification": false, "EnableSignUpWithEmail": true},
			"PrivacySettings":      {"ShowEmailAddress": true, "ShowFullName": true},
			"PluginSettings":       {"Enable": true, "EnableUploads": false, "RequirePluginSignature": false},
			"LocalizationSettings": {"DefaultServerLocale": "en", "DefaultClientLocale": "en", "AvailableLocales": ""},
			"ExperimentalSettings": {"RestrictSystemAdmin": false},
		},
	}
}

// clientConfigKeys are the server config settings the client config (GET /config/client) shows, by name.
var clientConfigKeys = map[string][2]string{
	"RequireEmailVerification": {"EmailSettings", "RequireEmailVerification"},
	"EnableSignUpWithEmail":    {"EmailSettings", "EnableSignUpWithEmail"},
	"ShowEmailAddress":         {"PrivacySettings", "ShowEmailAddress"},
}

// SetVersion sets the server version (e.g. "8.1.0") reported in X-Version-Id and the client config.
func (s *Server) SetVersion(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.admin.version = v
	s.config["Version"], s.config["BuildNumber"] = v, v
}

// SetConfig sets a server config setting, e.g. SetConfig("PluginSettings", "EnableUploads", true), as an
// administrator editing config.json and restarting would. Values keep their JSON types.
func (s *Server) SetConfig(section, key string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setConfig(section, key, value)
}

func (s *Server) setConfig(section, key string, value any) {
	if s.admin.config[section] == nil {
		s.admin.config[section] = map[string]any{}
	}
	s.admin.config[section][key] = value
	for name, at := range clientConfigKeys {
		if at == [2]string{section, key} {
			s.config[name] = fmt.Sprint(value)
		}
	}
}

// SetConfigFromEnv pins a setting as the environment variable MM_<SECTION>_<SETTING> does (common in
// Docker deployments): it has the value, and PUT /config/patch cannot change it.
func (s *Server) SetConfigFromEnv(section, key string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.admin.env[section+"."+key] = value
	s.setConfig(section, key, value)
}

// Config returns a server config setting.
func (s *Server) Config(section, key string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.configValue(section, key)
}

func (s *Server) configValue(section, key string) any {
	for name, at := range clientConfigKeys {
		if at == [2]string{section, key} { // SetClientConfig may have changed it
			return s.config[name] == "true"
		}
	}
	return s.admin.config[section][key]
}

func (s *Server) configBool(section, key string) bool {
	b, _ := s.configValue(section, key).(bool)
	return b
}

// Writes lists the REST calls that could have changed something (every method but GET and HEAD), so that
// a test can see that a run of mmzoom setup left Mattermost alone.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r)
		}
	}
	return out
}

// User returns a user as the simulator holds it.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// UserByUsername returns the user with a username.
func (s *Server) UserByUsername(name string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Username == name {
			return *u, true
		}
	}
	return User{}, false
}

// IsTeamMember says whether a user is a member of a team.
func (s *Server) IsTeamMember(teamID, userID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.teamMembers[teamID][userID]
}

// RemoveTeamMember removes a user from a team, as an admin removing them (or the user leaving) does: the
// membership stays, with its delete_at set, and GET /teams/{id}/members/{user} still answers it.
func (s *Server) RemoveTeamMember(teamID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.teamMembers[teamID][userID] {
		return
	}
	delete(s.teamMembers[teamID], userID)
	if s.admin.left[teamID] == nil {
		s.admin.left[teamID] = map[string]int64{}
	}
	s.admin.left[teamID][userID] = s.opts.Now().UnixMilli()
}

// Commands lists a team's custom commands.
func (s *Server) Commands(teamID string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Command
	for _, c := range s.commands {
		if c.TeamID == teamID && c.DeleteAt == 0 {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Trigger < out[j].Trigger })
	return out
}

// RevokeSession makes a session or access token invalid, as revoking it in Mattermost does.
func (s *Server) RevokeSession(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, token)
	for _, t := range s.admin.tokens {
		if t.token == token {
			t.active = false
		}
	}
}

func (s *Server) adminRoutes(api *http.ServeMux) {
	api.HandleFunc("GET /api/v4/users/username/{name}", s.getUserByUsername)
	api.HandleFunc("PUT /api/v4/users/{id}/roles", s.updateRoles)
	api.HandleFunc("POST /api/v4/users/{id}/tokens", s.createToken)
	api.HandleFunc("POST /api/v4/bots", s.createBot)
	api.HandleFunc("GET /api/v4/bots", s.listBots)
	api.HandleFunc("GET /api/v4/bots/{id}", s.getBot)
	api.HandleFunc("GET /api/v4/teams", s.listTeams)
	api.HandleFunc("GET /api/v4/teams/name/{name}", s.teamByName)
	api.HandleFunc("POST /api/v4/teams/{id}/members", s.addTeamMember)
	api.HandleFunc("GET /api/v4/teams/{id}/members/{user}", s.getTeamMember)
	api.HandleFunc("POST /api/v4/commands", s.createCommand)
	api.HandleFunc("GET /api/v4/commands", s.listCommands)
	api.HandleFunc("GET /api/v4/commands/{id}", s.getCommand)
	api.HandleFunc("PUT /api/v4/commands/{id}", s.updateCommand)
	api.HandleFunc("PUT /api/v4/commands/{id}/regen_token", s.regenCommandToken)
	api.HandleFunc("GET /api/v4/config", s.getConfig)
	api.HandleFunc("PUT /api/v4/config/patch", s.patchConfig)
	api.HandleFunc("POST /api/v4/plugins", s.uploadPlugin)
	api.HandleFunc("GET /api/v4/plugins", s.listPlugins)
	api.HandleFunc("POST /api/v4/plugins/{id}/enable", s.enablePlugin)
}

// versionHeader sets X-Version-Id on every answer as Mattermost does:
// "<version>.<build number>.<client config hash>.<licensed>".
func (s *Server) versionHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		v := s.admin.version
		s.mu.Unlock()
		w.Header().Set("X-Version-Id", v+"."+v+".7c2d8a1e3b.false")
		next.ServeHTTP(w, r)
	})
}

// ping is GET /api/v4/system/ping, which needs no session.
func (s *Server) ping(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "OK", "ActiveSearchBackend": "database"})
}

func isAdmin(u *User) bool { return hasRole(u, "system_admin") }

func badParam(w http.ResponseWriter, name string) {
	appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing "+name+" in request body.")
}

func decodeBody(r *http.Request, v any) error {
	return json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v)
}

// getUserByUsername is GET /users/username/{name}: what is not a valid username (capitals, for one) is
// refused before any lookup with 400 invalid_body_param "username" (Context.RequireUsername).
func (s *Server) getUserByUsername(w http.ResponseWriter, r *http.Request) {
	if !isValidUsername(r.PathValue("name")) {
		badParam(w, "username")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Username == r.PathValue("name") {
			writeJSON(w, http.StatusOK, s.userJSON(u))
			return
		}
	}
	appError(w, http.StatusNotFound, "app.user.get_by_username.app_error", "Unable to find an existing account matching your username for this team. This team may require an invite from the team owner to join.")
}

// roleNameRE is model.IsValidRoleName: built-in and custom role names alike.
var roleNameRE = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// builtinRoles are the roles a fresh server has (model/role.go); CheckRolesExist refuses others.
var builtinRoles = map[string]bool{"system_guest": true, "system_user": true, "system_admin": true, "system_post_all": true,
	"system_post_all_public": true, "system_user_access_token": true, "system_user_manager": true, "system_read_only_admin": true,
	"system_manager": true, "system_custom_group_admin": true, "team_guest": true, "team_user": true, "team_admin": true,
	"team_post_all": true, "team_post_all_public": true, "channel_guest": true, "channel_user": true, "channel_admin": true,
	"playbook_admin": true, "playbook_member": true, "run_admin": true, "run_member": true}

// licensedRoles are model.NewSystemRoleIDs: assigning them needs a license with custom permission schemes,
// which the simulator never has.
var licensedRoles = map[string]bool{"system_user_manager": true, "system_read_only_admin": true, "system_manager": true}

// updateRoles is PUT /users/{id}/roles (api4/user.go updateUserRoles, app UpdateUserRoles). In that order:
// model.IsValidUserRoles (every name a valid role name, and not "system_admin" alone: observed 400
// invalid_body_param "roles"; a missing "roles" reads as "", which passes); a role of NewSystemRoleIDs
// without a license (400 api.user.update_user_roles.license.app_error); manage_roles (403); an unknown user
// (GetUser's error with its status turned into 400); a role that does not exist (400
// app.role.check_roles_exist.role_not_found).
func (s *Server) updateRoles(w http.ResponseWriter, r *http.Request) {
	var body map[string]string // model.MapFromJSON: anything else decodes to nothing
	_ = decodeBody(r, &body)
	roles := strings.Fields(body["roles"])
	valid := !(len(roles) == 1 && roles[0] == "system_admin")
	for _, name := range roles {
		valid = valid && roleNameRE.MatchString(name)
	}
	if !valid {
		badParam(w, "roles")
		return
	}
	for _, name := range roles {
		if licensedRoles[name] {
			appError(w, http.StatusBadRequest, "api.user.update_user_roles.license.app_error", "License does not support updating a user's role.")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !isAdmin(userOf(r)) {
		forbidden(w)
		return
	}
	u := s.users[r.PathValue("id")]
	if u == nil {
		appError(w, http.StatusBadRequest, "app.user.missing_account.const", "Unable to find the user.")
		return
	}
	for _, name := range roles {
		if !builtinRoles[name] {
			appError(w, http.StatusBadRequest, "app.role.check_roles_exist.role_not_found", "The provided role does not exist")
			return
		}
	}
	u.Roles = strings.Join(roles, " ")
	writeJSON(w, http.StatusOK, map[string]string{"status": "OK"})
}

// accessTokenAllowed says whether a person may sign in with tok: a user access token of someone who is not
// a bot works only while ServiceSettings.EnableUserAccessTokens is on (app createSessionForUserAccessToken:
// 401 otherwise), so turning the setting off locks out every personal access token, an admin's included.
func (s *Server) accessTokenAllowed(u *User, tok string) bool {
	if u.IsBot || s.configBool("ServiceSettings", "EnableUserAccessTokens") {
		return true
	}
	for _, t := range s.admin.tokens {
		if t.token == tok {
			return false
		}
	}
	return true
}

// createToken is POST /users/{id}/tokens: create_user_access_token (system admins here) and, for a person
// (not a bot), ServiceSettings.EnableUserAccessTokens. The token appears only in this answer (200).
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Description string `json:"description"`
	}
	if err := decodeBody(r, &body); err != nil {
		badParam(w, "user_access_token")
		return
	}
	if body.Description == "" {
		badParam(w, "description") // checked before any permission, as api4 does
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[r.PathValue("id")]
	caller := userOf(r)
	switch {
	case !isAdmin(caller) && !(caller.ID == r.PathValue("id") && hasRole(caller, "system_user_access_token")):
		forbidden(w)
		return
	case u == nil:
		notFound(w, "user")
		return
	case !u.IsBot && !s.configBool("ServiceSettings", "EnableUserAccessTokens"):
		appError(w, http.StatusNotImplemented, "app.user_access_token.disabled", "User access tokens are disabled on this server. Please contact your system administrator for details.")
		return
	}
	t := &userAccessToken{id: newID(), token: newID(), userID: u.ID, description: body.Description, active: true}
	s.admin.tokens[t.id] = t
	s.sessions[t.token] = u.ID
	writeJSON(w, http.StatusOK, map[string]any{"id": t.id, "token": t.token, "user_id": t.userID, "description": t.description, "is_active": true, "expires_at": 0})
}

// usernameRE and restrictedUsernames are model.IsValidUsername: 1 to 64 of a-z 0-9 . - _, and not a name
// Mattermost keeps for itself.
var usernameRE = regexp.MustCompile(`^[a-z0-9.\-_]{1,64}$`)

var restrictedUsernames = map[string]bool{"all": true, "channel": true, "matterbot": true, "system": true}

func isValidUsername(name string) bool {
	return usernameRE.MatchString(name) && !restrictedUsernames[name]
}

func (s *Server) botJSON(u *User) map[string]any {
	b := s.admin.bots[u.ID]
	if b == nil {
		b = &bot{}
	}
	return map[string]any{"user_id": u.ID, "username": u.Username, "display_name": u.FirstName, "description": b.description,
		"owner_id": b.ownerID, "create_at": b.createAt, "update_at": b.createAt, "delete_at": b.deleteAt}
}

// createBot is POST /bots (api4/bot.go createBot): the caller needs create_bot (system admins here) and a
// bot session can never create bots (403 api.context.permissions.app_error), then
// ServiceSettings.EnableBotAccountCreation must be on (403 api.bot.create_disabled). The bot user gets system_user and the e-mail <username>@localhost, in no team.
func (s *Server) createBot(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
		Description string `json:"description"`
	}
	if err := decodeBody(r, &body); err != nil {
		badParam(w, "bot")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	caller := userOf(r)
	switch {
	case caller.IsBot || !isAdmin(caller):
		forbidden(w)
		return
	case !s.configBool("ServiceSettings", "EnableBotAccountCreation"):
		appError(w, http.StatusForbidden, "api.bot.create_disabled", "Bot creation has been disabled.")
		return
	case !isValidUsername(body.Username):
		appError(w, http.StatusBadRequest, "model.bot.is_valid.username.app_error", "Invalid username.")
		return
	}
	for _, u := range s.users {
		if u.Username == body.Username {
			appError(w, http.StatusBadRequest, "app.user.save.username_exists.app_error", "An account with that username already exists.")
			return
		}
	}
	u := &User{ID: newID(), Username: body.Username, FirstName: body.DisplayName, Email: body.Username + "@localhost",
		Locale: "en", Roles: "system_user", IsBot: true}
	s.users[u.ID] = u
	now := s.opts.Now().UnixMilli()
	s.admin.bots[u.ID] = &bot{ownerID: caller.ID, description: body.Description, createAt: now}
	writeJSON(w, http.StatusCreated, s.botJSON(u))
}

func (s *Server) listBots(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !isAdmin(userOf(r)) {
		forbidden(w)
		return
	}
	out := []map[string]any{}
	for _, u := range s.users {
		if u.IsBot {
			out = append(out, s.botJSON(u))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["username"].(string) < out[j]["username"].(string) })
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getBot(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[r.PathValue("id")]
	if u == nil || !u.IsBot {
		appError(w, http.StatusNotFound, "store.sql_bot.get.missing.app_error", "Bot does not exist.")
		return
	}
	if !isAdmin(userOf(r)) {
		// api4/bot.go getBot: without read_others_bots (and read_bots for one's own, which plain users lack
		// by default) the bot "does not exist", so as not to reveal that the user is a bot.
		appError(w, http.StatusNotFound, "store.sql_bot.get.missing.app_error", "Bot does not exist.")
		return
	}
	writeJSON(w, http.StatusOK, s.botJSON(u))
}

// pageParams reads page and per_page as api4's Params do: a missing or negative value takes the default (0,
// 60), and per_page is capped at 200.
func pageParams(r *http.Request) (page, perPage int) {
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 0 {
		page = 0
	}
	perPage, err = strconv.Atoi(r.URL.Query().Get("per_page"))
	switch {
	case err != nil || perPage < 0:
		perPage = 60
	case perPage > 200:
		perPage = 200
	}
	return page, perPage
}

func teamJSON(t *Team) map[string]any {
	return map[string]any{"id": t.ID, "create_at": 0, "update_at": 0, "delete_at": 0, "display_name": t.DisplayName,
		"name": t.Name, "description": "", "email": "", "type": t.Type, "allow_open_invite": t.Type == "O"}
}

// listTeams is GET /teams: every team for a system admin, the open teams for anyone else.
func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	page, perPage := pageParams(r)
	var all []*Team
	for _, t := range s.teams {
		if isAdmin(userOf(r)) || t.Type == "O" {
			all = append(all, t)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := []map[string]any{}
	for i := page * perPage; i < len(all) && i < (page+1)*perPage; i++ {
		out = append(out, teamJSON(all[i]))
	}
	writeJSON(w, http.StatusOK, out)
}

// teamNameRE is model.IsValidTeamName (validAlphaNum without underscores, at least 2 characters).
var teamNameRE = regexp.MustCompile(`^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+$`)

// teamByName is GET /teams/name/{name}: a name that is not a valid team name (capitals, spaces: a display
// name) is refused before any lookup with 400 api.context.invalid_url_param.app_error (RequireTeamName).
func (s *Server) teamByName(w http.ResponseWriter, r *http.Request) {
	if !teamNameRE.MatchString(r.PathValue("name")) {
		appError(w, http.StatusBadRequest, "api.context.invalid_url_param.app_error", "Invalid or missing team_name parameter in request URL.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.teams {
		if t.Name == r.PathValue("name") && (isAdmin(userOf(r)) || t.Type == "O" || s.teamMembers[t.ID][userOf(r).ID]) {
			writeJSON(w, http.StatusOK, teamJSON(t))
			return
		}
	}
	appError(w, http.StatusNotFound, "app.team.get_by_name.missing.app_error", "Unable to find the existing team.")
}

func teamMemberJSON(teamID, userID string, deleteAt int64) map[string]any {
	return map[string]any{"team_id": teamID, "user_id": userID, "roles": "team_user", "delete_at": deleteAt, "scheme_guest": false,
		"scheme_user": true, "scheme_admin": false, "explicit_roles": ""}
}

// addTeamMember is POST /teams/{id}/members (api4/team.go addTeamMember): the body's team_id must be the
// URL's and user_id an id (400 invalid_body_param), then adding someone else needs add_user_to_team (system
// admins here), then the team must exist. Answers 201 with the membership, also for an existing member or
// one who had left (who is a member again).
func (s *Server) addTeamMember(w http.ResponseWriter, r *http.Request) {
	var body struct {
		TeamID string `json:"team_id"`
		UserID string `json:"user_id"`
	}
	if err := decodeBody(r, &body); err != nil {
		badParam(w, "team_member")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.teams[r.PathValue("id")]
	switch {
	case body.TeamID != r.PathValue("id"):
		badParam(w, "team_id")
	case !isValidID(body.UserID):
		badParam(w, "user_id")
	case !isAdmin(userOf(r)):
		forbidden(w)
	case t == nil:
		appError(w, http.StatusNotFound, "app.team.get.find.app_error", "Unable to find the existing team.")
	case s.users[body.UserID] == nil:
		notFound(w, "user")
	default:
		s.teamMembers[t.ID][body.UserID] = true
		delete(s.admin.left[t.ID], body.UserID)
		writeJSON(w, http.StatusCreated, teamMemberJSON(t.ID, body.UserID, 0))
	}
}

func (s *Server) getTeamMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.teams[r.PathValue("id")]
	switch {
	case t == nil:
		appError(w, http.StatusNotFound, "app.team.get.find.app_error", "Unable to find the existing team.")
	case !isAdmin(userOf(r)) && !s.teamMembers[t.ID][userOf(r).ID]:
		forbidden(w)
	case s.admin.left[t.ID][r.PathValue("user")] != 0:
		// SqlTeamStore.GetMember does not filter on DeleteAt: a former member is answered, delete_at set.
		writeJSON(w, http.StatusOK, teamMemberJSON(t.ID, r.PathValue("user"), s.admin.left[t.ID][r.PathValue("user")]))
	case !s.teamMembers[t.ID][r.PathValue("user")]:
		appError(w, http.StatusNotFound, "app.team.get_member.missing.app_error", "No team member found for that user ID and team ID.")
	default:
		writeJSON(w, http.StatusOK, teamMemberJSON(t.ID, r.PathValue("user"), 0))
	}
}

// commandJSON is model.Command; sanitized blanks what Command.Sanitize hides from the listing.
func commandJSON(c *Command, sanitized bool) map[string]any {
	out := map[string]any{"id": c.ID, "token": c.Token, "create_at": c.CreateAt, "update_at": c.UpdateAt, "delete_at": c.DeleteAt,
		"creator_id": c.CreatorID, "team_id": c.TeamID, "trigger": c.Trigger, "method": c.Method, "username": c.Username,
		"icon_url": c.IconURL, "auto_complete": c.AutoComplete, "auto_complete_desc": c.AutoCompleteDesc,
		"auto_complete_hint": c.AutoCompleteHint, "display_name": c.DisplayName, "description": c.Description, "url": c.URL,
		"plugin_id": ""}
	if sanitized {
		out["token"], out["url"], out["method"], out["creator_id"], out["username"], out["icon_url"] = "", "", "", "", "", ""
	}
	return out
}

type commandBody struct {
	ID               string `json:"id"`
	TeamID           string `json:"team_id"`
	Trigger          string `json:"trigger"`
	Method           string `json:"method"`
	URL              string `json:"url"`
	DisplayName      string `json:"display_name"`
	Description      string `json:"description"`
	Username         string `json:"username"`
	IconURL          string `json:"icon_url"`
	AutoComplete     bool   `json:"auto_complete"`
	AutoCompleteDesc string `json:"auto_complete_desc"`
	AutoCompleteHint string `json:"auto_complete_hint"`
}

// validCommand is Command.IsValid (server/public/model/command.go): the AppError id of the first problem,
// or "". Lengths are Go's len, in bytes: a 64-character Japanese display name is refused. The trigger is
// stored without its slash (a leading "/" is refused) and holds no space.
func validCommand(b *commandBody) string {
	switch {
	case !isValidID(b.TeamID):
		return "model.command.is_valid.team_id.app_error"
	case b.Trigger == "" || len(b.Trigger) > 128 || strings.HasPrefix(b.Trigger, "/") || strings.Contains(b.Trigger, " "):
		return "model.command.is_valid.trigger.app_error"
	case b.URL == "" || len(b.URL) > 1024:
		return "model.command.is_valid.url.app_error"
	case !isValidHTTPURL(b.URL):
		return "model.command.is_valid.url_http.app_error"
	case b.Method != "P" && b.Method != "G":
		return "model.command.is_valid.method.app_error"
	case len(b.DisplayName) > 64:
		return "model.command.is_valid.display_name.app_error"
	case len(b.Description) > 128:
		return "model.command.is_valid.description.app_error"
	case len(b.AutoCompleteDesc) > 1024 || len(b.AutoCompleteHint) > 1024:
		// Not IsValid: the database columns are 1024 long, so a real server fails on saving.
		return "model.command.is_valid.autocomplete_data.app_error"
	}
	return ""
}

// isValidHTTPURL is model.IsValidHTTPURL: http:// or https://, and a URL with a host.
func isValidHTTPURL(raw string) bool {
	if !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
		return false
	}
	u, err := url.ParseRequestURI(raw)
	return err == nil && u.Scheme != "" && u.Host != ""
}

// isValidID is model.IsValidId: 26 characters, lower-case letters and digits.
func isValidID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// builtinTriggers are triggers Mattermost's own commands hold; a custom command cannot take them.
var builtinTriggers = map[string]bool{"away": true, "code": true, "collapse": true, "dnd": true, "echo": true, "expand": true,
	"header": true, "help": true, "invite": true, "join": true, "kick": true, "leave": true, "logout": true, "me": true,
	"msg": true, "mute": true, "offline": true, "online": true, "open": true, "purpose": true, "remove": true, "rename": true,
	"search": true, "settings": true, "shortcuts": true, "shrug": true, "status": true}

// canManageCommands is manage_own_slash_commands and manage_others_slash_commands on the team: system admins
// (a bot as system_user was refused, §8).
func (s *Server) canManageCommands(u *User) bool { return isAdmin(u) }

// canViewTeam is view_team: the team's members and system admins.
func (s *Server) canViewTeam(u *User, teamID string) bool {
	return isAdmin(u) || s.teamMembers[teamID][u.ID]
}

func commandsDisabled(w http.ResponseWriter) {
	appError(w, http.StatusNotImplemented, "api.command.disabled.app_error", "Commands have been disabled by the system admin.")
}

// commandNotFound is Context.SetCommandNotFoundError: api4 answers it also to a caller who may not manage
// the command, so as not to reveal that it exists.
func commandNotFound(w http.ResponseWriter) {
	appError(w, http.StatusNotFound, "store.sql_command.save.get.app_error", "Unable to get the command.")
}

// createCommand is POST /commands (api4/command.go createCommand, app CreateCommand): the permission
// first (403), then ServiceSettings.EnableCommands (501), then a trigger the team or a built-in command
// already has (400 api.command.duplicate_trigger.app_error), then Command.IsValid (400); 201 with the whole
// command, its new token included.
func (s *Server) createCommand(w http.ResponseWriter, r *http.Request) {
	var body commandBody
	if err := decodeBody(r, &body); err != nil {
		badParam(w, "command")
		return
	}
	body.Trigger = strings.ToLower(body.Trigger)
	s.mu.Lock()
	defer s.mu.Unlock()
	u := userOf(r)
	switch {
	case !s.canManageCommands(u):
		forbidden(w)
		return
	case !s.configBool("ServiceSettings", "EnableCommands"):
		commandsDisabled(w)
		return
	}
	taken := builtinTriggers[body.Trigger]
	for _, c := range s.commands {
		taken = taken || (c.TeamID == body.TeamID && c.Trigger == body.Trigger && c.DeleteAt == 0)
	}
	if taken {
		appError(w, http.StatusBadRequest, "api.command.duplicate_trigger.app_error", "This trigger word is already in use. Please choose another word.")
		return
	}
	if id := validCommand(&body); id != "" {
		appError(w, http.StatusBadRequest, id, "Invalid command.")
		return
	}
	now := s.opts.Now().UnixMilli()
	c := &Command{ID: newID(), Token: newID(), CreatorID: u.ID, CreateAt: now, UpdateAt: now}
	applyCommandBody(c, &body)
	c.TeamID = body.TeamID
	s.commands[c.ID] = c
	writeJSON(w, http.StatusCreated, commandJSON(c, false))
}

func applyCommandBody(c *Command, b *commandBody) {
	c.Trigger, c.Method, c.URL, c.DisplayName, c.Description = b.Trigger, b.Method, b.URL, b.DisplayName, b.Description
	c.Username, c.IconURL, c.AutoComplete, c.AutoCompleteDesc, c.AutoCompleteHint = b.Username, b.IconURL, b.AutoComplete, b.AutoCompleteDesc, b.AutoCompleteHint
}

// listCommands is GET /commands?team_id=&custom_only= (api4/command.go listCommands): team_id is required
// (400), view_team is needed (403). With custom_only=true the team's custom commands as they are, tokens
// and URLs included: manage_own_slash_commands needed (403) and ServiceSettings.EnableCommands on (501,
// app ListTeamCommands). Otherwise (app ListAllCommands) the plugins' commands come first, then the custom
// commands whose trigger no plugin took, sanitized (only those with autocomplete for a caller who may not
// manage them); the built-in commands a real server lists first are left out here.
func (s *Server) listCommands(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	teamID := q.Get("team_id")
	customOnly, _ := strconv.ParseBool(q.Get("custom_only"))
	if teamID == "" {
		badParam(w, "team_id")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := userOf(r)
	manager := s.canManageCommands(u)
	switch {
	case !s.canViewTeam(u, teamID):
		forbidden(w)
		return
	case customOnly && !manager:
		forbidden(w)
		return
	case customOnly && !s.configBool("ServiceSettings", "EnableCommands"):
		commandsDisabled(w)
		return
	}
	out := []map[string]any{}
	seen := map[string]bool{}
	for _, pc := range s.admin.pluginCommands {
		if !customOnly && (pc.teamID == "" || pc.teamID == teamID) && !seen[pc.trigger] {
			seen[pc.trigger] = true
			out = append(out, pluginCommandJSON(pc))
		}
	}
	var list []*Command
	for _, c := range s.commands {
		if c.TeamID == teamID && c.DeleteAt == 0 && (customOnly || s.configBool("ServiceSettings", "EnableCommands")) &&
			(manager || c.AutoComplete) && !seen[c.Trigger] {
			list = append(list, c)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Trigger < list[j].Trigger })
	for _, c := range list {
		out = append(out, commandJSON(c, !customOnly))
	}
	writeJSON(w, http.StatusOK, out)
}

// commandFor finds the command of the URL for a caller who may manage it; otherwise it answers 404.
func (s *Server) commandFor(w http.ResponseWriter, r *http.Request) *Command {
	c := s.commands[r.PathValue("id")]
	if c == nil || c.DeleteAt != 0 || !s.canManageCommands(userOf(r)) {
		commandNotFound(w)
		return nil
	}
	return c
}

func (s *Server) getCommand(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.commandFor(w, r); c != nil {
		writeJSON(w, http.StatusOK, commandJSON(c, false))
	}
}

// updateCommand is PUT /commands/{id}: the whole command; the id must match (else 400
// invalid_body_param "command") and the team cannot change (400 api.command.team_mismatch.app_error, checked
// before the permission); the token, creator and creation time are kept, and the trigger is not checked
// against the team's others (app UpdateCommand).
func (s *Server) updateCommand(w http.ResponseWriter, r *http.Request) {
	var body commandBody
	if err := decodeBody(r, &body); err != nil || body.ID != r.PathValue("id") {
		badParam(w, "command")
		return
	}
	body.Trigger = strings.ToLower(body.Trigger)
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.commands[r.PathValue("id")]
	if old == nil || old.DeleteAt != 0 {
		commandNotFound(w)
		return
	}
	if body.TeamID != old.TeamID {
		appError(w, http.StatusBadRequest, "api.command.team_mismatch.app_error", "Unable to update commands across teams.")
		return
	}
	c := s.commandFor(w, r)
	if c == nil {
		return
	}
	if id := validCommand(&body); id != "" {
		appError(w, http.StatusBadRequest, id, "Invalid command.")
		return
	}
	applyCommandBody(c, &body)
	c.UpdateAt = s.opts.Now().UnixMilli()
	writeJSON(w, http.StatusOK, commandJSON(c, false))
}

func (s *Server) regenCommandToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.commandFor(w, r); c != nil {
		c.Token, c.UpdateAt = newID(), s.opts.Now().UnixMilli()
		writeJSON(w, http.StatusOK, map[string]string{"token": c.Token})
	}
}

// getConfig is GET /config: manage_system (system admins); secrets would be masked.
func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !isAdmin(userOf(r)) {
		forbidden(w)
		return
	}
	writeJSON(w, http.StatusOK, s.fullConfig())
}

func (s *Server) fullConfig() map[string]map[string]any {
	out := map[string]map[string]any{}
	for section, m := range s.admin.config {
		out[section] = map[string]any{}
		for k := range m {
			out[section][k] = s.configValue(section, k)
		}
	}
	out["ServiceSettings"]["SiteURL"] = s.siteURL
	return out
}

// patchConfig is PUT /config/patch (api4/config.go patchConfig, config.Store.Set): the settings sent are
// merged into the config and the whole config comes back. In that order: a body that does not decode into
// model.Config (a setting of another JSON type) is 400 invalid_body_param; the caller needs a
// sysconsole_write permission (403); clearing a set SiteURL is 400 clear_siteurl; changing
// PluginSettings.EnableUploads is 403 not_allowed_security (the current source; older servers silently
// kept the old value). A setting pinned by an environment variable (SetConfigFromEnv) keeps its value:
// the store applies the environment over the patch and answers 200 all the same; so does a
// write_restrictable setting while ExperimentalSettings.RestrictSystemAdmin is on (Mattermost Cloud).
func (s *Server) patchConfig(w http.ResponseWriter, r *http.Request) {
	var patch map[string]map[string]any
	if err := decodeBody(r, &patch); err != nil || patch == nil {
		badParam(w, "config")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for section, m := range patch {
		for k, v := range m {
			if old, ok := s.admin.config[section][k]; ok && !sameJSONKind(old, v) {
				badParam(w, "config")
				return
			}
		}
	}
	if !isAdmin(userOf(r)) {
		forbidden(w)
		return
	}
	if v, ok := patch["ServiceSettings"]["SiteURL"]; ok && v == "" && s.siteURL != "" {
		appError(w, http.StatusBadRequest, "api.config.update_config.clear_siteurl.app_error", "Site URL cannot be cleared.")
		return
	}
	if v, ok := patch["PluginSettings"]["EnableUploads"]; ok && v != s.configValue("PluginSettings", "EnableUploads") {
		appError(w, http.StatusForbidden, "api.config.update_config.not_allowed_security.app_error",
			"Changing PluginSettings.EnableUploads is not allowed for security reasons.")
		return
	}
	for section, m := range patch {
		for k, v := range m {
			if section == "ServiceSettings" && k == "SiteURL" {
				continue // the simulator's address is its site URL
			}
			if _, pinned := s.admin.env[section+"."+k]; pinned {
				continue
			}
			if writeRestrictable[section+"."+k] && s.configBool("ExperimentalSettings", "RestrictSystemAdmin") {
				continue // makeFilterConfigByPermission: write_restrictable trumps every permission
			}
			s.setConfig(section, k, v)
		}
	}
	writeJSON(w, http.StatusOK, s.fullConfig())
}

// writeRestrictable are the settings the simulator holds whose access tag says write_restrictable
// (model/config.go): with ExperimentalSettings.RestrictSystemAdmin on, the write filter drops them from a
// patch without an error.
var writeRestrictable = map[string]bool{"ServiceSettings.AllowedUntrustedInternalConnections": true,
	"ServiceSettings.EnableInsecureOutgoingConnections": true}

// sameJSONKind says whether a patch value decodes into the setting's Go type: a bool into a bool, a string
// into a string, a number into a number (null leaves a pointer field alone).
func sameJSONKind(old, v any) bool {
	switch old.(type) {
	case bool:
		_, ok := v.(bool)
		return ok || v == nil
	case string:
		_, ok := v.(string)
		return ok || v == nil
	case int, int64, float64:
		_, ok := v.(float64)
		return ok || v == nil
	}
	return true
}
