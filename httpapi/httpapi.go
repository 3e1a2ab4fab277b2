// Package httpapi is mmzoom's inbound HTTP adapter: the Mattermost slash command and message buttons, the
// Zoom OAuth redirect endpoints, Zoom's webhook, and health checks. Handlers parse the request, call the
// domain (package meeting) and answer; errors become a status and a translated, safe message in one place
// (userMessage), and everything else about them goes to the log.
package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/mmzoom/mmzoom/mattermost"
	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/zoom"
)

// Store is the part of storage the handlers use directly: request authentication state. (Single-use button
// nonces are spent by the service, which answers a click on an answered question.)
type Store interface {
	BindCommandToken(ctx context.Context, tokenID, teamID string) (string, error)
	Ping(ctx context.Context) error
}

// Responder delivers late answers to a slash command through its response_url.
type Responder interface {
	Respond(ctx context.Context, responseURL string, resp *mattermost.CommandResponse) error
}

// Config is what the handlers need to know.
type Config struct {
	// CommandTokens are the tokens of the /zoom commands, one per team.
	CommandTokens []string
	// StartBudget is how long a slash command waits for Zoom before answering "working on it" and
	// finishing through response_url. Mattermost itself gives up after 30 s.
	StartBudget time.Duration
	// MattermostURL is the Mattermost site URL; a response_url elsewhere is never called.
	MattermostURL string
	// SecureCookies marks cookies Secure (mmzoom's site URL is https).
	SecureCookies bool
	// PluginBundle is the webapp plugin's .tar.gz, served at /plugin/com.mmzoom.meetings.tar.gz for admins
	// to download and upload into Mattermost.
	PluginBundle []byte
	// Metrics, when set, is served at GET /metrics (Prometheus' text format).
	Metrics http.Handler
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg       Config
	svc       *meeting.Service
	store     Store
	signer    *mattermost.Signer
	responder Responder
	webhook   *zoom.Webhook
	text      meeting.Translator
	log       *slog.Logger
	// bg runs work that outlives a request (a slow start finishing through response_url).
	bg  func(func())
	now func() time.Time

	failures meeting.Failures
	refused  WebhookRefusals
	queue    meeting.QueueStatser
}

// Deps are the Server's collaborators.
type Deps struct {
	Service   *meeting.Service
	Store     Store
	Signer    *mattermost.Signer
	Responder Responder
	Webhook   *zoom.Webhook
	Text      meeting.Translator
	Logger    *slog.Logger
	// Go runs f in the background; nil means a plain goroutine. Tests pass one they can wait for.
	Go func(f func())
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Failures counts errors answered to a request by kind; Refused counts webhooks refused before they
	// reached the domain, by reason. nil counts nothing.
	Failures meeting.Failures
	Refused  WebhookRefusals
	// Queue, when set, has /readyz report the queue's depth, age and dead letters.
	Queue meeting.QueueStatser
}

// New returns a Server.
func New(cfg Config, d Deps) *Server {
	if cfg.StartBudget <= 0 {
		cfg.StartBudget = 2500 * time.Millisecond
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Go == nil {
		d.Go = func(f func()) { go f() }
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Failures == nil {
		d.Failures = uncounted{}
	}
	if d.Refused == nil {
		d.Refused = uncounted{}
	}
	return &Server{cfg: cfg, svc: d.Service, store: d.Store, signer: d.Signer, responder: d.Responder,
		webhook: d.Webhook, text: d.Text, log: d.Logger, bg: d.Go, now: d.Now, failures: d.Failures, refused: d.Refused, queue: d.Queue}
}

// Handler routes mmzoom's endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /mattermost/command", s.command)
	mux.HandleFunc("POST /mattermost/action", s.action)
	mux.HandleFunc("POST /mattermost/dialog", s.dialog)
	mux.HandleFunc("GET /oauth2/connect", s.connectPage)
	mux.HandleFunc("POST /oauth2/connect", s.connect)
	mux.HandleFunc("GET /oauth2/complete", s.complete)
	mux.HandleFunc("POST /zoom/webhook", s.zoomWebhook)
	mux.HandleFunc("GET /plugin/com.mmzoom.meetings.tar.gz", s.pluginBundle)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	if s.cfg.Metrics != nil {
		mux.Handle("GET /metrics", s.cfg.Metrics)
	}
	return mux
}

// pluginBundle serves the webapp plugin for an admin to download and upload in System Console → Plugins.
func (s *Server) pluginBundle(w http.ResponseWriter, r *http.Request) {
	if len(s.cfg.PluginBundle) == 0 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", `attachment; filename="com.mmzoom.meetings.tar.gz"`)
	_, _ = w.Write(s.cfg.PluginBundle)
}

// knownToken reports whether tok is one of the configured command tokens, comparing in constant time and
// against every token so that timing says nothing about which one matched.
func (s *Server) knownToken(tok string) bool {
	ok := 0
	for _, t := range s.cfg.CommandTokens {
		ok |= subtle.ConstantTimeCompare([]byte(tok), []byte(t))
	}
	return ok == 1 && tok != ""
}

// tokenID names a command token in storage without storing the token.
func tokenID(tok string) string {
	h := sha256.Sum256([]byte("mmzoom-command-token:" + tok))
	return hex.EncodeToString(h[:16])
}

// userMessage turns an error into the message a user sees: the one place where errors meet users.
func (s *Server) userMessage(locale string, err error) string {
	var e *meeting.Error
	if !errors.As(err, &e) {
		return s.text.T(locale, "error.internal")
	}
	switch e.Kind {
	case meeting.KindZoomUserNotFound, meeting.KindEmailUntrusted, meeting.KindZoomAccountTaken, meeting.KindZoomNotAccountAdmin:
		return s.text.T(locale, "error."+string(e.Kind), "Email", e.Email)
	case meeting.KindZoomRejected:
		if e.Message == "" {
			return s.text.T(locale, "error.zoom_unavailable")
		}
		return s.text.T(locale, "error.zoom_rejected", "Message", e.Message)
	}
	return s.text.T(locale, "error."+string(e.Kind))
}

// maxRepeated bounds a field copied from a request into a log line or a reply, in characters.
const maxRepeated = 64

// clip bounds text that came with a request (ids, a sub-command) before mmzoom repeats it in a log line or a
// reply: anyone can send a request whose team_id is 60 KB long, and every line logging it would carry it.
// Longer text is cut at a character boundary and ends in "…". The log handler quotes what remains, so a
// value cannot start a line of its own.
func clip(s string) string {
	if len(s) <= maxRepeated {
		return s
	}
	n := 0
	for i := range s {
		if n == maxRepeated {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// logError logs err at the level its kind has in meeting's Handling table (what users cause is info, what
// breaks is error) and counts it by kind for the metrics; where names the endpoint ("command", "webhook").
func (s *Server) logError(ctx context.Context, where, msg string, err error, attrs ...any) {
	kind := meeting.KindOf(err)
	s.failures.Failure(where, kind)
	s.log.Log(ctx, meeting.HandlingOf(kind).Level, msg, append(attrs, "err", err)...)
}
