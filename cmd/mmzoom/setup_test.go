package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/mattermost"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite cmd/mmzoom/testdata/*.golden")

// setupWorld is an empty Mattermost: a system admin, a person, two teams, and nothing for mmzoom yet.
type setupWorld struct {
	t                     *testing.T
	sim                   *mmsim.Server
	url                   string
	adminToken, userToken string
	teams                 []mmsim.Team
	dir, configPath       string
	siteURL               string  // MMZOOM_SITE_URL; "" is mmzoom on a private address
	text                  cliText // the language setup prints in (zero: English)
}

func newSetupWorld(t *testing.T) *setupWorld {
	t.Helper()
	sim := mmsim.New(mmsim.Options{Now: func() time.Time { return time.UnixMilli(1_700_000_000_000) }})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetSiteURL(srv.URL)
	w := &setupWorld{t: t, sim: sim, url: srv.URL, dir: t.TempDir()}
	w.configPath = filepath.Join(w.dir, "mmzoom.json")
	w.teams = []mmsim.Team{sim.AddTeam(mmsim.Team{Name: "sales", DisplayName: "Sales"}), sim.AddTeam(mmsim.Team{Name: "eng", DisplayName: "Engineering"})}
	admin := sim.AddUser(mmsim.User{Username: "root", Email: "root@example.com", Roles: "system_user system_admin"}, w.teams[0].ID)
	alice := sim.AddUser(mmsim.User{Username: "alice", Email: "alice@example.com"}, w.teams[0].ID)
	w.adminToken, w.userToken = sim.Login(admin.ID), sim.Login(alice.ID)
	return w
}

// run runs mmzoom setup with args against the world; the site URL is mmzoom on a private address.
func (w *setupWorld) run(token string, args ...string) (string, error) {
	w.t.Helper()
	site := w.siteURL
	if site == "" {
		site = "https://mmzoom.internal:8443"
	}
	env := map[string]string{
		"MMZOOM_MATTERMOST_URL": w.url, "MMZOOM_SITE_URL": site,
		"MMZOOM_MATTERMOST_ADMIN_TOKEN": token, "MMZOOM_CONFIG": w.configPath,
	}
	flags := flag.NewFlagSet("mmzoom setup", flag.ContinueOnError)
	fl := newSetupFlags(flags)
	if err := flags.Parse(args); err != nil {
		w.t.Fatal(err)
	}
	var out bytes.Buffer
	err := runSetup(context.Background(), fl, func(k string) string { return env[k] }, &out, setupDeps{
		text: w.text,
		lookupIP: func(_ context.Context, host string) ([]net.IP, error) {
			if host == "mmzoom.internal" {
				return []net.IP{net.ParseIP("10.1.2.3")}, nil
			}
			return nil, errors.New("no such host")
		},
	})
	return strings.ReplaceAll(out.String(), w.url, "http://mattermost.test"), err
}

