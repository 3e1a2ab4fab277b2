package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
)

// config is mmzoom's whole configuration. The environment variables are the public contract (README table);
// MMZOOM_CONFIG may name a JSON file with the finer settings (fileConfig).
type config struct {
	Listen          string
	SiteURL         string
	Database        string
	EncryptionKey   seal.Key
	OldKeys         []seal.Key
	MattermostURL   string
	BotToken        string
	CommandTokens   []string
	Kind            meeting.AppKind
	ClientID        string
	ClientSecret    string
	AccountID       string
	WebhookSecret   string
	ZoomURL         string
	ZoomAPIURL      string
	ShowPasscode    bool
	RecentWindow    time.Duration
	TrustUnverified bool
	// ShowRecordingPasscode adds a cloud recording's passcode to the thread reply announcing it.
	ShowRecordingPasscode bool
	// RetryMaxBackoff is the longest wait between attempts of a card update Mattermost refused.
	RetryMaxBackoff time.Duration
	StartBudget     time.Duration
	LogLevel        string
	// Defaults are the admin's Zoom meeting options (config_policy.go).
	Defaults meeting.MeetingDefaults
	// BigChannel is the member count above which /zoom start asks first (0: never).
	BigChannel int
	// After the meeting: post Zoom's AI Companion summary, the transcript and the meeting chat in the card's
	// thread (summaries and transcripts on by default, chat off), downloading at most MaxDownloadBytes.
	PostSummaries, PostTranscripts, PostChat bool
	MaxDownloadBytes                         int64
	// JobLease is how long a replica may work on a claimed job before another may take it over (0: the
	// processor's default).
	JobLease time.Duration
	// ReminderLead is how long before each start of a scheduled meeting a reminder is posted (0: none).
	ReminderLead time.Duration
	// ReminderInChannel posts reminders in the channel instead of the scheduled card's thread.
	ReminderInChannel bool
	// DebugAddr, when set (MMZOOM_DEBUG_ADDR), is where Go's profiler (net/http/pprof) is served, apart
	// from the public listener; empty (the default) serves no profiler at all.
	DebugAddr string
}

// fileConfig is the optional JSON configuration file.
type fileConfig struct {
	ShowPasscode         *bool  `json:"show_passcode"`
	RecentMeetingWindow  string `json:"recent_meeting_window"`
	TrustUnverifiedEmail *bool  `json:"trust_unverified_email"`
	ShowRecordingPass    *bool  `json:"show_recording_passcode"`
	RetryMaxBackoff      string `json:"retry_max_backoff"`
	StartBudget          string `json:"start_budget"`
	LogLevel             string `json:"log_level"`
	// MeetingDefaults and BigChannelThreshold: see config_policy.go.
	MeetingDefaults     *meetingDefaultsFile `json:"meeting_defaults"`
	BigChannelThreshold *int                 `json:"big_channel_threshold"`
	// BotToken and CommandTokens are what mmzoom setup writes (the file is then mode 0600); the
	// environment variables, when set, take precedence.
	BotToken          string            `json:"mattermost_bot_token,omitempty"`
	CommandTokens     map[string]string `json:"mattermost_command_tokens,omitempty"` // team name → token
	PostSummaries     *bool             `json:"post_summaries"`
	PostTranscripts   *bool             `json:"post_transcripts"`
	PostMeetingChat   *bool             `json:"post_meeting_chat"`
	MaxDownloadMB     *int64            `json:"max_download_mb"`
	JobLease          string            `json:"job_lease"`
	ReminderMinutes   *int              `json:"reminder_minutes"`
	ReminderInChannel *bool             `json:"reminder_in_channel"`
}

// loadConfig reads the configuration from getenv (and the file it names). It returns every problem found,
// one line each, naming the variable; no problem line ever contains a secret's value.
func loadConfig(getenv func(string) string, readFile func(string) ([]byte, error)) (*config, []string) {
	return loadConfigIn(cliText{}, getenv, readFile)
}

