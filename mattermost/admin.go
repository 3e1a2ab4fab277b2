package mattermost

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/mmzoom/mmzoom/meeting"
)

// Admin calls the parts of Mattermost's REST API v4 that need a system admin's token: bots and their
// tokens, roles, team memberships, the commands API, the server configuration and plugins
// (https://api.mattermost.com/). mmzoom setup and doctor use it; the running service never does.
type Admin struct {
	c *Client
}

// NewAdmin returns an Admin acting with token (a system admin's personal access token or session). The
// token travels through an oauth2 transport, like the bot's.
func NewAdmin(baseURL, token string, hc *http.Client) *Admin {
	return &Admin{c: NewClient(ClientConfig{BaseURL: baseURL, BotToken: token, HTTPClient: hc})}
}

// AdminUser is the part of a Mattermost user setup reads.
type AdminUser struct {
	ID, Username, Roles string
	IsBot               bool
	DeleteAt            int64
}

// HasRole says whether the user's roles include role.
func (u *AdminUser) HasRole(role string) bool {
	for _, r := range strings.Fields(u.Roles) {
		if r == role {
			return true
		}
	}
	return false
}

type adminUserJSON struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Roles    string `json:"roles"`
	IsBot    bool   `json:"is_bot"`
	DeleteAt int64  `json:"delete_at"`
}

func (u adminUserJSON) user() *AdminUser {
	return &AdminUser{ID: u.ID, Username: u.Username, Roles: u.Roles, IsBot: u.IsBot, DeleteAt: u.DeleteAt}
}

// Me returns the user the admin token belongs to (GET /users/me).
func (a *Admin) Me(ctx context.Context) (*AdminUser, error) {
	var u adminUserJSON
	if err := a.c.call(ctx, http.MethodGet, "api/v4/users/me", nil, &u); err != nil {
		return nil, err
	}
	return u.user(), nil
}

// UserByUsername returns a user by username (GET /users/username/{name}); KindNotFound when there is none.
func (a *Admin) UserByUsername(ctx context.Context, name string) (*AdminUser, error) {
	var u adminUserJSON
	if err := a.c.call(ctx, http.MethodGet, "api/v4/users/username/"+url.PathEscape(name), nil, &u); err != nil {
		return nil, err
	}
	return u.user(), nil
}

// ServerVersion returns Mattermost's version ("9.9.0"), see Client.Ping.
func (a *Admin) ServerVersion(ctx context.Context) (string, error) { return a.c.Ping(ctx) }

// versionOf takes the "major.minor.patch" that starts an X-Version-Id header.
func versionOf(header string) string {
	parts := strings.SplitN(header, ".", 4)
	if len(parts) < 3 {
		return ""
	}
	for _, p := range parts[:3] {
		if _, err := strconv.Atoi(p); err != nil {
			return ""
		}
	}
	return strings.Join(parts[:3], ".")
}

// VersionAtLeast says whether version ("9.9.0") is at least major.minor.
func VersionAtLeast(version string, major, minor int) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

// ServerConfig is the part of Mattermost's configuration (config.json, GET /config) setup and doctor read.
type ServerConfig struct {
	ServiceSettings struct {
		SiteURL                             string `json:"SiteURL"`
		EnableBotAccountCreation            bool   `json:"EnableBotAccountCreation"`
		EnableUserAccessTokens              bool   `json:"EnableUserAccessTokens"`
		AllowedUntrustedInternalConnections string `json:"AllowedUntrustedInternalConnections"`
		EnableCommands                      bool   `json:"EnableCommands"`
	} `json:"ServiceSettings"`
	EmailSettings struct {
		RequireEmailVerification bool `json:"RequireEmailVerification"`
	} `json:"EmailSettings"`
	PluginSettings struct {
		Enable                 bool `json:"Enable"`
		EnableUploads          bool `json:"EnableUploads"`
		RequirePluginSignature bool `json:"RequirePluginSignature"`
	} `json:"PluginSettings"`
	LocalizationSettings struct {
		DefaultServerLocale string `json:"DefaultServerLocale"`
		DefaultClientLocale string `json:"DefaultClientLocale"`
	} `json:"LocalizationSettings"`
}