// golden compares got with testdata/<name>.golden (go test ./cmd/mmzoom -run Setup -update-golden rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, filepath.Dir(filepath.Join(t.TempDir(), "x")), "<dir>")
	// The embedded plugin's version changes with the webapp, not with what these files pin.
	if m, err := mattermost.ReadPluginManifest(pluginBundle); err == nil {
		got = strings.ReplaceAll(got, m.ID+" "+m.Version, m.ID+" <version>")
	}
	path := filepath.Join("testdata", name+".golden")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-golden to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestSetupOnEmptyMattermostThenAgainChangesNothing(t *testing.T) {
	w := newSetupWorld(t)
	w.sim.SetConfig("PluginSettings", "EnableUploads", true)
	out, err := w.run(w.adminToken, "--yes")
	if err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	golden(t, "setup_first_run", strings.ReplaceAll(out, w.configPath, "<config>"))

	bot, ok := w.sim.UserByUsername("zoom")
	if !ok || !bot.IsBot || bot.Roles != "system_user system_post_all" {
		t.Fatalf("bot = %+v", bot)
	}
	tokens := map[string]string{}
	for _, team := range w.teams {
		if !w.sim.IsTeamMember(team.ID, bot.ID) {
			t.Errorf("the bot is not in team %s", team.Name)
		}
		cmds := w.sim.Commands(team.ID)
		if len(cmds) != 1 || cmds[0].URL != "https://mmzoom.internal:8443/mattermost/command" || cmds[0].Method != "P" ||
			!cmds[0].AutoComplete || cmds[0].AutoCompleteHint != "[start|schedule|list|subscribe|unsubscribe|subscriptions|connect|disconnect|settings|channel|admin|help]" ||
			cmds[0].AutoCompleteDesc != "Start a Zoom meeting in this channel" {
			t.Fatalf("team %s commands = %+v", team.Name, cmds)
		}
		tokens[team.Name] = cmds[0].Token
	}
	if got := w.sim.Config("ServiceSettings", "AllowedUntrustedInternalConnections"); got != "mmzoom.internal" {
		t.Errorf("AllowedUntrustedInternalConnections = %q", got)
	}
	if got := w.sim.Config("EmailSettings", "RequireEmailVerification"); got != false {
		t.Errorf("setup turned on RequireEmailVerification")
	}
	if v, enabled, ok := w.sim.Plugin("com.mmzoom.meetings"); !ok || !enabled || v == "" {
		t.Errorf("plugin: %q enabled=%v installed=%v", v, enabled, ok)
	}

	// The file is private and serve reads what setup wrote.
	fi, err := os.Stat(w.configPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v %v", fi.Mode(), err)
	}
	var file struct {
		Bot      string            `json:"mattermost_bot_token"`
		Commands map[string]string `json:"mattermost_command_tokens"`
	}
	raw, _ := os.ReadFile(w.configPath)
	if err := json.Unmarshal(raw, &file); err != nil || len(file.Commands) != 2 || file.Commands["sales"] != tokens["sales"] {
		t.Fatalf("config file = %s (%v)", raw, err)
	}
	env := validEnv("s2s")
	delete(env, "MMZOOM_MATTERMOST_BOT_TOKEN")
	delete(env, "MMZOOM_MATTERMOST_COMMAND_TOKENS")
	env["MMZOOM_CONFIG"] = w.configPath
	cfg, problems := loadConfig(func(k string) string { return env[k] }, os.ReadFile)
	if len(problems) > 0 || cfg.BotToken != file.Bot || len(cfg.CommandTokens) != 2 {
		t.Fatalf("serve does not read what setup wrote: %v %+v", problems, cfg)
	}
	if me, ok := w.sim.UserByUsername("zoom"); !ok || w.botTokenUser(file.Bot) != me.ID {
		t.Fatal("the written bot token does not sign in as the bot")
	}

	// Second run: nothing to do, and Mattermost hears no write.
	w.sim.ResetRequests()
	out, err = w.run(w.adminToken, "--yes")
	if err != nil {
		t.Fatalf("second setup: %v\n%s", err, out)
	}
	if writes := w.sim.Writes(); len(writes) != 0 {
		t.Fatalf("the second run changed Mattermost: %+v\n%s", writes, out)
	}
	golden(t, "setup_second_run", strings.ReplaceAll(out, w.configPath, "<config>"))
	if raw2, _ := os.ReadFile(w.configPath); !bytes.Equal(raw, raw2) {
		t.Fatal("the second run rewrote the config file")
	}
}

// botTokenUser is the user id a token signs in as, or "".
func (w *setupWorld) botTokenUser(token string) string {
	req := httptest.NewRequest("GET", "/api/v4/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	w.sim.Handler().ServeHTTP(rec, req)
	var me struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &me)
	return me.ID
}

func TestSetupRefusesATokenThatIsNotASystemAdmins(t *testing.T) {
	w := newSetupWorld(t)
	out, err := w.run(w.userToken, "--yes")
	if !errors.Is(err, errSetupFailed) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(out, "✘ MMZOOM_MATTERMOST_ADMIN_TOKEN belongs to @alice") || !strings.Contains(out, "not a system admin") {
		t.Fatalf("output:\n%s", out)
	}
	if writes := w.sim.Writes(); len(writes) != 0 {
		t.Fatalf("writes: %+v", writes)
	}
	if _, err := os.Stat(w.configPath); !os.IsNotExist(err) {
		t.Fatal("a config file was written")
	}
}

