package meeting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Translator gives a message in a locale; *i18n.Catalog implements it.
type Translator interface {
	T(locale, key string, args ...any) string
}

// Config is the part of mmzoom's configuration the domain rules depend on.
type Config struct {
	Kind    AppKind
	SiteURL string // mmzoom's public base URL, for connect links
	// ShowPasscode shows the meeting passcode on cards. Cards always show it when Zoom strips it from the
	// join link (the account's embed_password_in_join_link is off), since nobody could join otherwise.
	ShowPasscode bool
	// RecentWindow is how long a card that has not ended still counts as a running meeting for the
	// "join it or start another?" question. Past it a card counts as ended even without Zoom's word.
	// Zero or less turns the question off.
	RecentWindow time.Duration
	// TrustUnverifiedEmail lets account and s2s kinds match users by an e-mail that Mattermost never
	// verified. Off by default: a user who can set their own e-mail could otherwise act as someone else.
	TrustUnverifiedEmail bool
	// ShowRecordingPasscode adds a recording's passcode to the thread reply announcing it.
	ShowRecordingPasscode bool
	// Defaults are the admin's meeting options and which of them users may change (options.go).
	Defaults MeetingDefaults
	// Policy is where meetings may start and when to confirm first (policy.go).
	Policy PolicyConfig
	// ClientID is the configured Zoom app's client ID: a token issued to another app is unusable (grants.go).
	ClientID string
	// After says what is posted in a card's thread after the meeting (summary, transcript, chat).
	After AfterMeetingConfig
	// ReminderLead is how long before each start of a scheduled meeting a reminder is posted; zero or less
	// turns reminders off.
	ReminderLead time.Duration
	// ReminderInChannel posts reminders in the channel rather than in the scheduled card's thread.
	ReminderInChannel bool
	// StartConcurrency is how many starts may run at once (DefaultStartConcurrency when zero or less).
	StartConcurrency int
}

// Deps are the service's collaborators.
type Deps struct {
	Zoom       Zoom
	Authorizer Authorizer // nil in the s2s kind
	Chat       Chat
	Store      Store
	// Queue, when set, makes Zoom events and card refreshes durable jobs (see Processor); without it they
	// are applied at once.
	Queue Queue
	// Locker keeps the events of one meeting in order, and periodic jobs to one process at a time, across
	// every process sharing the store; nil means a LocalLocker (one process).
	Locker Locker
	Text   Translator
	// Schedules, Scheduler and Dialogs make `/zoom schedule`, `/zoom list` and subscriptions work; without
	// them those commands say they are not available.
	Schedules ScheduleStore
	Scheduler ZoomScheduler
	Dialogs   Dialogs
	// ChannelAdmins lets channel admins subscribe a channel to a meeting someone else hosts.
	ChannelAdmins ChannelAdmins
	// Escape makes user input inert where it is posted (no mentions, no links); the Mattermost adapter
	// provides it because what is inert depends on Mattermost's Markdown.
	Escape func(string) string
	// Policy and Channels, when both set, enforce the channel policy (policy.go); Grants, when set, records
	// which Zoom app issued each token and when it was last used (grants.go).
	Policy   PolicyStore
	Channels ChannelInspector
	Grants   GrantStore
	Now      func() time.Time
	Logger   *slog.Logger
	// After posts what a meeting left behind (summary, transcript, chat); nil parts turn that off.
	After AfterMeetingDeps
	// Failures counts failed jobs by kind (nil counts nothing).
	Failures Failures
}

// Service carries out what users ask of mmzoom.
type Service struct {
	cfg Config
	Deps
	// wakeQueue tells the queue's processor that a job is due (set by NewProcessor).
	wakeQueue func()
	// startSlots bounds the starts in flight; startsWaiting counts those waiting for a slot (start.go).
	startSlots    chan struct{}
	startsWaiting atomic.Int64
	// replyMu lets one post at a time be between its post and its record (postRecorded).
	replyMu sync.Mutex
}

// NewService returns a Service. Every dependency is required except Authorizer in the s2s kind.
func NewService(cfg Config, d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Locker == nil {
		d.Locker = &LocalLocker{}
	}
	if d.Escape == nil {
		d.Escape = func(s string) string { return s }
	}
	if d.Failures == nil {
		d.Failures = noFailures{}
	}
	if cfg.StartConcurrency <= 0 {
		cfg.StartConcurrency = DefaultStartConcurrency
	}
	return &Service{cfg: cfg, Deps: d, startSlots: make(chan struct{}, cfg.StartConcurrency)}
}

// Kind is the configured Zoom app kind.
func (s *Service) Kind() AppKind { return s.cfg.Kind }

// Locale returns a user's Mattermost locale, or "" when it cannot be looked up (callers fall back to English).
func (s *Service) Locale(ctx context.Context, userID string) string {
	u, err := s.Chat.User(ctx, userID)
	if err != nil {
		return ""
	}
	return u.Locale
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