// loadConfigIn is loadConfig with the problems in the admin's language (tx).
func loadConfigIn(tx cliText, getenv func(string) string, readFile func(string) ([]byte, error)) (*config, []string) {
	tx = tx.orEnglish()
	var problems []string
	bad := func(key string, args ...any) { problems = append(problems, tx.T(key, args...)) }
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := &config{
		Listen:        get("MMZOOM_LISTEN", ":8090"),
		SiteURL:       strings.TrimRight(get("MMZOOM_SITE_URL", ""), "/"),
		Database:      get("MMZOOM_DATABASE", "sqlite://mmzoom.db"),
		MattermostURL: strings.TrimRight(get("MMZOOM_MATTERMOST_URL", ""), "/"),
		BotToken:      get("MMZOOM_MATTERMOST_BOT_TOKEN", ""),
		Kind:          meeting.AppKind(get("MMZOOM_ZOOM_APP_KIND", "")),
		ClientID:      get("MMZOOM_ZOOM_CLIENT_ID", ""),
		ClientSecret:  get("MMZOOM_ZOOM_CLIENT_SECRET", ""),
		AccountID:     get("MMZOOM_ZOOM_ACCOUNT_ID", ""),
		WebhookSecret: get("MMZOOM_ZOOM_WEBHOOK_SECRET", ""),
		ZoomURL:       strings.TrimRight(get("MMZOOM_ZOOM_URL", "https://zoom.us"), "/"),
		ZoomAPIURL:    strings.TrimRight(get("MMZOOM_ZOOM_API_URL", "https://api.zoom.us/v2"), "/"),
		ShowPasscode:  true,
		RecentWindow:  3 * time.Hour,
		StartBudget:   2500 * time.Millisecond,
		LogLevel:      "info",
		BigChannel:    meeting.DefaultBigChannel,
		PostSummaries: true, PostTranscripts: true, MaxDownloadBytes: meeting.DefaultMaxFileBytes,
		ReminderLead: meeting.DefaultReminderLead,
		DebugAddr:    get("MMZOOM_DEBUG_ADDR", ""),
	}
	for _, t := range strings.Split(getenv("MMZOOM_MATTERMOST_COMMAND_TOKENS"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.CommandTokens = append(c.CommandTokens, t)
		}
	}
	required := func(name, value string) {
		if value == "" {
			bad("cli.config.required", "Name", name)
		}
	}
	checkURL := func(name, value string) {
		if value == "" {
			return
		}
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			bad("cli.config.bad_url", "Name", name, "Value", strconv.Quote(redactDSN(value)))
		}
	}
	required("MMZOOM_SITE_URL", c.SiteURL)
	checkURL("MMZOOM_SITE_URL", c.SiteURL)
	required("MMZOOM_MATTERMOST_URL", c.MattermostURL)
	checkURL("MMZOOM_MATTERMOST_URL", c.MattermostURL)
	checkURL("MMZOOM_ZOOM_URL", c.ZoomURL)
	checkURL("MMZOOM_ZOOM_API_URL", c.ZoomAPIURL)
	required("MMZOOM_ZOOM_WEBHOOK_SECRET", c.WebhookSecret)
	switch {
	case c.Kind == "":
		bad("cli.config.kind_required")
	case !c.Kind.Valid():
		bad("cli.config.kind_bad", "Value", strconv.Quote(string(c.Kind)))
	}
	required("MMZOOM_ZOOM_CLIENT_ID", c.ClientID)
	required("MMZOOM_ZOOM_CLIENT_SECRET", c.ClientSecret)
	if c.Kind == meeting.KindS2S {
		required("MMZOOM_ZOOM_ACCOUNT_ID", c.AccountID)
	}
	if raw := getenv("MMZOOM_ENCRYPTION_KEY"); raw == "" {
		bad("cli.config.key_required")
	} else if k, err := seal.ParseKey(strings.TrimSpace(raw)); err != nil {
		bad("cli.config.key_invalid", "Err", err)
	} else {
		c.EncryptionKey = k
	}
	for i, raw := range strings.Split(getenv("MMZOOM_ENCRYPTION_OLD_KEYS"), ",") {
		if raw = strings.TrimSpace(raw); raw == "" {
			continue
		}
		k, err := seal.ParseKey(raw)
		if err != nil {
			bad("cli.config.old_key_invalid", "N", i+1, "Err", err)
			continue
		}
		c.OldKeys = append(c.OldKeys, k)
	}
	if _, err := parseDatabase(c.Database); err != nil {
		problems = append(problems, databaseProblem(tx, err))
	}
	if path := getenv("MMZOOM_CONFIG"); path != "" {
		problems = append(problems, c.applyFile(tx, path, readFile)...)
	}
	if c.BotToken == "" {
		bad("cli.config.bot_token_required")
	}
	if len(c.CommandTokens) == 0 {
		bad("cli.config.command_tokens_required")
	}
	return c, problems
}

