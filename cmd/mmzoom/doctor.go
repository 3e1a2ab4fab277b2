package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/httpapi"
	"github.com/mmzoom/mmzoom/mattermost"
	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sqlite"
	"github.com/mmzoom/mmzoom/zoom"
)

// doctorFlags are mmzoom doctor's flags.
type doctorFlags struct {
	json     *bool
	zoomUser *string
}

func newDoctorFlags(f *flag.FlagSet) doctorFlags {
	return doctorFlags{
		json:     f.Bool("json", false, "print the checks as JSON (for monitoring)"),
		zoomUser: f.String("zoom-user", "", "an e-mail address to look up in Zoom, as /zoom start does for that user (account and s2s apps)"),
	}
}

// checkStatus is a check's outcome.
type checkStatus string

const (
	checkOK   checkStatus = "ok"
	checkFail checkStatus = "fail"
	checkWarn checkStatus = "warn"
)

// check is one line of doctor's report. Name is a stable English key for monitoring (--json); label is the
// name in the admin's language, for the text report.
type check struct {
	Name   string      `json:"name"`
	Status checkStatus `json:"status"`
	Detail string      `json:"detail"`
	Fix    string      `json:"fix,omitempty"`
	label  string
}

// doctorReport is every check, in order.
type doctorReport struct {
	OK     bool    `json:"ok"`
	Checks []check `json:"checks"`
	text   cliText
}

func (r *doctorReport) add(name string, st checkStatus, detail, fix string) {
	r.Checks = append(r.Checks, check{Name: name, Status: st, Detail: detail, Fix: fix, label: r.label(name)})
}

// label is a check's name in the admin's language: "command token 2" is the key cli.doctor.check.command_token
// with its number, "bot token" is cli.doctor.check.bot_token.
func (r *doctorReport) label(name string) string {
	if n, ok := strings.CutPrefix(name, "command token "); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		return r.text.T("cli.doctor.check.command_token", "N", n)
	}
	key := "cli.doctor.check." + strings.ReplaceAll(strings.ToLower(name), " ", "_")
	if !r.text.has(key) {
		return name
	}
	return r.text.T(key)
}
func (r *doctorReport) ok(name, detail string)        { r.add(name, checkOK, detail, "") }
func (r *doctorReport) fail(name, detail, fix string) { r.add(name, checkFail, detail, fix) }
func (r *doctorReport) warn(name, detail, fix string) { r.add(name, checkWarn, detail, fix) }

// print writes one line per check.
func (r *doctorReport) print(w io.Writer) {
	for _, c := range r.Checks {
		mark := map[checkStatus]string{checkOK: "✔", checkFail: "✘", checkWarn: "!"}[c.Status]
		name := c.label
		if name == "" {
			name = c.Name
		}
		line := mark + " " + name + ": " + c.Detail
		if c.Fix != "" {
			line += " → " + c.Fix
		}
		fmt.Fprintln(w, line)
	}
}

// doctorDeps are what runDoctor takes from its caller besides the environment.
type doctorDeps struct {
	httpClient *http.Client
	now        func() time.Time
	readFile   func(string) ([]byte, error)
	// text is the language of the report (the zero value is English); --json keeps English names.
	text cliText
}

// errDoctorFailed says a check failed; its line was printed.
var errDoctorFailed = errors.New("a check failed")

// runDoctor is mmzoom doctor.
func runDoctor(ctx context.Context, fl doctorFlags, getenv func(string) string, stdout io.Writer, d doctorDeps) error {
	if d.httpClient == nil {
		d.httpClient = &http.Client{Timeout: 15 * time.Second}
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.readFile == nil {
		d.readFile = os.ReadFile
	}
	tx := d.text.orEnglish()
	r := &doctorReport{text: tx}
	dc := &doctor{report: r, deps: d, tx: tx, zoomUser: strings.TrimSpace(*fl.zoomUser), adminToken: strings.TrimSpace(getenv("MMZOOM_MATTERMOST_ADMIN_TOKEN"))}
	dc.cfg, dc.problems = loadConfig(getenv, d.readFile)
	dc.run(ctx)
	r.OK = true
	for _, c := range r.Checks {
		r.OK = r.OK && c.Status != checkFail
	}
	if *fl.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		r.print(stdout)
	}
	if !r.OK {
		return errDoctorFailed
	}
	return nil
}