func TestSetupAsksBeforeChangingMattermostsSettings(t *testing.T) {
	w := newSetupWorld(t)
	// Without --yes (and nobody to ask), bot creation stays off and setup says how to turn it on.
	out, err := w.run(w.adminToken)
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, "✘ cannot create the bot @zoom: bot account creation is off (ServiceSettings.EnableBotAccountCreation); run setup again with --yes") {
		t.Fatalf("err=%v output:\n%s", err, out)
	}
	if writes := w.sim.Writes(); len(writes) != 0 {
		t.Fatalf("writes: %+v", writes)
	}
	// Bot creation allowed, but the private address is not: the exact setting to add.
	w.sim.SetConfig("ServiceSettings", "EnableBotAccountCreation", true)
	out, err = w.run(w.adminToken)
	want := `✘ mmzoom.internal is a private address (10.1.2.3): Mattermost refuses to call it and users see only "Command with a trigger of 'zoom' failed"; add "mmzoom.internal" to ServiceSettings.AllowedUntrustedInternalConnections`
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v output:\n%s", err, out)
	}
	if got := w.sim.Config("ServiceSettings", "AllowedUntrustedInternalConnections"); got != "" {
		t.Fatalf("changed without --yes: %q", got)
	}
	// Uploads are off: the plugin line says how to turn them on; that is advice, not a failure.
	if !strings.Contains(out, "! webapp plugin com.mmzoom.meetings") || !strings.Contains(out, "PluginSettings.EnableUploads must be true") {
		t.Fatalf("plugin advice missing:\n%s", out)
	}
}

func TestSetupSpeaksTheServersLanguageInTheCommand(t *testing.T) {
	w := newSetupWorld(t)
	w.sim.SetConfig("LocalizationSettings", "DefaultClientLocale", "ja")
	w.sim.SetVersion("8.1.4")
	out, err := w.run(w.adminToken, "--yes", "--team", "eng")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	cmds := w.sim.Commands(w.teams[1].ID)
	if len(cmds) != 1 || cmds[0].AutoCompleteDesc != "このチャンネルで Zoom ミーティングを始めます" {
		t.Fatalf("commands = %+v", cmds)
	}
	if len(w.sim.Commands(w.teams[0].ID)) != 0 {
		t.Fatal("--team eng set up sales too")
	}
	if !strings.Contains(out, "! webapp plugin skipped: it needs Mattermost 9.0 or newer and this server is 8.1.4") {
		t.Fatalf("output:\n%s", out)
	}
	// An older mmzoom command (another address) is brought up to date, keeping its token.
	w.sim.SetConfig("LocalizationSettings", "DefaultClientLocale", "en")
	out, err = w.run(w.adminToken, "--yes", "--team", "eng")
	if err != nil || !strings.Contains(out, "✔ updated /zoom in team eng (autocomplete)") {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := w.sim.Commands(w.teams[1].ID); got[0].Token != cmds[0].Token {
		t.Fatal("the update changed the command's token")
	}
}

func TestSetupRefusesBotRolesWithoutSystemUser(t *testing.T) {
	w := newSetupWorld(t)
	out, err := w.run(w.adminToken, "--yes", "--bot-roles", "system_admin")
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, "must include system_user") {
		t.Fatalf("%v\n%s", err, out)
	}
	if writes := w.sim.Writes(); len(writes) != 0 {
		t.Fatalf("writes: %+v", writes)
	}
}

func TestPromptConfirmTakesOnlyAYes(t *testing.T) {
	for in, want := range map[string]bool{"y\n": true, "YES\n": true, " yes \n": true, "\n": false, "n\n": false, "": false, "yep\n": false} {
		var out bytes.Buffer
		if got := promptConfirm(strings.NewReader(in), &out)("Turn it on?"); got != want {
			t.Errorf("answer %q: %v, want %v", in, got, want)
		}
		// Every answer ends the question's line: typed with Enter, or none at all (end of input).
		want := "? Turn it on? [y/N] "
		if !strings.HasSuffix(in, "\n") {
			want += "\n"
		}
		if out.String() != want {
			t.Errorf("answer %q: prompt = %q, want %q", in, out.String(), want)
		}
	}
}
