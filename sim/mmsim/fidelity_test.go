package mmsim

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// These tests pin behaviours read in Mattermost's server source (api4 handlers, app and model packages)
// that the first version of the administration endpoints got wrong. Each case names where it was read.

// want checks an answer's status and AppError id.
func want(t *testing.T, what string, status int, body any, wantStatus int, wantID string) {
	t.Helper()
	if status != wantStatus || errID(t, body) != wantID {
		t.Errorf("%s: %d %v, want %d %s", what, status, body, wantStatus, wantID)
	}
}

func TestCommandsAPIFollowsAPI4(t *testing.T) {
	w, admin := adminWorld(t)
	good := func() map[string]any {
		return map[string]any{"team_id": w.team.ID, "trigger": "zoom", "method": "P", "url": "https://mmzoom.example.com/mattermost/command",
			"display_name": "Zoom", "auto_complete": true}
	}
	with := func(k string, v any) map[string]any { c := good(); c[k] = v; return c }

	// api4/command.go listCommands: team_id is required.
	status, _, body := w.call(admin, "GET", "/api/v4/commands?custom_only=true", nil)
	want(t, "listing without team_id", status, body, 400, "api.context.invalid_body_param.app_error")

	// model/command.go IsValid: lengths in bytes, the trigger without its slash, a URL with a host.
	for _, c := range []struct {
		name string
		cmd  map[string]any
		id   string
	}{
		{"trigger with its slash", with("trigger", "/zoom"), "model.command.is_valid.trigger.app_error"},
		{"trigger with a space", with("trigger", "zo om"), "model.command.is_valid.trigger.app_error"},
		{"no URL", with("url", ""), "model.command.is_valid.url.app_error"},
		{"URL without a host", with("url", "http://"), "model.command.is_valid.url_http.app_error"},
		{"GET spelled out", with("method", "GET"), "model.command.is_valid.method.app_error"},
		{"22 Japanese characters are 66 bytes", with("display_name", strings.Repeat("ズ", 22)), "model.command.is_valid.display_name.app_error"},
		{"43 Japanese characters are 129 bytes", with("description", strings.Repeat("会", 43)), "model.command.is_valid.description.app_error"},
		{"a team id that is not an id", with("team_id", "other"), "model.command.is_valid.team_id.app_error"},
	} {
		status, _, body := w.call(admin, "POST", "/api/v4/commands", c.cmd)
		want(t, c.name, status, body, 400, c.id)
	}
	if status, _, body := w.call(admin, "POST", "/api/v4/commands", with("description", strings.Repeat("会", 42))); status != 201 {
		t.Fatalf("42 Japanese characters (126 bytes) refused: %d %v", status, body)
	}
	status, _, body = w.call(admin, "GET", "/api/v4/commands?team_id="+w.team.ID+"&custom_only=true", nil)
	created := obj(t, body.([]any)[0])
	id := created["id"].(string)

	// getCommand, regenCommandToken: a caller who may not manage the command gets 404, not 403.
	status, _, body = w.call(w.aliceToken, "GET", "/api/v4/commands/"+id, nil)
	want(t, "a plain user reads the command", status, body, 404, "store.sql_command.save.get.app_error")
	status, _, body = w.call(w.aliceToken, "PUT", "/api/v4/commands/"+id+"/regen_token", nil)
	want(t, "a plain user regenerates the token", status, body, 404, "store.sql_command.save.get.app_error")
	// updateCommand: the body's id must be the URL's; the team is compared before the permission.
	status, _, body = w.call(admin, "PUT", "/api/v4/commands/"+id, with("id", "x"))
	want(t, "update with another id", status, body, 400, "api.context.invalid_body_param.app_error")
	moved := created
	moved["team_id"] = strings.Repeat("a", 26)
	status, _, body = w.call(w.aliceToken, "PUT", "/api/v4/commands/"+id, moved)
	want(t, "a plain user moves the command", status, body, 400, "api.command.team_mismatch.app_error")

	// app ListTeamCommands and CreateCommand: 501 when commands are off, after the permission.
	w.sim.SetConfig("ServiceSettings", "EnableCommands", false)
	status, _, body = w.call(admin, "GET", "/api/v4/commands?team_id="+w.team.ID+"&custom_only=true", nil)
	want(t, "custom listing with commands off", status, body, 501, "api.command.disabled.app_error")
	status, _, body = w.call(admin, "POST", "/api/v4/commands", with("trigger", "meet"))
	want(t, "create with commands off", status, body, 501, "api.command.disabled.app_error")
	status, _, body = w.call(w.botToken, "POST", "/api/v4/commands", with("trigger", "meet"))
	want(t, "a bot creates with commands off", status, body, 403, "api.context.permissions.app_error")
}

