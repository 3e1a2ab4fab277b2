package mmsim

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// adminWorld is the small world with a system admin.
func adminWorld(t *testing.T) (*world, string) {
	w := newWorld(t)
	admin := w.sim.AddUser(User{Username: "root", Email: "root@example.com", Roles: "system_user system_admin"})
	return w, w.sim.Login(admin.ID)
}

func errID(t *testing.T, body any) string {
	t.Helper()
	id, _ := obj(t, body)["id"].(string)
	return id
}

func TestBotCreationIsGatedByConfigAndAdmins(t *testing.T) {
	w, admin := adminWorld(t)
	bot := map[string]any{"username": "zoom", "display_name": "Zoom", "description": "Zoom meetings"}
	status, _, body := w.call(admin, "POST", "/api/v4/bots", bot)
	if status != 403 || errID(t, body) != "api.bot.create_disabled" {
		t.Fatalf("bot creation while EnableBotAccountCreation is off: %d %v", status, body)
	}
	w.sim.SetConfig("ServiceSettings", "EnableBotAccountCreation", true)
	if status, _, _ := w.call(w.aliceToken, "POST", "/api/v4/bots", bot); status != 403 {
		t.Fatalf("a plain user created a bot: %d", status)
	}
	if status, _, _ := w.call(w.botToken, "POST", "/api/v4/bots", bot); status != 403 {
		t.Fatalf("a bot created a bot: %d", status)
	}
	status, _, body = w.call(admin, "POST", "/api/v4/bots", bot)
	if status != 201 {
		t.Fatalf("create bot: %d %v", status, body)
	}
	id := obj(t, body)["user_id"].(string)
	u, _ := w.sim.User(id)
	if !u.IsBot || u.Roles != "system_user" || u.Email != "zoom@localhost" {
		t.Fatalf("bot user = %+v", u)
	}
	if status, _, body := w.call(admin, "POST", "/api/v4/bots", bot); status != 400 {
		t.Fatalf("second bot with the same username: %d %v", status, body)
	}
	status, _, body = w.call(admin, "GET", "/api/v4/users/username/zoom", nil)
	if status != 200 || obj(t, body)["is_bot"] != true {
		t.Fatalf("user by username: %d %v", status, body)
	}
	status, _, body = w.call(admin, "GET", "/api/v4/bots/"+id, nil)
	if status != 200 || obj(t, body)["username"] != "zoom" {
		t.Fatalf("get bot: %d %v", status, body)
	}
}

func TestAccessTokens(t *testing.T) {
	w, admin := adminWorld(t)
	// A bot's token needs no EnableUserAccessTokens; a person's does.
	status, _, body := w.call(admin, "POST", "/api/v4/users/"+w.bot.ID+"/tokens", map[string]any{"description": "mmzoom"})
	if status != 200 {
		t.Fatalf("bot token: %d %v", status, body)
	}
	tok := obj(t, body)["token"].(string)
	status, _, body = w.call(tok, "GET", "/api/v4/users/me", nil)
	if status != 200 || obj(t, body)["id"] != w.bot.ID {
		t.Fatalf("the new token does not sign in as the bot: %d %v", status, body)
	}
	status, _, body = w.call(admin, "POST", "/api/v4/users/"+w.alice.ID+"/tokens", map[string]any{"description": "x"})
	if status != 501 || errID(t, body) != "app.user_access_token.disabled" {
		t.Fatalf("person's token while EnableUserAccessTokens is off: %d %v", status, body)
	}
	if status, _, _ := w.call(w.aliceToken, "POST", "/api/v4/users/"+w.bot.ID+"/tokens", map[string]any{"description": "x"}); status != 403 {
		t.Fatalf("a plain user made a token for the bot: %d", status)
	}
}

