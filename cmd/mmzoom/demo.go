package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sim/zoomsim"
)

// demoWorld is mmzoom running against both simulators on loopback, seeded with a team, channels and users.
type demoWorld struct {
	Zoom       *zoomsim.Server
	Mattermost *mmsim.Server
	ZoomURL    string
	MMURL      string
	MMZoomURL  string
	Team       mmsim.Team
	Alice      mmsim.User // English
	Kenji      mmsim.User // Japanese locale
	Maria      mmsim.User // English, no Zoom account
	Town       mmsim.Channel
	Private    mmsim.Channel
	DM         mmsim.Channel // alice and kenji
	GM         mmsim.Channel // alice, kenji and maria
	Command    mmsim.Command
	Bot        mmsim.User
	Config     *config
	servers    []*http.Server
	app        *app
	// appMu guards app, which a test may replace (mmzoom restarted with another configuration).
	appMu sync.RWMutex
	// appServer serves whichever app is current (serveApp) on mmzoom's address, across replacements.
	appServer *http.Server
	// stopApp stops the current app's lifecycle (app.run), whose result appDone then gives; runEvery and
	// logger are how it was run, for the app that replaces it.
	stopApp  context.CancelFunc
	appDone  chan error
	runEvery intervals
	logger   *slog.Logger
}

// serveApp serves the running mmzoom's handler.
func (w *demoWorld) serveApp(rw http.ResponseWriter, r *http.Request) {
	w.appMu.RLock()
	h := w.app.handler
	w.appMu.RUnlock()
	h.ServeHTTP(rw, r)
}

// demoSetup describes a world to start.
type demoSetup struct {
	kind    meeting.AppKind
	dir     string // database directory
	addr    map[string]string
	logger  *slog.Logger
	now     func() time.Time
	goFunc  func(func())
	botRole string
	// httpClient is mmzoom's outgoing client (tests wrap its transport to watch or slow calls).
	httpClient *http.Client
	// mmHTTPClient is the Mattermost simulator's outgoing client (slash commands and button clicks).
	mmHTTPClient *http.Client
	// startBudget overrides how long /zoom start waits for Zoom before answering "working on it".
	startBudget time.Duration
	// plugin is the webapp plugin the Mattermost simulator's page loads, when built.
	plugin *mmsim.PluginFiles
	// external leaves mmzoom out: the caller runs it (as a separate process) on MMZoomURL with Config.
	external bool
	// zoomRetryDelays overrides Zoom's webhook retry schedule (5, 20, 60 minutes).
	zoomRetryDelays []time.Duration
	// manualQueue leaves the job queue to the caller (tests run it step by step); otherwise it runs in the
	// background as in production.
	manualQueue bool
	// recentWindow overrides the recent-meeting window (benchmarks start many meetings in one channel).
	recentWindow time.Duration
	// configure, when set, changes mmzoom's configuration before it starts (tests turn settings on and off).
	configure func(*config)
	// database overrides the SQLite file in dir (MMZOOM_DATABASE, e.g. a PostgreSQL DSN shared by replicas).
	database string
}

// listen opens addr, falling back to a free port on loopback when it is taken.
func listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return net.Listen("tcp", "127.0.0.1:0")
	}
	return ln, nil
}