// applyFile applies the JSON configuration file at path.
func (c *config) applyFile(tx cliText, path string, readFile func(string) ([]byte, error)) []string {
	b, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return []string{tx.T("cli.config.file_missing", "Path", path)}
	}
	if err != nil {
		return []string{tx.T("cli.config.file_unreadable", "Path", path, "Err", err)}
	}
	var f fileConfig
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return []string{tx.T("cli.config.file_invalid", "Path", path, "Err", err)}
	}
	var problems []string
	dur := func(name, v string, into *time.Duration) {
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			problems = append(problems, tx.T("cli.config.bad_duration", "Name", name, "Value", strconv.Quote(v)))
			return
		}
		*into = d
	}
	if f.ShowPasscode != nil {
		c.ShowPasscode = *f.ShowPasscode
	}
	if f.TrustUnverifiedEmail != nil {
		c.TrustUnverified = *f.TrustUnverifiedEmail
	}
	if f.ShowRecordingPass != nil {
		c.ShowRecordingPasscode = *f.ShowRecordingPass
	}
	// The environment wins over what setup wrote, so an admin can override a token without editing the file.
	if c.BotToken == "" {
		c.BotToken = strings.TrimSpace(f.BotToken)
	}
	if len(c.CommandTokens) == 0 {
		teams := make([]string, 0, len(f.CommandTokens))
		for team := range f.CommandTokens {
			teams = append(teams, team)
		}
		sort.Strings(teams) // a stable order for the same file
		for _, team := range teams {
			if t := strings.TrimSpace(f.CommandTokens[team]); t != "" {
				c.CommandTokens = append(c.CommandTokens, t)
			}
		}
	}
	for _, b := range []struct {
		v    *bool
		into *bool
	}{{f.PostSummaries, &c.PostSummaries}, {f.PostTranscripts, &c.PostTranscripts}, {f.PostMeetingChat, &c.PostChat}} {
		if b.v != nil {
			*b.into = *b.v
		}
	}
	if f.MaxDownloadMB != nil {
		if *f.MaxDownloadMB < 1 || *f.MaxDownloadMB > 1024 {
			problems = append(problems, tx.T("cli.config.bad_max_download", "Value", *f.MaxDownloadMB))
		} else {
			c.MaxDownloadBytes = *f.MaxDownloadMB << 20
		}
	}
	if m := f.ReminderMinutes; m != nil {
		if *m < 0 || *m > 24*60 {
			problems = append(problems, tx.T("cli.config.bad_reminder_minutes", "Value", *m))
		} else {
			c.ReminderLead = time.Duration(*m) * time.Minute
		}
	}
	if f.ReminderInChannel != nil {
		c.ReminderInChannel = *f.ReminderInChannel
	}
	dur("recent_meeting_window", f.RecentMeetingWindow, &c.RecentWindow)
	dur("start_budget", f.StartBudget, &c.StartBudget)
	dur("retry_max_backoff", f.RetryMaxBackoff, &c.RetryMaxBackoff)
	problems = append(problems, c.applyPolicy(tx, f)...)
	dur("job_lease", f.JobLease, &c.JobLease)
	switch f.LogLevel {
	case "":
	case "debug", "info", "warn", "error":
		c.LogLevel = f.LogLevel
	default:
		problems = append(problems, tx.T("cli.config.bad_log_level", "Value", strconv.Quote(f.LogLevel)))
	}
	return problems
}

// redactDSN hides a password in a database URL.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// environ is the configuration as the environment variables serve reads (for running mmzoom as a child
// process); configFile names a JSON file with the file settings.
func (c *config) environ(configFile string) []string {
	env := []string{
		"MMZOOM_LISTEN=" + c.Listen, "MMZOOM_SITE_URL=" + c.SiteURL, "MMZOOM_DATABASE=" + c.Database,
		"MMZOOM_ENCRYPTION_KEY=" + base64.StdEncoding.EncodeToString(c.EncryptionKey.Bytes()),
		"MMZOOM_MATTERMOST_URL=" + c.MattermostURL, "MMZOOM_MATTERMOST_BOT_TOKEN=" + c.BotToken,
		"MMZOOM_MATTERMOST_COMMAND_TOKENS=" + strings.Join(c.CommandTokens, ","), "MMZOOM_ZOOM_APP_KIND=" + string(c.Kind),
		"MMZOOM_ZOOM_CLIENT_ID=" + c.ClientID, "MMZOOM_ZOOM_CLIENT_SECRET=" + c.ClientSecret, "MMZOOM_ZOOM_ACCOUNT_ID=" + c.AccountID,
		"MMZOOM_ZOOM_WEBHOOK_SECRET=" + c.WebhookSecret, "MMZOOM_ZOOM_URL=" + c.ZoomURL, "MMZOOM_ZOOM_API_URL=" + c.ZoomAPIURL,
	}
	if configFile != "" {
		env = append(env, "MMZOOM_CONFIG="+configFile)
	}
	return env
}