func TestRoleStrings(t *testing.T) {
	w, admin := adminWorld(t)
	for _, c := range []struct {
		roles  string
		token  string
		status int
	}{
		{"system_admin", admin, 400}, // observed: refused alone
		{"system_admin!", admin, 400},
		{"system_user system_admin", admin, 200},
		{"system_user system_post_all", admin, 200},
		{"system_user system_post_all", w.aliceToken, 403},
	} {
		status, _, body := w.call(c.token, "PUT", "/api/v4/users/"+w.bot.ID+"/roles", map[string]any{"roles": c.roles})
		if status != c.status {
			t.Errorf("roles %q: %d %v, want %d", c.roles, status, body, c.status)
		}
		if status == 400 && errID(t, body) != "api.context.invalid_body_param.app_error" {
			t.Errorf("roles %q: error id %v", c.roles, body)
		}
	}
	if u, _ := w.sim.User(w.bot.ID); u.Roles != "system_user system_post_all" {
		t.Fatalf("roles = %q", u.Roles)
	}
}

func TestTeamsAndMembers(t *testing.T) {
	w, admin := adminWorld(t)
	closed := w.sim.AddTeam(Team{Name: "closed", DisplayName: "Closed", Type: "I"})
	status, _, body := w.call(admin, "GET", "/api/v4/teams?page=0&per_page=200", nil)
	if list, _ := body.([]any); status != 200 || len(list) != 2 {
		t.Fatalf("an admin sees every team: %d %v", status, body)
	}
	_, _, body = w.call(w.aliceToken, "GET", "/api/v4/teams", nil)
	if list, _ := body.([]any); len(list) != 1 {
		t.Fatalf("a user sees the open teams only: %v", body)
	}
	status, _, body = w.call(admin, "GET", "/api/v4/teams/name/closed", nil)
	if status != 200 || obj(t, body)["id"] != closed.ID {
		t.Fatalf("team by name: %d %v", status, body)
	}
	if status, _, _ := w.call(admin, "GET", "/api/v4/teams/name/nope", nil); status != 404 {
		t.Fatalf("unknown team name: %d", status)
	}
	path := "/api/v4/teams/" + closed.ID + "/members"
	status, _, body = w.call(admin, "GET", path+"/"+w.bot.ID, nil)
	if status != 404 || errID(t, body) != "app.team.get_member.missing.app_error" {
		t.Fatalf("not a member yet: %d %v", status, body)
	}
	if status, _, _ := w.call(w.aliceToken, "POST", path, map[string]any{"team_id": closed.ID, "user_id": w.bot.ID}); status != 403 {
		t.Fatalf("a plain user added someone to a team: %d", status)
	}
	if status, _, body := w.call(admin, "POST", path, map[string]any{"team_id": closed.ID, "user_id": w.bot.ID}); status != 201 {
		t.Fatalf("add member: %d %v", status, body)
	}
	if !w.sim.IsTeamMember(closed.ID, w.bot.ID) {
		t.Fatal("the bot is not a member")
	}
}

func TestCommandsAPI(t *testing.T) {
	w, admin := adminWorld(t)
	cmd := map[string]any{"team_id": w.team.ID, "trigger": "Zoom", "method": "P", "url": "https://mmzoom.example.com/mattermost/command",
		"display_name": "Zoom", "auto_complete": true, "auto_complete_hint": "[start|help]", "auto_complete_desc": "Zoom meetings"}
	// Observed: a bot as system_user cannot create a command.
	if status, _, _ := w.call(w.botToken, "POST", "/api/v4/commands", cmd); status != 403 {
		t.Fatalf("bot created a command: %d", status)
	}
	status, _, body := w.call(admin, "POST", "/api/v4/commands", cmd)
	if status != 201 {
		t.Fatalf("create: %d %v", status, body)
	}
	created := obj(t, body)
	id, token := created["id"].(string), created["token"].(string)
	if created["trigger"] != "zoom" || len(token) != 26 {
		t.Fatalf("created = %v", created)
	}
	if status, _, body := w.call(admin, "POST", "/api/v4/commands", cmd); status != 400 || errID(t, body) != "api.command.duplicate_trigger.app_error" {
		t.Fatalf("duplicate trigger: %d %v", status, body)
	}
	bad := map[string]any{"team_id": w.team.ID, "trigger": "meet", "method": "P", "url": "ftp://x"}
	if status, _, _ := w.call(admin, "POST", "/api/v4/commands", bad); status != 400 {
		t.Fatalf("bad URL accepted: %d", status)
	}
	// custom_only lists tokens and URLs; the plain listing hides them.
	_, _, body = w.call(admin, "GET", "/api/v4/commands?team_id="+w.team.ID+"&custom_only=true", nil)
	if list, _ := body.([]any); len(list) != 1 || obj(t, list[0])["token"] != token {
		t.Fatalf("custom_only listing: %v", body)
	}
	_, _, body = w.call(w.aliceToken, "GET", "/api/v4/commands?team_id="+w.team.ID, nil)
	if list, _ := body.([]any); len(list) != 1 || obj(t, list[0])["token"] != "" || obj(t, list[0])["url"] != "" {
		t.Fatalf("sanitized listing: %v", body)
	}
	if status, _, _ := w.call(w.aliceToken, "GET", "/api/v4/commands?team_id="+w.team.ID+"&custom_only=true", nil); status != 403 {
		t.Fatalf("a plain user read the tokens: %d", status)
	}
	// An update keeps the token; the team cannot change.
	created["auto_complete_hint"] = "[start|connect|help]"
	status, _, body = w.call(admin, "PUT", "/api/v4/commands/"+id, created)
	if status != 200 || obj(t, body)["token"] != token || obj(t, body)["auto_complete_hint"] != "[start|connect|help]" {
		t.Fatalf("update: %d %v", status, body)
	}
	created["team_id"] = "other"
	if status, _, _ := w.call(admin, "PUT", "/api/v4/commands/"+id, created); status != 400 {
		t.Fatalf("team change accepted: %d", status)
	}
	status, _, body = w.call(admin, "PUT", "/api/v4/commands/"+id+"/regen_token", nil)
	if status != 200 || obj(t, body)["token"] == token {
		t.Fatalf("regen: %d %v", status, body)
	}
	if got := w.sim.Commands(w.team.ID); len(got) != 1 || got[0].Token != obj(t, body)["token"] {
		t.Fatalf("commands = %+v", got)
	}
}