// startWorld starts the Zoom simulator, the Mattermost simulator and mmzoom, wired to each other.
func startWorld(ctx context.Context, s demoSetup) (*demoWorld, error) {
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.botRole == "" {
		s.botRole = "system_user system_post_all"
	}
	w := &demoWorld{}
	lnZoom, err := listen(s.addr["zoom"])
	if err != nil {
		return nil, err
	}
	lnMM, err := listen(s.addr["mattermost"])
	if err != nil {
		return nil, err
	}
	lnApp, err := listen(s.addr["mmzoom"])
	if err != nil {
		return nil, err
	}
	w.ZoomURL = "http://" + lnZoom.Addr().String()
	w.MMURL = "http://" + lnMM.Addr().String()
	w.MMZoomURL = "http://" + lnApp.Addr().String()

	const clientID, clientSecret, accountID, webhookSecret = "demoClientID", "demoClientSecret", "demoAccountID", "demoWebhookSecret"
	w.Zoom = zoomsim.New(zoomsim.Options{Now: s.now, ClientID: clientID, ClientSecret: clientSecret, AccountID: accountID,
		WebhookSecret: webhookSecret, WebhookURL: w.MMZoomURL + "/zoom/webhook", RetryDelays: s.zoomRetryDelays})
	w.Zoom.SetBaseURL(w.ZoomURL)
	w.Mattermost = mmsim.New(mmsim.Options{Now: s.now, HTTPClient: s.mmHTTPClient, Plugin: s.plugin})
	w.Mattermost.SetSiteURL(w.MMURL)

	mm := w.Mattermost
	w.Team = mm.AddTeam(mmsim.Team{Name: "demo", DisplayName: "Demo Team"})
	w.Alice = mm.AddUser(mmsim.User{Username: "alice", Email: "alice@example.com", FirstName: "Alice", Locale: "en"}, w.Team.ID)
	w.Kenji = mm.AddUser(mmsim.User{Username: "kenji", Email: "kenji@example.jp", FirstName: "健二", Locale: "ja"}, w.Team.ID)
	w.Town = mm.AddChannel(mmsim.Channel{TeamID: w.Team.ID, Type: "O", Name: "town-square", DisplayName: "Town Square"}, w.Alice.ID, w.Kenji.ID)
	w.Private = mm.AddChannel(mmsim.Channel{TeamID: w.Team.ID, Type: "P", Name: "design", DisplayName: "Design (private)"}, w.Alice.ID, w.Kenji.ID)
	w.Maria = mm.AddUser(mmsim.User{Username: "maria", Email: "maria@example.com", FirstName: "Maria", Locale: "en"}, w.Team.ID)
	// Their timezones, as their browsers would report them: scheduled meetings are read and shown in them.
	mm.SetTimezone(w.Alice.ID, mmsim.Timezone{UseAutomatic: true, Automatic: "Europe/Berlin"})
	mm.SetTimezone(w.Kenji.ID, mmsim.Timezone{UseAutomatic: true, Automatic: "Asia/Tokyo"})
	w.DM = mm.DirectChannel(w.Alice.ID, w.Kenji.ID)
	w.GM = mm.GroupChannel(w.Alice.ID, w.Kenji.ID, w.Maria.ID)
	// Mattermost requires e-mail verification here, so account and s2s kinds may match users by e-mail.
	mm.SetClientConfig("RequireEmailVerification", "true")
	bot, botToken := mm.AddBot("zoom", "Zoom")
	mm.SetRoles(bot.ID, s.botRole)
	// As the README recommends: the bot is a member of the team, so it can join public channels itself.
	mm.AddTeamMember(w.Team.ID, bot.ID)
	w.Bot = bot
	w.Command = mm.AddCommand(w.Team.ID, "zoom", w.MMZoomURL+"/mattermost/command")
	// alice is also the Zoom account admin, who authorizes an admin-managed app (account kind).
	w.Zoom.AddUser(zoomsim.User{Email: w.Alice.Email, FirstName: "Alice", LastName: "Admin", Admin: true, EmbedPasswordInJoinLink: true})
	w.Zoom.AddUser(zoomsim.User{Email: w.Kenji.Email, FirstName: "健二", LastName: "佐藤", EmbedPasswordInJoinLink: true})

	key, err := seal.GenerateKey()
	if err != nil {
		return nil, err
	}
	k, err := seal.ParseKey(key)
	if err != nil {
		return nil, err
	}
	cfg := &config{
		SiteURL: w.MMZoomURL, Database: "sqlite://" + filepath.Join(s.dir, "mmzoom.db"), EncryptionKey: k,
		MattermostURL: w.MMURL, BotToken: botToken, CommandTokens: []string{w.Command.Token}, Kind: s.kind,
		ClientID: clientID, ClientSecret: clientSecret, AccountID: accountID, WebhookSecret: webhookSecret,
		ZoomURL: w.ZoomURL, ZoomAPIURL: w.ZoomURL + "/v2", ShowPasscode: true, RecentWindow: 3 * time.Hour,
		StartBudget: 2500 * time.Millisecond, BigChannel: meeting.DefaultBigChannel, ReminderLead: meeting.DefaultReminderLead,
		PostSummaries: true, PostTranscripts: true, MaxDownloadBytes: meeting.DefaultMaxFileBytes,
	}
	if s.configure != nil {
		s.configure(cfg)
	}
	if s.startBudget != 0 {
		cfg.StartBudget = s.startBudget
	}
	if s.recentWindow != 0 {
		cfg.RecentWindow = s.recentWindow
	}
	if s.database != "" {
		cfg.Database = s.database
	}
	w.Config = cfg
	if s.external {
		cfg.Listen = lnApp.Addr().String()
		_ = lnApp.Close()
		for _, p := range []struct {
			ln net.Listener
			h  http.Handler
		}{{lnZoom, w.Zoom.Handler()}, {lnMM, w.Mattermost.Handler()}} {
			srv := &http.Server{Handler: p.h, ReadHeaderTimeout: 10 * time.Second}
			w.servers = append(w.servers, srv)
			go func() { _ = srv.Serve(p.ln) }()
		}
		return w, nil
	}
	w.app, err = build(ctx, cfg, s.logger, options{now: s.now, goFunc: s.goFunc, httpClient: s.httpClient})
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		ln net.Listener
		h  http.Handler
	}{{lnZoom, w.Zoom.Handler()}, {lnMM, w.Mattermost.Handler()}} {
		srv := &http.Server{Handler: p.h, ReadHeaderTimeout: 10 * time.Second}
		w.servers = append(w.servers, srv)
		go func() { _ = srv.Serve(p.ln) }()
	}
	// mmzoom runs under the lifecycle serve uses; tests that run the queue by hand turn its loops off. Its
	// HTTP server outlives the app, so that a test can replace the app (restartApp) on the same address.
	w.runEvery = intervals{queue: 500 * time.Millisecond, reconcile: time.Minute, janitor: time.Minute}
	if s.manualQueue {
		w.runEvery = intervals{}
	}
	w.logger = s.logger
	w.appServer = &http.Server{Handler: http.HandlerFunc(w.serveApp), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = w.appServer.Serve(lnApp) }()
	w.runApp()
	return w, nil
}

