// Package mmsim is a simulator of Mattermost for tests and the demo. It serves the REST API v4 endpoints
// mmzoom uses, with Mattermost's field names, AppError bodies and the permission rules observed on real
// servers (who may post, read, edit and join where; see ../shared/reference/mattermost-api.md §8), and it
// calls integrations exactly as Mattermost does: slash commands as form posts with "Authorization: Token",
// button clicks as JSON without credentials, response URLs with 5 uses in 30 minutes. A small chat page
// lets a person drive it. Production code never imports it.
package mmsim

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mmzoom/mmzoom/sim/simnet"
)

// Options configure the simulator.
type Options struct {
	Now func() time.Time
	// HTTPClient makes the calls to integrations (slash commands, buttons); nil means a default client.
	HTTPClient *http.Client
	// CommandTimeout is Mattermost's OutgoingIntegrationRequestsTimeout; 0 means 30 s.
	CommandTimeout time.Duration
	// Plugin, when set, is a webapp plugin the chat page loads and renders.
	Plugin *PluginFiles
	// BlockUntrusted makes calls to integrations on private addresses fail unless
	// ServiceSettings.AllowedUntrustedInternalConnections allows them, as Mattermost does (untrusted.go).
	BlockUntrusted bool
	// OwnIPs are the addresses of the simulated Mattermost host's interfaces. With BlockUntrusted,
	// Mattermost refuses them like private ones unless a CIDR entry covers them (httpservice IsOwnIP):
	// a public address of the host Mattermost runs on is not public to it.
	OwnIPs []net.IP
}

// Team is a Mattermost team; Type is "O" (open, the default) or "I" (invite only).
type Team struct{ ID, Name, DisplayName, Type string }

// User is a Mattermost user (bots included).
type User struct {
	ID, Username, Email, FirstName, LastName, Nickname, Locale, AuthService, Roles, Password string
	IsBot                                                                                    bool
	// Timezone is the user's timezone setting; the zero value is Mattermost's default for a new user
	// (automatic, not yet detected by a client).
	Timezone Timezone
}

// Timezone is a user's timezone setting as Mattermost keeps it: which of the two zones is in force and the
// zones themselves (IANA names). Mattermost sends all three as strings.
type Timezone struct {
	UseAutomatic bool
	Automatic    string // the zone the user's browser reported
	Manual       string // the zone the user picked
}

// Channel is a Mattermost channel; Type is "O" (public), "P" (private), "D" (direct) or "G" (group).
type Channel struct{ ID, TeamID, Type, Name, DisplayName string }

// Command is a custom slash command (model.Command; Method "P" is POST, "G" GET).
type Command struct {
	ID, Token, TeamID, Trigger, URL, Method                string
	CreatorID, DisplayName, Description, Username, IconURL string
	AutoComplete                                           bool
	AutoCompleteDesc, AutoCompleteHint                     string
	CreateAt, UpdateAt, DeleteAt                           int64
}

// Post is a post as clients see it (integration URLs and contexts of buttons are not shown).
type Post struct {
	ID, UserID, ChannelID, RootID, Message, Type string
	Props                                        map[string]any
	CreateAt, UpdateAt, EditAt                   int64
	Ephemeral                                    bool
	FileIDs                                      []string // files attached (POST /files, then file_ids)
	files                                        []any    // their file infos, for metadata.files
}

// Request is one REST call the simulator received.
type Request struct {
	Method, Path, UserID string
	Status               int
}

type hook struct {
	userID, channelID, rootID string
	uses                      int
	expires                   time.Time
}

// Server is the simulator.
type Server struct {
	opts    Options
	latency simnet.Latency // simulated round-trip time of REST calls (latency.go)

	mu          sync.Mutex
	siteURL     string
	users       map[string]*User
	sessions    map[string]string // token → user id
	teams       map[string]*Team
	teamMembers map[string]map[string]bool
	channels    map[string]*Channel
	members     map[string]map[string]bool
	posts       map[string]*Post // with integrations
	order       []string
	// pendingPosts are the pending_post_ids of the posts made in the last 30 seconds (pending.go).
	pendingPosts map[string]pendingPost
	// ephemerals are what each user's client was shown and the server did not store: their buttons hold
	// sealed cookies instead of integrations, as Mattermost sends ephemeral posts over the WebSocket.
	ephemerals map[string][]*Post
	// cookieAEAD seals the cookies of ephemeral posts' buttons (Mattermost's PostActionCookieSecret).
	cookieAEAD cipher.AEAD
	commands   map[string]*Command
	hooks      map[string]*hook
	config     map[string]string
	requests   []Request
	down       bool
	limited    bool
	retryAfter time.Duration

	// Channel policy facts (channels.go): archived channels' delete_at, moderated (read-only) channels, and
	// channel admins.
	archived      map[string]int64
	moderated     map[string]bool
	channelAdmins map[string]map[string]bool
	// admin is what the administration endpoints manage (admin.go): bots, tokens, the server config,
	// plugins, the server version.
	admin adminState

	failRate          float64
	failAfterCommit   bool
	rng               *mrand.Rand
	committedFailures []string // posts created by calls answered 500

	files         map[string]*UploadedFile
	maxFileSize   int64
	noAttachments bool
	triggers      map[string]*trigger // trigger ids of commands and clicks (dialogs.go)
	dialogs       map[string]*Dialog  // the dialog open in each user's client
	// dialogChannel is the channel and team each user's client shows: where they last ran a command or
	// clicked, or what ViewChannel set. A dialog opened with their trigger id belongs there, and a
	// submission carries it.
	dialogChannel map[string][2]string

	// dialogWarnings are the server log's "Interactive dialog is invalid" lines (dialog_valid.go).
	dialogWarnings []string
}