func TestConfigReadAndPatch(t *testing.T) {
	w, admin := adminWorld(t)
	if status, _, _ := w.call(w.botToken, "GET", "/api/v4/config", nil); status != 403 {
		t.Fatalf("a bot read the config: %d", status)
	}
	if status, _, _ := w.call(w.aliceToken, "PUT", "/api/v4/config/patch", map[string]any{}); status != 403 {
		t.Fatalf("a user patched the config: %d", status)
	}
	patch := map[string]any{
		"ServiceSettings": map[string]any{"AllowedUntrustedInternalConnections": "mmzoom.internal"},
		"EmailSettings":   map[string]any{"RequireEmailVerification": true},
	}
	status, _, body := w.call(admin, "PUT", "/api/v4/config/patch", patch)
	if status != 200 {
		t.Fatalf("patch: %d %v", status, body)
	}
	cfg := obj(t, body)
	if obj(t, cfg["ServiceSettings"])["AllowedUntrustedInternalConnections"] != "mmzoom.internal" {
		t.Fatalf("patch not applied: %v", cfg["ServiceSettings"])
	}
	// The client config follows the server config.
	_, _, body = w.call(w.botToken, "GET", "/api/v4/config/client?format=old", nil)
	if obj(t, body)["RequireEmailVerification"] != "true" {
		t.Fatalf("client config: %v", body)
	}
}

func pluginBundle(t *testing.T, id, version string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, content := range map[string]string{
		id + "/plugin.json": `{"id":"` + id + `","name":"X","version":"` + version + `","min_server_version":"9.0.0","webapp":{"bundle_path":"main.js"}}`,
		id + "/main.js":     "console.log(1)",
	} {
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content))})
		_, _ = tw.Write([]byte(content))
	}
	_ = tw.Close()
	_ = gz.Close()
	return buf.Bytes()
}