// runApp runs the current app's lifecycle (without its own HTTP server: appServer serves it).
func (w *demoWorld) runApp() {
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	w.stopApp, w.appDone = stop, done
	a := w.app
	go func() { done <- a.run(runCtx, nil, nil, w.runEvery, w.logger) }()
}

// stopRunningApp stops the current app's lifecycle (processor, reconciliation, janitor, background work),
// waits for it, and closes its store.
func (w *demoWorld) stopRunningApp() {
	if w.stopApp != nil {
		w.stopApp()
		<-w.appDone
		w.stopApp = nil
	}
	if w.app != nil {
		_ = w.app.store.Close()
	}
}

// restartApp stops mmzoom and starts it again with cfg on the same address, as an admin who changed a
// setting and restarted the service would: nothing in memory survives. Requests arriving meanwhile wait
// for the new app.
func (w *demoWorld) restartApp(cfg *config, o options) error {
	w.appMu.Lock()
	defer w.appMu.Unlock()
	w.stopRunningApp()
	a, err := build(context.Background(), cfg, w.logger, o)
	if err != nil {
		return err
	}
	w.app, w.Config = a, cfg
	w.runApp()
	return nil
}

// Close stops the servers and closes the database.
func (w *demoWorld) Close() {
	// mmzoom stops first, while the simulators still answer the requests it is finishing: no new
	// connections, the requests in flight finish, then its lifecycle ends and its store is closed.
	if w.appServer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		_ = w.appServer.Shutdown(ctx)
		cancel()
	}
	w.appMu.Lock()
	w.stopRunningApp()
	w.appMu.Unlock()
	w.Zoom.Close()
	for _, s := range w.servers {
		_ = s.Close()
	}
}

// demoFlags are the flags of `mmzoom demo`.
type demoFlags struct {
	kind, mattermost, zoom, listen *string
}

// newDemoFlags defines the demo's flags on fs.
func newDemoFlags(fs *flag.FlagSet) demoFlags {
	return demoFlags{
		kind:       fs.String("kind", "s2s", "Zoom app kind to simulate: user, account or s2s"),
		mattermost: fs.String("mattermost", "127.0.0.1:8065", "listen address of the Mattermost simulator (the page to open)"),
		zoom:       fs.String("zoom", "127.0.0.1:9090", "listen address of the Zoom simulator"),
		listen:     fs.String("listen", "127.0.0.1:8090", "listen address of mmzoom"),
	}
}

// runDemo is `mmzoom demo`.
func runDemo(ctx context.Context, f demoFlags, stdout, stderr io.Writer) error {
	kind := f.kind
	if !meeting.AppKind(*kind).Valid() {
		return &usageError{fmt.Sprintf("-kind must be user, account or s2s, got %q", *kind)}
	}
	dir, err := os.MkdirTemp("", "mmzoom-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	plugin := demoPlugin()
	w, err := startWorld(ctx, demoSetup{kind: meeting.AppKind(*kind), dir: dir, logger: logger, plugin: plugin,
		addr: map[string]string{"mattermost": *f.mattermost, "zoom": *f.zoom, "mmzoom": *f.listen}})
	if err != nil {
		return err
	}
	defer w.Close()
	if *kind == string(meeting.KindAccount) {
		// An admin-managed app needs one admin authorization; the demo's alice is that admin.
		w.Mattermost.SetRoles(w.Alice.ID, "system_admin system_user")
	}
	fmt.Fprintf(stdout, `mmzoom demo is running (Zoom app kind: %s).

  Open Mattermost (simulator):  %s
  Zoom (simulator):             %s
  mmzoom:                       %s

In Mattermost, click "Start Zoom meeting": a meeting card appears. Follow Join, then end the meeting
(on the Zoom page, or in the Zoom simulator's list) and watch the card say it ended and how long it lasted.
After a meeting ended, the Zoom simulator's "Summary ready" and "Transcript ready" buttons post Zoom's AI
Companion summary and the transcript in the card's thread.
Switch the user to kenji to see everything in Japanese. Press Ctrl+C to stop.
`, *kind, w.MMURL, w.ZoomURL, w.MMZoomURL)
	if plugin != nil {
		fmt.Fprintln(stdout, "\nThe page runs mmzoom's webapp plugin: the camera button and the card are the plugin's, as in Mattermost.")
	}
	<-ctx.Done()
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil
	}
	return ctx.Err()
}

// demoPlugin is the webapp plugin mmzoom serves (the embedded bundle), for the simulator's page to run.
func demoPlugin() *mmsim.PluginFiles {
	gz, err := gzip.NewReader(bytes.NewReader(pluginBundle))
	if err != nil {
		return nil
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil
		}
		if h.Name == "com.mmzoom.meetings/main.js" {
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil
			}
			return &mmsim.PluginFiles{ID: "com.mmzoom.meetings", MainJS: b}
		}
	}
}