func TestTeamMembershipsAndNamesFollowAPI4(t *testing.T) {
	w, admin := adminWorld(t)
	path := "/api/v4/teams/" + w.team.ID + "/members"
	// api4/team.go addTeamMember: the body is checked first, then the permission; 201.
	status, _, body := w.call(admin, "POST", path, map[string]any{"team_id": "x", "user_id": w.bot.ID})
	want(t, "another team in the body", status, body, 400, "api.context.invalid_body_param.app_error")
	status, _, body = w.call(w.aliceToken, "POST", path, map[string]any{"team_id": w.team.ID, "user_id": "nobody"})
	want(t, "a user id that is not an id", status, body, 400, "api.context.invalid_body_param.app_error")
	// SqlTeamStore.GetMember does not filter on DeleteAt: a removed member is still answered, with
	// delete_at set, and /users/me/teams no longer lists the team.
	w.sim.RemoveTeamMember(w.team.ID, w.bot.ID)
	status, _, body = w.call(admin, "GET", path+"/"+w.bot.ID, nil)
	if status != 200 || obj(t, body)["delete_at"] == float64(0) {
		t.Fatalf("a removed member: %d %v", status, body)
	}
	if _, _, body := w.call(w.botToken, "GET", "/api/v4/users/me/teams", nil); len(body.([]any)) != 0 {
		t.Fatalf("the bot still lists the team: %v", body)
	}
	status, _, body = w.call(admin, "POST", path, map[string]any{"team_id": w.team.ID, "user_id": w.bot.ID})
	if status != 201 || obj(t, body)["delete_at"] != float64(0) || !w.sim.IsTeamMember(w.team.ID, w.bot.ID) {
		t.Fatalf("adding the removed member again: %d %v", status, body)
	}
	// RequireTeamName: a display name is not a team name.
	for _, name := range []string{"Sales", "my team", "a"} {
		status, _, body := w.call(admin, "GET", "/api/v4/teams/name/"+url.PathEscape(name), nil)
		want(t, "team name "+name, status, body, 400, "api.context.invalid_url_param.app_error")
	}
}

func TestConfigPatchFollowsAPI4(t *testing.T) {
	w, admin := adminWorld(t)
	patch := func(token string, p map[string]any) (int, any) {
		status, _, body := w.call(token, "PUT", "/api/v4/config/patch", p)
		return status, body
	}
	// The body decodes into model.Config first: a string where a bool belongs is a bad body, even for a
	// caller without the permission.
	status, body := patch(w.aliceToken, map[string]any{"ServiceSettings": map[string]any{"EnableBotAccountCreation": "true"}})
	want(t, "a string for a bool", status, body, 400, "api.context.invalid_body_param.app_error")
	// api4/config.go patchConfig: plugin uploads cannot be changed through the API (403 in the current
	// source), and a set site URL cannot be cleared.
	status, body = patch(admin, map[string]any{"PluginSettings": map[string]any{"EnableUploads": true}})
	want(t, "turning uploads on", status, body, 403, "api.config.update_config.not_allowed_security.app_error")
	if status, body := patch(admin, map[string]any{"PluginSettings": map[string]any{"EnableUploads": false}}); status != 200 {
		t.Fatalf("sending EnableUploads unchanged: %d %v", status, body)
	}
	status, body = patch(admin, map[string]any{"ServiceSettings": map[string]any{"SiteURL": ""}})
	want(t, "clearing the site URL", status, body, 400, "api.config.update_config.clear_siteurl.app_error")
	// config.Store.Set applies the environment over the new config: a pinned setting answers 200 and
	// keeps its value.
	w.sim.SetConfigFromEnv("ServiceSettings", "EnableBotAccountCreation", false)
	status, body = patch(admin, map[string]any{"ServiceSettings": map[string]any{"EnableBotAccountCreation": true, "EnableUserAccessTokens": true}})
	if status != 200 {
		t.Fatalf("patch: %d %v", status, body)
	}
	ss := obj(t, obj(t, body)["ServiceSettings"])
	if ss["EnableBotAccountCreation"] != false || ss["EnableUserAccessTokens"] != true {
		t.Fatalf("after the patch: %v", ss)
	}
}

