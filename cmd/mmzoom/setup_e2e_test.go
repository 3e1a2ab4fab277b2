package main

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sim/zoomsim"
)

// TestSetupThenServeStartsAMeeting goes from an empty Mattermost that, like a real one, refuses to call
// private addresses, through mmzoom setup, to mmzoom serve reading what setup wrote and posting a card.
func TestSetupThenServeStartsAMeeting(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	dir := t.TempDir()
	lnApp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	siteURL := "http://" + lnApp.Addr().String()

	zs := zoomsim.New(zoomsim.Options{Now: clock.Now, ClientID: "cid", ClientSecret: "csecret", AccountID: "acct",
		WebhookSecret: "whsecret", WebhookURL: siteURL + "/zoom/webhook"})
	t.Cleanup(zs.Close)
	zsrv := startServer(t, zs.Handler())
	zs.SetBaseURL(zsrv)
	zs.AddUser(zoomsim.User{Email: "alice@example.com", FirstName: "Alice", Type: 2})

	mm := mmsim.New(mmsim.Options{Now: clock.Now, BlockUntrusted: true})
	mmURL := startServer(t, mm.Handler())
	mm.SetSiteURL(mmURL)
	team := mm.AddTeam(mmsim.Team{Name: "demo", DisplayName: "Demo"})
	alice := mm.AddUser(mmsim.User{Username: "alice", Email: "alice@example.com"}, team.ID)
	root := mm.AddUser(mmsim.User{Username: "root", Email: "root@example.com", Roles: "system_user system_admin"}, team.ID)
	town := mm.AddChannel(mmsim.Channel{TeamID: team.ID, Type: "O", Name: "town-square", DisplayName: "Town Square"}, alice.ID, root.ID)
	mm.SetConfig("EmailSettings", "RequireEmailVerification", true) // the admin's own choice, for e-mail matching

	configPath := filepath.Join(dir, "mmzoom.json")
	env := map[string]string{
		"MMZOOM_MATTERMOST_URL": mmURL, "MMZOOM_SITE_URL": siteURL, "MMZOOM_MATTERMOST_ADMIN_TOKEN": mm.Login(root.ID),
		"MMZOOM_CONFIG": configPath,
	}
	flags := flag.NewFlagSet("mmzoom setup", flag.ContinueOnError)
	fl := newSetupFlags(flags)
	_ = flags.Parse([]string{"--yes"})
	var out strings.Builder
	if err := runSetup(ctx, fl, func(k string) string { return env[k] }, &out, setupDeps{}); err != nil {
		t.Fatalf("setup: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), `✔ added "127.0.0.1" to ServiceSettings.AllowedUntrustedInternalConnections`) {
		t.Fatalf("setup did not allow mmzoom's private address:\n%s", out.String())
	}

	// serve's environment has no Mattermost token: they come from the file setup wrote.
	serveEnv := map[string]string{
		"MMZOOM_SITE_URL": siteURL, "MMZOOM_DATABASE": "sqlite://" + filepath.Join(dir, "mmzoom.db"), "MMZOOM_ENCRYPTION_KEY": testKey,
		"MMZOOM_MATTERMOST_URL": mmURL, "MMZOOM_ZOOM_APP_KIND": "s2s", "MMZOOM_ZOOM_CLIENT_ID": "cid", "MMZOOM_ZOOM_CLIENT_SECRET": "csecret",
		"MMZOOM_ZOOM_ACCOUNT_ID": "acct", "MMZOOM_ZOOM_WEBHOOK_SECRET": "whsecret", "MMZOOM_ZOOM_URL": zsrv,
		"MMZOOM_ZOOM_API_URL": zsrv + "/v2", "MMZOOM_CONFIG": configPath,
	}
	cfg, problems := loadConfig(func(k string) string { return serveEnv[k] }, os.ReadFile)
	if len(problems) > 0 {
		t.Fatalf("serve cannot read what setup wrote: %v", problems)
	}
	a, err := build(ctx, cfg, slog.New(slog.DiscardHandler), options{now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.store.Close() })
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(lnApp) }()
	t.Cleanup(func() { _ = srv.Close() })
	if err := checkBot(ctx, a.mm, mmURL, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("serve's bot check: %v", err)
	}

	res, err := mm.ExecuteCommand(ctx, alice.ID, town.ID, team.ID, "", "/zoom start Standup")
	if err != nil || res.Error != "" {
		t.Fatalf("/zoom start: %+v %v", res, err)
	}
	var cards int
	for _, p := range mm.Posts(town.ID) {
		if p.Type == meeting.PostType {
			cards++
		}
	}
	if cards != 1 {
		t.Fatalf("cards in town-square: %d (posts %+v)", cards, mm.Posts(town.ID))
	}
	// What setup prevented: without the setting, the user sees only Mattermost's generic failure.
	mm.SetConfig("ServiceSettings", "AllowedUntrustedInternalConnections", "")
	res, err = mm.ExecuteCommand(ctx, alice.ID, town.ID, team.ID, "", "/zoom help")
	if err != nil || res.Error != "Command with a trigger of '/zoom' failed." {
		t.Fatalf("/zoom help without the setting: %+v %v", res, err)
	}
}

// startServer serves h on loopback for the test and returns its URL.
func startServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}