func upload(t *testing.T, w *world, token string, bundle []byte, force bool) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	f, _ := mw.CreateFormFile("plugin", "p.tar.gz")
	_, _ = f.Write(bundle)
	if force {
		_ = mw.WriteField("force", "true")
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", w.srv.URL+"/api/v4/plugins", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func TestPluginUploadAndEnable(t *testing.T) {
	w, admin := adminWorld(t)
	b := pluginBundle(t, "com.example.p", "1.0.0")
	if status, body := upload(t, w, admin, b, false); status != 501 || !strings.Contains(body, "app.plugin.upload_disabled.app_error") {
		t.Fatalf("upload while EnableUploads is off: %d %s", status, body)
	}
	w.sim.SetConfig("PluginSettings", "EnableUploads", true)
	if status, _ := upload(t, w, w.aliceToken, b, false); status != 403 {
		t.Fatalf("a user uploaded a plugin: %d", status)
	}
	if status, body := upload(t, w, admin, b, false); status != 201 || !strings.Contains(body, `"version":"1.0.0"`) {
		t.Fatalf("upload: %d %s", status, body)
	}
	if status, body := upload(t, w, admin, pluginBundle(t, "com.example.p", "1.1.0"), false); status != 400 || !strings.Contains(body, "app.plugin.install_id.app_error") {
		t.Fatalf("same id without force: %d %s", status, body)
	}
	if status, _ := upload(t, w, admin, pluginBundle(t, "com.example.p", "1.1.0"), true); status != 201 {
		t.Fatalf("same id with force: %d", status)
	}
	if status, _, body := w.call(admin, "POST", "/api/v4/plugins/nope/enable", nil); status != 404 || errID(t, body) != "app.plugin.not_installed.app_error" {
		t.Fatalf("enable unknown: %d %v", status, body)
	}
	if status, _, _ := w.call(admin, "POST", "/api/v4/plugins/com.example.p/enable", nil); status != 200 {
		t.Fatalf("enable: %d", status)
	}
	_, _, body := w.call(admin, "GET", "/api/v4/plugins", nil)
	if active, _ := obj(t, body)["active"].([]any); len(active) != 1 || obj(t, active[0])["version"] != "1.1.0" {
		t.Fatalf("plugins: %v", body)
	}
}

func TestVersionHeaderPingAndWrites(t *testing.T) {
	w, admin := adminWorld(t)
	w.sim.SetVersion("8.1.4")
	status, header, body := w.call("", "GET", "/api/v4/system/ping", nil)
	if status != 200 || obj(t, body)["status"] != "OK" {
		t.Fatalf("ping without a session: %d %v", status, body)
	}
	if v := header.Get("X-Version-Id"); !strings.HasPrefix(v, "8.1.4.8.1.4.") {
		t.Fatalf("X-Version-Id = %q", v)
	}
	w.sim.ResetRequests()
	w.call(admin, "GET", "/api/v4/users/me", nil)
	if got := w.sim.Writes(); len(got) != 0 {
		t.Fatalf("a GET counted as a write: %+v", got)
	}
	w.call(admin, "PUT", "/api/v4/users/"+w.bot.ID+"/roles", map[string]any{"roles": "system_user"})
	if got := w.sim.Writes(); len(got) != 1 || got[0].Method != "PUT" {
		t.Fatalf("writes = %+v", got)
	}
}

func TestUntrustedConnectionsBlockCommandsToPrivateAddresses(t *testing.T) {
	sim := New(Options{BlockUntrusted: true})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetSiteURL(srv.URL)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"text":"hello"}`)
	}))
	t.Cleanup(app.Close)
	team := sim.AddTeam(Team{Name: "t"})
	u := sim.AddUser(User{Username: "alice"}, team.ID)
	ch := sim.AddChannel(Channel{TeamID: team.ID, Type: "O", Name: "town-square"}, u.ID)
	sim.AddCommand(team.ID, "zoom", app.URL+"/mattermost/command") // app.URL is http://127.0.0.1:port
	for _, c := range []struct{ allowed, want string }{
		{"", "Command with a trigger of '/zoom' failed."},
		{"localhost", "Command with a trigger of '/zoom' failed."},
		{"127.0.0.1", ""},
		{"10.0.0.0/8", "Command with a trigger of '/zoom' failed."},
		{"127.0.0.0/8", ""},
		// Entries are separated by commas or any white space (httpservice.splitFields).
		{"a.local\t127.0.0.1", ""},
		{"a.local\n127.0.0.0/8", ""},
		{"a.local,127.0.0.1", ""},
	} {
		sim.SetConfig("ServiceSettings", "AllowedUntrustedInternalConnections", c.allowed)
		res, err := sim.ExecuteCommand(context.Background(), u.ID, ch.ID, "", "", "/zoom help")
		if err != nil || res.Error != c.want {
			t.Errorf("allowed %q: %+v %v, want error %q", c.allowed, res, err, c.want)
		}
	}
}
