package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	_ "embed" // the webapp plugin bundle
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/httpapi"
	"github.com/mmzoom/mmzoom/i18n"
	"github.com/mmzoom/mmzoom/mattermost"
	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/metrics"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/zoom"
)

// app is mmzoom wired together.
type app struct {
	handler http.Handler
	store   store
	// queue applies Zoom events and card refreshes from the durable queue; run it with queue.Run.
	queue *meeting.Processor
	svc   *meeting.Service
	// metrics are served at /metrics; tests read them.
	metrics *metrics.Metrics
	// bg runs request work that outlives its request; run waits for it before the store is closed.
	bg *background
	// mm is the Mattermost client, for serve's check of the bot token at start.
	mm *mattermost.Client
}

// options are the wiring choices tests and the demo make differently from production.
type options struct {
	now        func() time.Time
	httpClient *http.Client
	goFunc     func(func())
	// text is the message catalog when the caller has already read it (nil: build reads it).
	text *i18n.Catalog
}

// build wires mmzoom from cfg. It is the one place that knows every concrete type.
func build(ctx context.Context, cfg *config, logger *slog.Logger, o options) (*app, error) {
	if o.now == nil {
		o.now = time.Now
	}
	if o.httpClient == nil {
		// Concurrent starts keep their connections to Zoom and Mattermost for the next ones instead of
		// opening (and TLS-handshaking) new ones: the default keeps only two idle connections per host.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 256
		// Each connection keeps a read and a write buffer (4 KiB each by default) for as long as it is open,
		// and a burst of starts holds one connection to Zoom and one to Mattermost per start in flight
		// (HTTP/1.1): 16 MiB at 1,000 concurrent starts. Requests and answers are a few KiB of JSON, and
		// larger bodies are read past the buffer, so 1 KiB costs a read or two more per call, not a copy.
		t.ReadBufferSize, t.WriteBufferSize = 1024, 1024
		o.httpClient = &http.Client{Timeout: 30 * time.Second, Transport: t}
	}
	bg := &background{}
	if o.goFunc == nil {
		o.goFunc = bg.Go
	}
	box, err := seal.NewBox(cfg.EncryptionKey, cfg.OldKeys...)
	if err != nil {
		return nil, err
	}
	db, err := parseDatabase(cfg.Database)
	if err != nil {
		return nil, err
	}
	opened, err := openDatabase(ctx, db, box, o.now)
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	store := opened.store
	text := o.text
	if text == nil {
		if text, err = i18n.Load(); err != nil {
			return nil, err
		}
	}
	// Each upstream gets its own client, so that its calls are timed and counted under its own name.
	m := metrics.New(store, o.now, logger)
	base := o.httpClient.Transport
	// The timeout is the transport's (httptimeout.go), not http.Client.Timeout, which costs two goroutines per
	// call in front of a wrapped transport.
	zoomHTTP := &http.Client{Transport: withDeadline(m.Transport("zoom", zoom.Endpoint, base), o.httpClient.Timeout)}
	mmHTTP := &http.Client{Transport: withDeadline(m.Transport("mattermost", mattermost.Endpoint, base), o.httpClient.Timeout)}
	signer := mattermost.NewSigner(deriveKey(cfg.EncryptionKey, "mmzoom button contexts v1"), cfg.SiteURL+"/mattermost/action", o.now)
	mm := mattermost.NewClient(mattermost.ClientConfig{
		BaseURL: cfg.MattermostURL, BotToken: cfg.BotToken, HTTPClient: mmHTTP, Signer: signer, Now: o.now,
		DialogURL: cfg.SiteURL + "/mattermost/dialog",
	})
	var authorizer meeting.Authorizer
	var oauth *zoom.OAuth
	if cfg.Kind != meeting.KindS2S {
		oauth = zoom.NewOAuth(cfg.ClientID, cfg.ClientSecret, cfg.ZoomURL, cfg.SiteURL+"/oauth2/complete", zoomHTTP, o.now)
		authorizer = oauth
	}
	gw := zoom.NewGateway(zoom.GatewayConfig{
		Kind: cfg.Kind, APIURL: cfg.ZoomAPIURL, ZoomURL: cfg.ZoomURL, OAuth: oauth,
		AccountID: cfg.AccountID, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		Store: store, Locker: opened.tokenLocker, HTTPClient: zoomHTTP, Now: o.now, Logger: logger,
	})
	svc := meeting.NewService(meeting.Config{
		Kind: cfg.Kind, SiteURL: cfg.SiteURL, ShowPasscode: cfg.ShowPasscode,
		RecentWindow: cfg.RecentWindow, TrustUnverifiedEmail: cfg.TrustUnverified,
		ShowRecordingPasscode: cfg.ShowRecordingPasscode,
		Defaults:              cfg.Defaults, Policy: meeting.PolicyConfig{BigChannel: cfg.BigChannel}, ClientID: cfg.ClientID,
		After: meeting.AfterMeetingConfig{Summaries: cfg.PostSummaries, Transcripts: cfg.PostTranscripts, Chat: cfg.PostChat,
			MaxFileBytes: cfg.MaxDownloadBytes},
		ReminderLead: cfg.ReminderLead, ReminderInChannel: cfg.ReminderInChannel,
	}, meeting.Deps{
		Zoom: gw, Authorizer: authorizer, Chat: mm, Store: store, Queue: store, Locker: opened.locker, Text: text,
		Schedules: store, Scheduler: gw, Dialogs: mm, ChannelAdmins: mm,
		Escape: mattermost.EscapeText, Now: o.now, Logger: logger, Failures: m,
		Policy: store, Channels: mm, Grants: store,
		After: meeting.AfterMeetingDeps{Replies: store, Summaries: gw, Files: mm, Downloads: zoom.NewDownloader(zoomHTTP, cfg.ZoomURL)},
	})
	m.WatchStarts(svc.StartLoad)
	queue := meeting.NewProcessor(svc, store, cfg.RetryMaxBackoff)
	queue.SetLanes(opened.lanes)
	if cfg.JobLease > 0 {
		queue.SetLease(cfg.JobLease)
	}
	api := httpapi.New(httpapi.Config{
		CommandTokens: cfg.CommandTokens, StartBudget: cfg.StartBudget,
		MattermostURL: cfg.MattermostURL, SecureCookies: strings.HasPrefix(cfg.SiteURL, "https://"),
		PluginBundle: pluginBundle, Metrics: m.Handler(),
	}, httpapi.Deps{
		Service: svc, Store: store, Signer: signer, Responder: mm,
		Webhook: &zoom.Webhook{Secret: cfg.WebhookSecret, Now: o.now}, Text: text, Logger: logger, Go: o.goFunc, Now: o.now,
		Failures: m, Refused: m, Queue: store,
	})
	return &app{handler: m.Middleware(api.Handler()), store: store, queue: queue, svc: svc, mm: mm, metrics: m, bg: bg}, nil
}