func TestPluginsFollowAPI4(t *testing.T) {
	w, admin := adminWorld(t)
	w.sim.SetConfig("PluginSettings", "EnableUploads", true)
	if status, body := upload(t, w, admin, pluginBundle(t, "com.example.p", "1.0.0"), false); status != 201 {
		t.Fatalf("upload: %d %s", status, body)
	}
	// An enabled plugin that needs a newer server does not start: GET /plugins lists the running ones as
	// active (the plugin environment's IsActive), so it is listed inactive.
	w.sim.SetVersion("8.1.4")
	if status, _, body := w.call(admin, "POST", "/api/v4/plugins/com.example.p/enable", nil); status != 200 {
		t.Fatalf("enable: %d %v", status, body)
	}
	_, _, body := w.call(admin, "GET", "/api/v4/plugins", nil)
	if active, inactive := obj(t, body)["active"].([]any), obj(t, body)["inactive"].([]any); len(active) != 0 || len(inactive) != 1 {
		t.Fatalf("an enabled plugin that cannot start: %v", body)
	}
	w.sim.SetVersion("9.9.0")
	_, _, body = w.call(admin, "GET", "/api/v4/plugins", nil)
	if active := obj(t, body)["active"].([]any); len(active) != 1 {
		t.Fatalf("a running plugin: %v", body)
	}
	// uploadPlugin answers a body that is not a multipart form with http.Error: text/plain, no AppError.
	req, _ := http.NewRequest("POST", w.srv.URL+"/api/v4/plugins", strings.NewReader("not a form"))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("not a form: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// With plugins off, listing and enabling answer 501 app.plugin.disabled.app_error.
	w.sim.SetConfig("PluginSettings", "Enable", false)
	status, _, body := w.call(admin, "GET", "/api/v4/plugins", nil)
	want(t, "listing with plugins off", status, body, 501, "app.plugin.disabled.app_error")
	status, _, body = w.call(admin, "POST", "/api/v4/plugins/com.example.p/enable", nil)
	want(t, "enabling with plugins off", status, body, 501, "app.plugin.disabled.app_error")
}

func TestRolesFollowAPI4(t *testing.T) {
	w, admin := adminWorld(t)
	path := "/api/v4/users/" + w.bot.ID + "/roles"
	for _, c := range []struct {
		name, roles string
		token       string
		status      int
		id          string
	}{
		// app CheckRolesExist: a well-formed name that is no role.
		{"a role that does not exist", "system_user zoom_poster", admin, 400, "app.role.check_roles_exist.role_not_found"},
		// api4 updateUserRoles: model.NewSystemRoleIDs need a licence, checked before the permission.
		{"a licensed role without a licence", "system_user system_manager", w.aliceToken, 400, "api.user.update_user_roles.license.app_error"},
		{"syntax before permission", "system_admin", w.aliceToken, 400, "api.context.invalid_body_param.app_error"},
		{"permission", "system_user", w.aliceToken, 403, "api.context.permissions.app_error"},
	} {
		status, _, body := w.call(c.token, "PUT", path, map[string]any{"roles": c.roles})
		want(t, c.name, status, body, c.status, c.id)
	}
	// app UpdateUserRoles turns GetUser's 404 into 400.
	status, _, body := w.call(admin, "PUT", "/api/v4/users/"+strings.Repeat("x", 26)+"/roles", map[string]any{"roles": "system_user"})
	if status != 400 {
		t.Errorf("unknown user: %d %v", status, body)
	}
	if u, _ := w.sim.User(w.bot.ID); u.Roles != "system_user" {
		t.Fatalf("a refused change changed the roles: %q", u.Roles)
	}
}

func TestAccessTokensAndBotsFollowTheApp(t *testing.T) {
	w, admin := adminWorld(t)
	// api4/bot.go createBot: the permission comes before EnableBotAccountCreation.
	bot := map[string]any{"username": "zoom2", "display_name": "Zoom"}
	status, _, body := w.call(w.aliceToken, "POST", "/api/v4/bots", bot)
	want(t, "a plain user, bot creation off", status, body, 403, "api.context.permissions.app_error")
	status, _, body = w.call(admin, "POST", "/api/v4/bots", bot)
	want(t, "an admin, bot creation off", status, body, 403, "api.bot.create_disabled")

	// app createSessionForUserAccessToken: a person's access token works only while
	// EnableUserAccessTokens is on; a bot's always.
	root, _ := w.sim.UserByUsername("root")
	w.sim.SetConfig("ServiceSettings", "EnableUserAccessTokens", true)
	status, _, body = w.call(admin, "POST", "/api/v4/users/"+root.ID+"/tokens", map[string]any{"description": "setup"})
	if status != 200 {
		t.Fatalf("admin's own token: %d %v", status, body)
	}
	personal := obj(t, body)["token"].(string)
	_, _, body = w.call(admin, "POST", "/api/v4/users/"+w.bot.ID+"/tokens", map[string]any{"description": "mmzoom"})
	botTok := obj(t, body)["token"].(string)
	if status, _, _ := w.call(personal, "GET", "/api/v4/users/me", nil); status != 200 {
		t.Fatalf("personal token while allowed: %d", status)
	}
	w.sim.SetConfig("ServiceSettings", "EnableUserAccessTokens", false)
	status, _, body = w.call(personal, "GET", "/api/v4/users/me", nil)
	want(t, "personal token once tokens are off", status, body, 401, "api.context.session_expired.app_error")
	if status, _, _ := w.call(botTok, "GET", "/api/v4/users/me", nil); status != 200 {
		t.Fatalf("bot token once tokens are off: %d", status)
	}
	if status, _, _ := w.call(admin, "GET", "/api/v4/users/me", nil); status != 200 {
		t.Fatalf("a login session once tokens are off: %d", status)
	}
}

func TestUsernamesBotsAndPagesFollowAPI4(t *testing.T) {
	w, admin := adminWorld(t)
	// Context.RequireUsername: a username with capitals is no username (400), it is not looked up.
	status, _, body := w.call(admin, "GET", "/api/v4/users/username/Alice", nil)
	want(t, "a username with capitals", status, body, 400, "api.context.invalid_body_param.app_error")
	// api4/bot.go getBot: a plain user, even the bot itself, is told the bot does not exist.
	status, _, body = w.call(w.aliceToken, "GET", "/api/v4/bots/"+w.bot.ID, nil)
	want(t, "a plain user reads a bot", status, body, 404, "store.sql_bot.get.missing.app_error")
	// model.IsValidUsername: names Mattermost keeps for itself.
	w.sim.SetConfig("ServiceSettings", "EnableBotAccountCreation", true)
	status, _, body = w.call(admin, "POST", "/api/v4/bots", map[string]any{"username": "system"})
	want(t, "a restricted username", status, body, 400, "model.bot.is_valid.username.app_error")
	// Params: per_page above 200 is 200, not the default.
	for i := 0; i < 61; i++ {
		w.sim.AddTeam(Team{Name: fmt.Sprintf("t%02d", i)})
	}
	if _, _, body := w.call(admin, "GET", "/api/v4/teams?per_page=500", nil); len(body.([]any)) != 62 {
		t.Fatalf("per_page=500 gave %d teams, want all 62", len(body.([]any)))
	}
}

func TestClientConfigNeedsTheOldFormat(t *testing.T) {
	w, _ := adminWorld(t)
	status, _, body := w.call(w.botToken, "GET", "/api/v4/config/client", nil)
	want(t, "no format", status, body, 501, "api.config.client.old_format.app_error")
	status, _, body = w.call(w.botToken, "GET", "/api/v4/config/client?format=new", nil)
	want(t, "format=new", status, body, 400, "api.context.invalid_body_param.app_error")
	if status, _, _ := w.call(w.botToken, "GET", "/api/v4/config/client?format=old", nil); status != 200 {
		t.Fatalf("format=old: %d", status)
	}
}

func TestAPluginsCommandComesBeforeACustomOne(t *testing.T) {
	w, admin := adminWorld(t)
	// app/command.go ExecuteCommand tries plugin commands first; createCommand does not see them.
	w.sim.RegisterPluginCommand("zoom", "", "zoom", "Zoom", "Please connect your Zoom account")
	cmd := map[string]any{"team_id": w.team.ID, "trigger": "zoom", "method": "P", "url": "https://mmzoom.example.com/mattermost/command", "auto_complete": true}
	if status, _, body := w.call(admin, "POST", "/api/v4/commands", cmd); status != 201 {
		t.Fatalf("a custom /zoom beside a plugin's: %d %v", status, body)
	}
	res, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", "", "/zoom start")
	if err != nil || res.Response == nil || res.Response.Text != "Please connect your Zoom account" {
		t.Fatalf("/zoom went to %+v %v, want the plugin", res, err)
	}
	// app ListAllCommands: the plugin's command is listed (no id), the custom one with its trigger is not;
	// custom_only lists the custom one only.
	_, _, body := w.call(admin, "GET", "/api/v4/commands?team_id="+w.team.ID, nil)
	if list := body.([]any); len(list) != 1 || obj(t, list[0])["id"] != "" || obj(t, list[0])["trigger"] != "zoom" {
		t.Fatalf("listing: %v", body)
	}
	_, _, body = w.call(admin, "GET", "/api/v4/commands?team_id="+w.team.ID+"&custom_only=true", nil)
	if list := body.([]any); len(list) != 1 || obj(t, list[0])["id"] == "" {
		t.Fatalf("custom listing: %v", body)
	}
	w.sim.UnregisterPluginCommands("zoom")
	_, _, body = w.call(admin, "GET", "/api/v4/commands?team_id="+w.team.ID, nil)
	if list := body.([]any); len(list) != 1 || obj(t, list[0])["id"] == "" {
		t.Fatalf("listing without the plugin: %v", body)
	}
}

func TestTheHostsOwnAddressIsNotPublicToMattermost(t *testing.T) {
	// httpservice allowIP: an address of Mattermost's own host needs a CIDR entry, as a private one does.
	const url = "http://203.0.113.7:8443/mattermost/command"
	for _, c := range []struct {
		own           []net.IP
		allowed       string
		wantReachable bool
	}{
		{nil, "", true}, // a public address
		{[]net.IP{net.ParseIP("203.0.113.7")}, "", false},
		{[]net.IP{net.ParseIP("203.0.113.7")}, "203.0.113.7/32", true},
		{[]net.IP{net.ParseIP("203.0.113.7")}, "203.0.113.7", true}, // the URL's host, as written
	} {
		sim := New(Options{BlockUntrusted: true, OwnIPs: c.own})
		sim.SetConfig("ServiceSettings", "AllowedUntrustedInternalConnections", c.allowed)
		if got := sim.outgoingAllowed(url); got != c.wantReachable {
			t.Errorf("own %v, allowed %q: reachable=%v", c.own, c.allowed, got)
		}
	}
}

func TestARestrictedSystemAdminCannotPatchUntrustedConnections(t *testing.T) {
	w, admin := adminWorld(t)
	// api4/config.go makeFilterConfigByPermission: with RestrictSystemAdmin on, write_restrictable settings
	// (AllowedUntrustedInternalConnections is one) are left out of the merge, and the patch answers 200.
	w.sim.SetConfig("ExperimentalSettings", "RestrictSystemAdmin", true)
	status, _, body := w.call(admin, "PUT", "/api/v4/config/patch", map[string]any{"ServiceSettings": map[string]any{
		"AllowedUntrustedInternalConnections": "mmzoom.internal", "EnableBotAccountCreation": true}})
	ss := obj(t, obj(t, body)["ServiceSettings"])
	if status != 200 || ss["AllowedUntrustedInternalConnections"] != "" || ss["EnableBotAccountCreation"] != true {
		t.Fatalf("patch: %d %v", status, ss)
	}
}