// New returns an empty simulator.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.CommandTimeout == 0 {
		o.CommandTimeout = 30 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	block, _ := aes.NewCipher(key) // a 32-byte key cannot fail
	aead, _ := cipher.NewGCM(block)
	return &Server{opts: o, siteURL: "http://localhost:8065", cookieAEAD: aead, admin: newAdminState(),
		users: map[string]*User{}, sessions: map[string]string{}, teams: map[string]*Team{}, teamMembers: map[string]map[string]bool{},
		channels: map[string]*Channel{}, members: map[string]map[string]bool{}, posts: map[string]*Post{}, pendingPosts: map[string]pendingPost{},
		ephemerals: map[string][]*Post{}, commands: map[string]*Command{}, hooks: map[string]*hook{},
		archived: map[string]int64{}, moderated: map[string]bool{}, channelAdmins: map[string]map[string]bool{},
		files: map[string]*UploadedFile{}, maxFileSize: DefaultMaxFileSize,
		config: map[string]string{"RequireEmailVerification": "false", "ShowEmailAddress": "true", "EnableSignUpWithEmail": "true",
			"Version": "9.9.0", "BuildNumber": "9.9.0", "SiteName": "Mattermost"}}
}

// SetSiteURL sets ServiceSettings.SiteURL (response URLs are built from it).
func (s *Server) SetSiteURL(u string) {
	s.mu.Lock()
	s.siteURL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// newID returns a 26-character Mattermost-style id.
func newID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 26)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// AddTeam adds a team.
func (s *Server) AddTeam(t Team) Team {
	s.mu.Lock()
	defer s.mu.Unlock()
	t.ID = newID()
	if t.Type == "" {
		t.Type = "O"
	}
	cp := t
	s.teams[t.ID] = &cp
	s.teamMembers[t.ID] = map[string]bool{}
	return t
}

// AddUser adds a user and makes them a member of the teams.
func (s *Server) AddUser(u User, teamIDs ...string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u.ID = newID()
	if u.Locale == "" {
		u.Locale = "en"
	}
	if u.Roles == "" {
		u.Roles = "system_user"
	}
	if u.Password == "" && !u.IsBot {
		u.Password = "demo"
	}
	if u.Timezone == (Timezone{}) {
		u.Timezone.UseAutomatic = true
	}
	cp := u
	s.users[u.ID] = &cp
	for _, t := range teamIDs {
		s.teamMembers[t][u.ID] = true
	}
	return u
}

// SetTimezone sets a user's timezone setting (as the user would in Settings → Display → Timezone).
func (s *Server) SetTimezone(userID string, tz Timezone) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[userID]; u != nil {
		u.Timezone = tz
	}
}

// AddTeamMember adds a user to a team.
func (s *Server) AddTeamMember(teamID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.teamMembers[teamID][userID] = true
}

// AddChannel adds a channel with its members.
func (s *Server) AddChannel(c Channel, memberIDs ...string) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addChannel(c, memberIDs...)
}

func (s *Server) addChannel(c Channel, memberIDs ...string) Channel {
	c.ID = newID()
	cp := c
	s.channels[c.ID] = &cp
	s.members[c.ID] = map[string]bool{}
	for _, id := range memberIDs {
		s.members[c.ID][id] = true
	}
	return c
}

// AddMember adds a user to a channel.
func (s *Server) AddMember(channelID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members[channelID][userID] = true
}

// DirectChannel returns the direct channel between a and b, creating it if needed.
func (s *Server) DirectChannel(a, b string) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.directChannel(a, b)
}

func (s *Server) directChannel(a, b string) Channel {
	ids := []string{a, b}
	sort.Strings(ids)
	name := ids[0] + "__" + ids[1]
	for _, c := range s.channels {
		if c.Type == "D" && c.Name == name {
			return *c
		}
	}
	return s.addChannel(Channel{Type: "D", Name: name}, a, b)
}

// GroupChannel adds a group message channel of the users.
func (s *Server) GroupChannel(userIDs ...string) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, id := range userIDs {
		names = append(names, s.users[id].Username)
	}
	sort.Strings(names)
	return s.addChannel(Channel{Type: "G", Name: newID(), DisplayName: strings.Join(names, ", ")}, userIDs...)
}