// doctor runs the checks against one configuration.
type doctor struct {
	report     *doctorReport
	deps       doctorDeps
	cfg        *config
	problems   []string
	zoomUser   string
	adminToken string

	health *sqlite.Health
	bot    *meeting.ChatUser
	mm     *mattermost.Client
	tx     cliText
}

// t is a message in the admin's language.
func (dc *doctor) t(key string, args ...any) string { return dc.tx.T(key, args...) }

func (dc *doctor) run(ctx context.Context) {
	r, cfg := dc.report, dc.cfg
	if len(dc.problems) == 0 {
		r.ok("configuration", dc.t("cli.doctor.config_ok", "Kind", cfg.Kind))
	} else {
		r.fail("configuration", strings.Join(dc.problems, dc.t("cli.problem_separator")), dc.t("cli.doctor.config_fix"))
	}
	dc.database(ctx)
	dc.mattermost(ctx)
	dc.commands(ctx)
	dc.emailTrust(ctx)
	dc.zoom(ctx)
	dc.webhook(ctx)
	dc.queue()
}

func (dc *doctor) database(ctx context.Context) {
	r, cfg := dc.report, dc.cfg
	if cfg.EncryptionKey.Bytes() == nil {
		r.fail("encryption key", dc.t("cli.doctor.key_missing"), dc.t("cli.doctor.key_missing_fix"))
		return
	}
	box, err := seal.NewBox(cfg.EncryptionKey, cfg.OldKeys...)
	if err != nil {
		r.fail("encryption key", err.Error(), dc.t("cli.doctor.key_invalid_fix"))
		return
	}
	path, ok := strings.CutPrefix(cfg.Database, "sqlite://")
	if !ok || path == "" {
		r.fail("database", dc.t("cli.doctor.db_not_sqlite"), dc.t("cli.doctor.db_not_sqlite_fix"))
		return
	}
	ictx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	h, err := sqlite.Inspect(ictx, path, box)
	switch {
	case sqlite.IsMissing(err):
		r.fail("database", dc.t("cli.doctor.db_missing", "Path", path), dc.t("cli.doctor.db_missing_fix"))
		return
	case err != nil:
		r.fail("database", dc.t("cli.doctor.db_unreadable", "Path", path, "Err", err), dc.t("cli.doctor.db_unreadable_fix"))
		return
	case len(h.Pending) > 0:
		r.fail("database", dc.t("cli.doctor.db_pending", "Path", path, "Count", len(h.Pending), "List", strings.Join(h.Pending, ", ")),
			dc.t("cli.doctor.db_pending_fix"))
		return
	}
	dc.health = h
	r.ok("database", dc.t("cli.doctor.db_ok", "Path", path))
	switch {
	case !h.SealedChecked:
		r.ok("encryption key", dc.t("cli.doctor.key_unchecked"))
	case h.SealedOpen:
		r.ok("encryption key", dc.t("cli.doctor.key_ok"))
	default:
		r.fail("encryption key", dc.t("cli.doctor.key_wrong"), dc.t("cli.doctor.key_wrong_fix"))
	}
}