// pluginBundle is the webapp plugin (webapp/, copied here by scripts/update-plugin), served for admins.
//
//go:embed plugin/com.mmzoom.meetings.tar.gz
var pluginBundle []byte

// deriveKey derives an independent key for another purpose from the encryption key, so that one secret
// configures mmzoom and no key serves two purposes.
func deriveKey(k seal.Key, purpose string) []byte {
	m := hmac.New(sha256.New, k.Bytes())
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// startError is a failure before mmzoom listens: it never came up, and the message says why.
type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

// serve runs mmzoom until ctx ends (see app.run for the order of a graceful stop). text is the message
// catalog if the caller has read it already (nil: read here). ready, when not nil, is called with the
// listening address. Failures before it listens are *startError values. The store is
// closed last, after everything that uses it has returned.
func serve(ctx context.Context, cfg *config, logger *slog.Logger, text *i18n.Catalog, ready func(addr string)) error {
	a, err := build(ctx, cfg, logger, options{text: text})
	if err != nil {
		return &startError{err}
	}
	defer func() {
		if err := a.store.Close(); err != nil {
			logger.Warn("closing the database failed", "err", err)
			return
		}
		logger.Info("database closed")
	}()
	if err := checkBot(ctx, a.mm, cfg.MattermostURL, logger); err != nil {
		return &startError{err}
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return &startError{err}
	}
	if cfg.DebugAddr != "" {
		dctx, stopDebug := context.WithCancel(ctx)
		defer stopDebug()
		go func() {
			if err := serveDebug(dctx, cfg.DebugAddr, logger); err != nil {
				logger.Warn("the profiler's listener failed", "addr", cfg.DebugAddr, "err", err)
			}
		}()
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("mmzoom listening", "addr", ln.Addr().String(), "site_url", cfg.SiteURL, "zoom_app_kind", string(cfg.Kind))
	if ready != nil {
		ready(ln.Addr().String())
	}
	return a.run(ctx, srv, ln, intervals{queue: time.Second, reconcile: 10 * time.Minute, janitor: time.Minute}, logger)
}

// botCheckTimeout bounds serve's question to Mattermost at start.
const botCheckTimeout = 15 * time.Second

// checkBot asks Mattermost whom the bot token belongs to (GET /api/v4/users/me), once at start: a wrong
// token or URL otherwise shows only later, as every card failing. The error names the variable to fix.
func checkBot(ctx context.Context, mm *mattermost.Client, mattermostURL string, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, botCheckTimeout)
	defer cancel()
	me, err := mm.Me(ctx)
	var mmErr *mattermost.Error
	cause := err // without the domain's "meeting: <kind>:" prefix, which says nothing to an admin
	if e := (*meeting.Error)(nil); errors.As(err, &e) && e.Err != nil {
		cause = e.Err
	}
	switch {
	case err == nil:
	case errors.As(err, &mmErr) && mmErr.StatusCode == http.StatusUnauthorized:
		return &botCheckError{key: "cli.serve.bot_refused", args: []any{"URL", mattermostURL, "ID", mmErr.ID}}
	case errors.As(err, &mmErr):
		return &botCheckError{key: "cli.serve.bot_status", args: []any{"URL", mattermostURL, "Status", mmErr.StatusCode, "ID", mmErr.ID}}
	case meeting.KindOf(err) == meeting.KindChatUnavailable:
		return &botCheckError{key: "cli.serve.mm_unreachable", args: []any{"URL", mattermostURL, "Err", cause}}
	default:
		return &botCheckError{key: "cli.serve.not_mattermost", args: []any{"URL", mattermostURL, "Err", cause}}
	}
	if !me.IsBot {
		logger.Warn("MMZOOM_MATTERMOST_BOT_TOKEN belongs to a user, not a bot account: cards are posted as that user",
			"username", me.Username)
	}
	logger.Info("Mattermost accepts the bot token", "bot", me.Username, "roles", me.Roles)
	return nil
}

// botCheckError is why serve's check of the bot token failed, said in the admin's language when printed
// (text); Error is the English.
type botCheckError struct {
	key  string
	args []any
}

func (e *botCheckError) Error() string { return e.text(cliText{}) }

// text is the message in tx's language.
func (e *botCheckError) text(tx cliText) string { return tx.T(e.key, e.args...) }