// SetClientConfig sets a value of the client config (all values are strings, as Mattermost serves them).
func (s *Server) SetClientConfig(key, value string) {
	s.mu.Lock()
	s.config[key] = value
	s.mu.Unlock()
}

// AddBot adds a bot account (role system_user, e-mail <username>@localhost, in no team) and returns it
// with an access token.
func (s *Server) AddBot(username, displayName string) (User, string) {
	u := s.AddUser(User{Username: username, FirstName: displayName, Email: username + "@localhost", IsBot: true})
	return u, s.Login(u.ID)
}

// SetRoles replaces a user's roles (PUT /users/{id}/roles).
func (s *Server) SetRoles(userID, roles string) {
	s.mu.Lock()
	s.users[userID].Roles = roles
	s.mu.Unlock()
}

// AddCommand registers a custom slash command (method POST) in a team.
func (s *Server) AddCommand(teamID, trigger, url string) Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Command{ID: newID(), Token: newID(), TeamID: teamID, Trigger: strings.ToLower(trigger), URL: url, Method: "P"}
	cp := c
	s.commands[c.ID] = &cp
	return c
}

// Login returns a new session token for the user.
func (s *Server) Login(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := newID()
	s.sessions[tok] = userID
	return tok
}

// Posts lists a channel's posts, oldest first, as clients see them.
func (s *Server) Posts(channelID string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Post
	for _, id := range s.order {
		if p := s.posts[id]; p.ChannelID == channelID {
			out = append(out, clientPost(p))
		}
	}
	return out
}

// AddPost posts message in a channel as userID (a person writing in the channel).
func (s *Server) AddPost(channelID, userID, message string) Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now().UnixMilli()
	p := &Post{ID: newID(), UserID: userID, ChannelID: channelID, Message: message, Props: map[string]any{}, CreateAt: now, UpdateAt: now}
	s.posts[p.ID] = p
	s.order = append(s.order, p.ID)
	return clientPost(p)
}

// DeletePost deletes a post (as its author or an admin would): later reads and edits answer 404.
func (s *Server) DeletePost(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.posts, id)
	for i, pid := range s.order {
		if pid == id {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
}

// Post returns one post as clients see it.
func (s *Server) Post(id string) (Post, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok {
		return Post{}, false
	}
	return clientPost(p), true
}

// Ephemerals lists what a user was shown ephemerally, oldest first.
func (s *Server) Ephemerals(userID string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Post
	for _, p := range s.ephemerals[userID] {
		out = append(out, clientPost(p))
	}
	return out
}

// Requests lists the REST calls received under /api/v4.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded REST calls.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

// SetDown makes /api/v4 answer 503.
func (s *Server) SetDown(on bool) {
	s.mu.Lock()
	s.down = on
	s.mu.Unlock()
}

// SetRateLimited makes /api/v4 answer 429 with Retry-After.
func (s *Server) SetRateLimited(on bool, retryAfter time.Duration) {
	s.mu.Lock()
	s.limited, s.retryAfter = on, retryAfter
	s.mu.Unlock()
}

// clientPost copies a post without button integrations, as Mattermost strips them from what clients get.
func clientPost(p *Post) Post {
	cp := *p
	cp.Props = stripIntegrations(p.Props)
	return cp
}

// copyJSON deep-copies a JSON-shaped value.
func copyJSON[T any](v T) T {
	var out T
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, &out)
	return out
}

func stripIntegrations(props map[string]any) map[string]any {
	out := copyJSON(props)
	atts, _ := out["attachments"].([]any)
	for _, a := range atts {
		am, _ := a.(map[string]any)
		acts, _ := am["actions"].([]any)
		for _, act := range acts {
			if m, ok := act.(map[string]any); ok {
				delete(m, "integration")
			}
		}
	}
	return out
}

// Permissions, as a real server granted them (§8).

func hasRole(u *User, role string) bool {
	for _, r := range strings.Fields(u.Roles) {
		if r == role {
			return true
		}
	}
	return false
}

func (s *Server) isMember(ch *Channel, userID string) bool { return s.members[ch.ID][userID] }

func (s *Server) canRead(u *User, ch *Channel) bool {
	return s.isMember(ch, u.ID) || hasRole(u, "system_admin") || (ch.Type == "O" && s.teamMembers[ch.TeamID][u.ID])
}

func (s *Server) canPost(u *User, ch *Channel) bool {
	return s.isMember(ch, u.ID) || hasRole(u, "system_admin") || hasRole(u, "system_post_all") ||
		(ch.Type == "O" && hasRole(u, "system_post_all_public"))
}

func (s *Server) canEdit(u *User, p *Post, ch *Channel) bool {
	return hasRole(u, "system_admin") || (p.UserID == u.ID && s.isMember(ch, u.ID))
}