func (dc *doctor) mattermost(ctx context.Context) {
	r, cfg := dc.report, dc.cfg
	if cfg.MattermostURL == "" {
		return // the configuration line names it
	}
	dc.mm = mattermost.NewClient(mattermost.ClientConfig{BaseURL: cfg.MattermostURL, BotToken: cfg.BotToken, HTTPClient: dc.deps.httpClient, Now: dc.deps.now})
	version, err := dc.mm.Ping(ctx)
	if err != nil {
		r.fail("Mattermost", dc.t("cli.doctor.mm_unreachable", "URL", cfg.MattermostURL, "Err", plainError(err)), dc.t("cli.doctor.mm_unreachable_fix"))
		dc.mm = nil
		return
	}
	r.ok("Mattermost", dc.t("cli.doctor.mm_ok", "URL", cfg.MattermostURL, "Version", version))
	if cfg.BotToken == "" {
		return
	}
	me, err := dc.mm.Me(ctx)
	if e, ok := mattermost.MattermostError(err); ok && e.StatusCode == http.StatusUnauthorized {
		r.fail("bot token", dc.t("cli.doctor.bot_refused"), dc.t("cli.doctor.bot_refused_fix"))
		return
	}
	if err != nil {
		r.fail("bot token", dc.t("cli.doctor.cannot_check", "Err", plainError(err)), dc.t("cli.setup.fix_up"))
		return
	}
	dc.bot = me
	if !me.IsBot {
		r.warn("bot token", dc.t("cli.doctor.bot_is_person", "User", me.Username), dc.t("cli.doctor.bot_is_person_fix"))
	} else {
		r.ok("bot token", dc.t("cli.doctor.bot_ok", "User", me.Username))
	}
	roles := strings.Fields(me.Roles)
	has := func(role string) bool {
		for _, x := range roles {
			if x == role {
				return true
			}
		}
		return false
	}
	switch {
	case has("system_admin"):
		r.warn("bot roles", dc.t("cli.doctor.roles_broad", "Roles", strconv.Quote(me.Roles)), dc.t("cli.doctor.roles_fix"))
	case has("system_post_all"):
		r.ok("bot roles", fmt.Sprintf("%q", me.Roles))
	default:
		r.warn("bot roles", dc.t("cli.doctor.roles_narrow", "Roles", strconv.Quote(me.Roles)), dc.t("cli.doctor.roles_fix"))
	}
	teams, err := dc.mm.MyTeams(ctx)
	if err != nil {
		r.fail("bot teams", dc.t("cli.doctor.teams_failed", "Err", plainError(err)), dc.t("cli.setup.fix_up"))
		return
	}
	var names []string
	in := map[string]bool{}
	for _, t := range teams {
		names = append(names, t.Name)
		in[t.ID] = true
	}
	sort.Strings(names)
	var missing []string
	if dc.health != nil {
		for _, team := range dc.health.CommandTeams {
			if !in[team] {
				missing = append(missing, team)
			}
		}
	}
	sort.Strings(missing)
	switch {
	case len(missing) > 0:
		r.fail("bot teams", dc.t("cli.doctor.teams_missing", "Teams", strings.Join(missing, ", ")), dc.t("cli.doctor.teams_missing_fix"))
	case len(teams) == 0:
		r.fail("bot teams", dc.t("cli.doctor.teams_none"), dc.t("cli.doctor.teams_none_fix"))
	default:
		r.ok("bot teams", dc.t("cli.doctor.teams_ok", "Teams", strings.Join(names, ", ")))
	}
}

// commands checks each configured command token: known to Mattermost as a /zoom command calling mmzoom
// (with an admin token), and bound to the team it is registered in.
func (dc *doctor) commands(ctx context.Context) {
	r, cfg := dc.report, dc.cfg
	type found struct {
		team mattermost.Team
		cmd  mattermost.Command
	}
	var known map[string]found
	if dc.adminToken != "" && cfg.MattermostURL != "" && dc.mm != nil {
		admin := mattermost.NewAdmin(cfg.MattermostURL, dc.adminToken, dc.deps.httpClient)
		teams, err := admin.Teams(ctx)
		if err != nil {
			r.fail("command tokens", dc.t("cli.doctor.admin_teams_failed", "Err", plainError(err)), dc.t("cli.doctor.admin_teams_fix"))
			return
		}
		known = map[string]found{}
		for _, t := range teams {
			cmds, err := admin.Commands(ctx, t.ID)
			if e, ok := mattermost.MattermostError(err); ok && e.StatusCode == http.StatusNotImplemented {
				// Mattermost answers 501 to the listing when custom commands are off: /zoom cannot work.
				r.fail("command tokens", dc.t("cli.doctor.commands_off"), dc.t("cli.doctor.commands_off_fix"))
				return
			}
			if err != nil {
				r.fail("command tokens", dc.t("cli.doctor.commands_failed", "Team", t.Name, "Err", plainError(err)), dc.t("cli.doctor.admin_token_fix"))
				return
			}
			for _, c := range cmds {
				known[c.Token] = found{t, c}
			}
			if shadowed, err := admin.CommandShadowed(ctx, t.ID, "zoom"); err == nil && shadowed {
				r.fail("command tokens", dc.t("cli.doctor.shadowed", "Team", t.Name), dc.t(mattermost.ShadowedAdviceKey))
			}
		}
	}
	for i, tok := range cfg.CommandTokens {
		name := fmt.Sprintf("command token %d", i+1)
		bound := ""
		if dc.health != nil {
			bound = dc.health.CommandTeams[httpapi.CommandTokenID(tok)]
		}
		if known == nil {
			if bound != "" {
				r.ok(name, dc.t("cli.doctor.token_bound", "Team", bound))
			} else {
				r.warn(name, dc.t("cli.doctor.token_unused"), dc.t("cli.doctor.token_unused_fix"))
			}
			continue
		}
		f, ok := known[tok]
		want := cfg.SiteURL + mattermost.CommandPath
		switch {
		case !ok:
			r.fail(name, dc.t("cli.doctor.token_unknown"), dc.t("cli.doctor.token_unknown_fix"))
		case f.cmd.URL != want:
			r.fail(name, dc.t("cli.doctor.token_wrong_url", "Trigger", f.cmd.Trigger, "Team", f.team.Name, "URL", f.cmd.URL, "Want", want), dc.t("cli.doctor.token_wrong_url_fix"))
		case bound != "" && bound != f.team.ID:
			r.fail(name, dc.t("cli.doctor.token_other_team", "Trigger", f.cmd.Trigger, "Team", f.team.Name, "Bound", bound), dc.t("cli.doctor.token_other_team_fix"))
		default:
			r.ok(name, dc.t("cli.doctor.token_ok", "Trigger", f.cmd.Trigger, "Team", f.team.Name, "URL", want))
		}
	}
}