// Config reads the server configuration (GET /config; manage_system).
func (a *Admin) Config(ctx context.Context) (*ServerConfig, error) {
	var cfg ServerConfig
	if err := a.c.call(ctx, http.MethodGet, "api/v4/config", nil, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// PatchConfig changes the settings in patch, by section and name (PUT /config/patch), and returns the
// configuration after the change.
func (a *Admin) PatchConfig(ctx context.Context, patch map[string]map[string]any) (*ServerConfig, error) {
	var cfg ServerConfig
	if err := a.c.call(ctx, http.MethodPut, "api/v4/config/patch", patch, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// CreateBot creates a bot account (POST /bots) and returns its user.
func (a *Admin) CreateBot(ctx context.Context, username, displayName, description string) (*AdminUser, error) {
	var b struct {
		UserID   string `json:"user_id"`
		Username string `json:"username"`
	}
	body := map[string]string{"username": username, "display_name": displayName, "description": description}
	if err := a.c.call(ctx, http.MethodPost, "api/v4/bots", body, &b); err != nil {
		return nil, err
	}
	return &AdminUser{ID: b.UserID, Username: b.Username, Roles: "system_user", IsBot: true}, nil
}

// CreateToken creates a personal access token for a user or bot (POST /users/{id}/tokens); the token is
// in this answer only.
func (a *Admin) CreateToken(ctx context.Context, userID, description string) (string, error) {
	var t struct {
		Token string `json:"token"`
	}
	if err := a.c.call(ctx, http.MethodPost, "api/v4/users/"+url.PathEscape(userID)+"/tokens", map[string]string{"description": description}, &t); err != nil {
		return "", err
	}
	return t.Token, nil
}

// SetRoles replaces a user's system roles (PUT /users/{id}/roles); roles always include system_user.
func (a *Admin) SetRoles(ctx context.Context, userID, roles string) error {
	return a.c.call(ctx, http.MethodPut, "api/v4/users/"+url.PathEscape(userID)+"/roles", map[string]string{"roles": roles}, nil)
}

// Team is a Mattermost team.
type Team struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
}

// Teams lists every team (GET /teams, all pages; a system admin sees them all).
func (a *Admin) Teams(ctx context.Context) ([]Team, error) {
	var all []Team
	for page := 0; ; page++ {
		var batch []Team
		if err := a.c.call(ctx, http.MethodGet, "api/v4/teams?per_page=200&page="+strconv.Itoa(page), nil, &batch); err != nil {
			return nil, err
		}
		all = append(all, batch...)
		if len(batch) < 200 {
			return all, nil
		}
	}
}

// TeamByName returns the team with a name (its URL name, e.g. "sales"); KindNotFound when there is none.
func (a *Admin) TeamByName(ctx context.Context, name string) (*Team, error) {
	var t Team
	if err := a.c.call(ctx, http.MethodGet, "api/v4/teams/name/"+url.PathEscape(name), nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// IsTeamMember asks GET /teams/{id}/members/{user}: 404 means no, and so does a membership with delete_at
// set, which Mattermost keeps and answers for a user who left or was removed from the team.
func (a *Admin) IsTeamMember(ctx context.Context, teamID, userID string) (bool, error) {
	var m struct {
		DeleteAt int64 `json:"delete_at"`
	}
	err := a.c.call(ctx, http.MethodGet, "api/v4/teams/"+url.PathEscape(teamID)+"/members/"+url.PathEscape(userID), nil, &m)
	if errors.Is(err, meeting.ErrNotFound) {
		return false, nil
	}
	return err == nil && m.DeleteAt == 0, err
}

// AddTeamMember adds a user to a team (POST /teams/{id}/members).
func (a *Admin) AddTeamMember(ctx context.Context, teamID, userID string) error {
	return a.c.call(ctx, http.MethodPost, "api/v4/teams/"+url.PathEscape(teamID)+"/members",
		map[string]string{"team_id": teamID, "user_id": userID}, nil)
}

// Command is a custom slash command (model.Command). Method is "P" (POST) or "G" (GET).
type Command struct {
	ID               string `json:"id,omitempty"`
	Token            string `json:"token,omitempty"`
	TeamID           string `json:"team_id"`
	Trigger          string `json:"trigger"`
	Method           string `json:"method"`
	URL              string `json:"url"`
	CreatorID        string `json:"creator_id,omitempty"`
	DisplayName      string `json:"display_name"`
	Description      string `json:"description"`
	Username         string `json:"username"`
	IconURL          string `json:"icon_url"`
	AutoComplete     bool   `json:"auto_complete"`
	AutoCompleteDesc string `json:"auto_complete_desc"`
	AutoCompleteHint string `json:"auto_complete_hint"`
}

// Commands lists a team's custom commands with their tokens and URLs (GET /commands?custom_only=true,
// which needs manage_slash_commands on the team).
func (a *Admin) Commands(ctx context.Context, teamID string) ([]Command, error) {
	var cs []Command
	err := a.c.call(ctx, http.MethodGet, "api/v4/commands?custom_only=true&team_id="+url.QueryEscape(teamID), nil, &cs)
	return cs, err
}

// CommandShadowed says whether another command answers /trigger in a team before the custom one: a server
// plugin's (Mattermost runs plugins' commands first, app ExecuteCommand). GET /commands without custom_only
// lists such a command in place of the custom one with the same trigger, and without an id.
func (a *Admin) CommandShadowed(ctx context.Context, teamID, trigger string) (bool, error) {
	var cs []Command
	if err := a.c.call(ctx, http.MethodGet, "api/v4/commands?team_id="+url.QueryEscape(teamID), nil, &cs); err != nil {
		return false, err
	}
	for _, c := range cs {
		if c.Trigger == trigger && c.ID == "" {
			return true, nil
		}
	}
	return false, nil
}

// CreateCommand registers a custom slash command (POST /commands) and returns it with its token.
func (a *Admin) CreateCommand(ctx context.Context, c *Command) (*Command, error) {
	var out Command
	if err := a.c.call(ctx, http.MethodPost, "api/v4/commands", c, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateCommand replaces a command (PUT /commands/{id}); Mattermost keeps its token, creator and team.
func (a *Admin) UpdateCommand(ctx context.Context, c *Command) (*Command, error) {
	var out Command
	if err := a.c.call(ctx, http.MethodPut, "api/v4/commands/"+url.PathEscape(c.ID), c, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PluginManifest is the part of a plugin's plugin.json setup reads.
type PluginManifest struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	MinServerVersion string `json:"min_server_version"`
}

// ReadPluginManifest reads <id>/plugin.json from a plugin bundle (.tar.gz).
func ReadPluginManifest(bundle []byte) (*PluginManifest, error) {
	gz, err := gzip.NewReader(bytes.NewReader(bundle))
	if err != nil {
		return nil, fmt.Errorf("plugin bundle: %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New("plugin bundle: no <id>/plugin.json")
		}
		if err != nil {
			return nil, fmt.Errorf("plugin bundle: %w", err)
		}
		if path.Base(h.Name) != "plugin.json" || path.Dir(path.Clean(h.Name)) == "." {
			continue
		}
		var m PluginManifest
		if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
			return nil, fmt.Errorf("plugin bundle: plugin.json: %w", err)
		}
		return &m, nil
	}
}

// Plugins lists the installed plugins: enabled (active) and not (GET /plugins).
func (a *Admin) Plugins(ctx context.Context) (active, inactive []PluginManifest, err error) {
	var out struct {
		Active   []PluginManifest `json:"active"`
		Inactive []PluginManifest `json:"inactive"`
	}
	if err := a.c.call(ctx, http.MethodGet, "api/v4/plugins", nil, &out); err != nil {
		return nil, nil, err
	}
	return out.Active, out.Inactive, nil
}

// UploadPlugin uploads a plugin bundle (POST /plugins, multipart field "plugin"; force replaces an installed
// plugin with the same id).
func (a *Admin) UploadPlugin(ctx context.Context, bundle []byte, force bool) (*PluginManifest, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if force {
		if err := mw.WriteField("force", "true"); err != nil {
			return nil, err
		}
	}
	f, err := mw.CreateFormFile("plugin", "plugin.tar.gz")
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(bundle); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	u, err := a.c.BaseURL.Parse("api/v4/plugins")
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var m PluginManifest
	if _, err := a.c.Do(req, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// EnablePlugin enables an installed plugin (POST /plugins/{id}/enable).
func (a *Admin) EnablePlugin(ctx context.Context, id string) error {
	return a.c.call(ctx, http.MethodPost, "api/v4/plugins/"+url.PathEscape(id)+"/enable", nil, nil)
}

// MattermostError returns the *Error inside err, if any (the status and AppError id Mattermost answered).
func MattermostError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