func (dc *doctor) emailTrust(ctx context.Context) {
	r, cfg := dc.report, dc.cfg
	switch {
	case cfg.Kind == meeting.KindUser:
		r.ok("e-mail trust", dc.t("cli.doctor.email_not_needed"))
		return
	case !cfg.Kind.Valid():
		return
	case cfg.TrustUnverified:
		r.ok("e-mail trust", dc.t("cli.doctor.email_trusted"))
		return
	case dc.bot == nil:
		return
	}
	verify, err := dc.mm.RequireEmailVerification(ctx)
	switch {
	case err != nil:
		r.fail("e-mail trust", dc.t("cli.doctor.email_failed", "Err", plainError(err)), dc.t("cli.setup.fix_up"))
	case verify:
		r.ok("e-mail trust", dc.t("cli.doctor.email_ok"))
	default:
		r.warn("e-mail trust", dc.t("cli.doctor.email_off"), dc.t("cli.doctor.email_off_fix"))
	}
}

// zoom checks the app's credentials with a real token request, the Zoom user mmzoom acts as and the scopes.
func (dc *doctor) zoom(ctx context.Context) {
	r, cfg, hc, now := dc.report, dc.cfg, dc.deps.httpClient, dc.deps.now
	if !cfg.Kind.Valid() || cfg.ClientID == "" || cfg.ClientSecret == "" {
		return
	}
	credsFix := dc.t("cli.doctor.creds_fix")
	if cfg.Kind == meeting.KindS2S {
		tok, err := zoom.S2SToken(ctx, hc, cfg.ZoomURL, cfg.AccountID, cfg.ClientID, cfg.ClientSecret, now)
		var oe *zoom.OAuthError
		switch {
		case errors.As(err, &oe) && oe.ClientRefused():
			r.fail("Zoom credentials", dc.t("cli.doctor.creds_refused", "Status", oe.StatusCode, "Code", oe.Code, "Reason", oe.Reason), credsFix)
			return
		case errors.As(err, &oe):
			r.fail("Zoom credentials", dc.t("cli.doctor.s2s_refused", "Status", oe.StatusCode, "Code", oe.Code, "Reason", oe.Reason), dc.t("cli.doctor.s2s_refused_fix"))
			return
		case err != nil:
			r.fail("Zoom credentials", dc.t("cli.doctor.zoom_unreachable", "Err", plainError(err)), dc.t("cli.doctor.zoom_unreachable_fix"))
			return
		}
		r.ok("Zoom credentials", dc.t("cli.doctor.s2s_ok", "Account", cfg.AccountID))
		dc.zoomUserCheck(ctx, tok.AccessToken, dc.zoomUser)
		dc.scopes(dc.t("cli.doctor.scopes_of_s2s"), tok.Scope)
		return
	}
	err := zoom.CheckClient(ctx, hc, cfg.ZoomURL, cfg.ClientID, cfg.ClientSecret, cfg.SiteURL+"/oauth2/complete")
	var oe *zoom.OAuthError
	switch {
	case errors.As(err, &oe):
		r.fail("Zoom credentials", dc.t("cli.doctor.creds_refused", "Status", oe.StatusCode, "Code", oe.Code, "Reason", oe.Reason), credsFix)
		return
	case err != nil:
		r.fail("Zoom credentials", dc.t("cli.doctor.zoom_unreachable", "Err", plainError(err)), dc.t("cli.doctor.zoom_unreachable_fix"))
		return
	}
	r.ok("Zoom credentials", dc.t("cli.doctor.creds_ok"))
	if dc.health == nil {
		return
	}
	if cfg.Kind == meeting.KindAccount {
		acct := dc.health.Account
		switch {
		case acct == nil:
			r.fail("Zoom account", dc.t("cli.doctor.account_none"), dc.t("cli.doctor.account_none_fix"))
			return
		case !acct.Expiry.IsZero() && !now().Before(acct.Expiry):
			r.warn("Zoom account", dc.t("cli.doctor.account_expired", "Email", acct.ZoomEmail, "Time", acct.Expiry.UTC().Format(time.RFC3339)), "")
		default:
			user := dc.zoomUser
			if user == "" {
				user = "me"
			}
			dc.zoomUserCheck(ctx, acct.AccessToken, user)
		}
		dc.scopes(dc.t("cli.doctor.scopes_of_account"), acct.Scope)
		return
	}
	// User-managed apps: each user's consent carries its own scopes.
	var short []string
	n := 0
	for owner, scope := range dc.health.Tokens {
		if owner == meeting.AccountOwner {
			continue
		}
		n++
		if len(zoom.MissingFeatureScopes(meeting.KindUser, dc.features(), scope)) > 0 {
			short = append(short, string(owner))
		}
	}
	switch {
	case n == 0:
		r.ok("Zoom scopes", dc.t("cli.doctor.scopes_no_user"))
	case len(short) > 0:
		missing := zoom.MissingFeatureScopes(meeting.KindUser, dc.features(), dc.health.Tokens[meeting.Owner(short[0])])
		r.fail("Zoom scopes", dc.t("cli.doctor.scopes_users_short", "Short", len(short), "Total", n, "Scopes", dc.scopeList(missing)), dc.t("cli.doctor.scopes_users_fix"))
	default:
		r.ok("Zoom scopes", dc.t("cli.doctor.scopes_users_ok", "Count", n))
	}
}

func (dc *doctor) zoomUserCheck(ctx context.Context, accessToken, user string) {
	r, cfg := dc.report, dc.cfg
	if user == "" {
		r.warn("Zoom user", dc.t("cli.doctor.user_unchecked"), dc.t("cli.doctor.user_unchecked_fix"))
		return
	}
	u, err := zoom.UserWithToken(ctx, dc.deps.httpClient, cfg.ZoomAPIURL, accessToken, user, dc.deps.now)
	var ze *zoom.Error
	switch {
	case errors.As(err, &ze) && ze.StatusCode == http.StatusNotFound:
		r.fail("Zoom user", dc.t("cli.doctor.user_unknown", "User", user, "Code", ze.Code), dc.t("cli.doctor.user_unknown_fix"))
	case err != nil:
		r.fail("Zoom user", dc.t("cli.doctor.user_failed", "User", user, "Err", plainError(err)), dc.t("cli.doctor.user_failed_fix"))
	default:
		kind := ""
		if k := map[int]string{1: "basic", 2: "licensed", 4: "unassigned"}[u.Type]; k != "" {
			kind = dc.t("cli.doctor.zoom_user_type." + k)
		}
		r.ok("Zoom user", dc.t("cli.doctor.user_ok", "Email", u.Email, "Type", kind, "Account", u.AccountID))
	}
}

func (dc *doctor) scopes(what, granted string) {
	missing := zoom.MissingFeatureScopes(dc.cfg.Kind, dc.features(), granted)
	if len(missing) == 0 {
		dc.report.ok("Zoom scopes", dc.t("cli.doctor.scopes_ok", "What", what))
		return
	}
	fix := dc.t("cli.doctor.scopes_fix")
	if len(missing) > len(zoom.MissingScopes(dc.cfg.Kind, granted)) {
		// An optional feature's scope is missing: the admin may rather turn the feature off.
		fix = dc.t("cli.doctor.scopes_fix_feature")
	}
	dc.report.fail("Zoom scopes", dc.t("cli.doctor.scopes_missing", "What", what, "Scopes", dc.scopeList(missing)), fix)
}

// features are the optional features the configuration turns on, whose scopes doctor checks too.
func (dc *doctor) features() zoom.Features {
	return zoom.Features{Summaries: dc.cfg.PostSummaries, Transcripts: dc.cfg.PostTranscripts, Chat: dc.cfg.PostChat}
}

// scopeList names the missing scopes and what each is for, in the admin's language.
func (dc *doctor) scopeList(needs []zoom.ScopeNeed) string {
	var parts []string
	for _, n := range needs {
		parts = append(parts, dc.t("cli.doctor.scope_need", "Scopes", strings.Join(n.AnyOf, dc.t("cli.doctor.scope_or")), "For", dc.scopeFor(n.For)))
	}
	return strings.Join(parts, ", ")
}

// scopeFor is what a scope is for (zoom.ScopeNeed.For, English) in the admin's language; a need without a
// translation (one added to the zoom package after this table) stays in English.
func (dc *doctor) scopeFor(what string) string {
	key, ok := scopeForKeys[what]
	if !ok {
		return what
	}
	return dc.t(key)
}

// scopeForKeys maps each zoom.ScopeNeed.For to its message (TestEveryScopeNeedIsTranslated keeps it whole).
var scopeForKeys = map[string]string{
	"finding users (GET /users)":                                           "cli.doctor.scope_for.users",
	"starting meetings":                                                    "cli.doctor.scope_for.start",
	"checking meetings whose end was never heard of":                       "cli.doctor.scope_for.reconcile",
	"reading ended meetings' times":                                        "cli.doctor.scope_for.past",
	"AI Companion summaries, post_summaries":                               "cli.doctor.scope_for.summaries",
	"transcripts and the meeting chat, post_transcripts/post_meeting_chat": "cli.doctor.scope_for.recordings",
}

func (dc *doctor) webhook(ctx context.Context) {
	r, cfg := dc.report, dc.cfg
	if cfg.WebhookSecret == "" {
		r.fail("Zoom webhook", dc.t("cli.doctor.webhook_no_secret"), dc.t("cli.doctor.webhook_no_secret_fix"))
		return
	}
	if cfg.SiteURL == "" {
		return
	}
	u := cfg.SiteURL + "/zoom/webhook"
	if err := zoom.ValidateWebhook(ctx, dc.deps.httpClient, u, cfg.WebhookSecret, dc.deps.now); err != nil {
		r.fail("Zoom webhook", dc.t("cli.doctor.webhook_failed", "URL", u, "Err", err), dc.t("cli.doctor.webhook_failed_fix"))
		return
	}
	r.ok("Zoom webhook", dc.t("cli.doctor.webhook_ok", "URL", u))
}

func (dc *doctor) queue() {
	r, h := dc.report, dc.health
	if h == nil {
		return
	}
	age := time.Duration(0)
	if !h.Oldest.IsZero() {
		age = dc.deps.now().Sub(h.Oldest).Round(time.Second)
	}
	switch {
	case h.QueueDepth == 0:
		r.ok("queue", dc.t("cli.doctor.queue_empty"))
	case age > 15*time.Minute:
		r.warn("queue", dc.t("cli.doctor.queue_waiting", "Count", h.QueueDepth, "Age", age), dc.t("cli.doctor.queue_fix"))
	default:
		r.ok("queue", dc.t("cli.doctor.queue_waiting", "Count", h.QueueDepth, "Age", age))
	}
	if h.DeadLetters == 0 {
		r.ok("dead letters", dc.t("cli.doctor.dead_none"))
	} else {
		r.warn("dead letters", dc.t("cli.doctor.dead_some", "Count", h.DeadLetters), dc.t("cli.doctor.dead_fix"))
	}
}

// plainError is an error without the domain's "meeting: <kind>:" prefix.
func plainError(err error) string {
	var e *meeting.Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}
