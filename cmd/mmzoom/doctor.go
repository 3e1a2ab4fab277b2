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
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/httpapi"
	"github.com/mmzoom/mmzoom/mattermost"
	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sqlite"
	"github.com/mmzoom/mmzoom/zoom"
)

const doctorHelp = `usage: mmzoom doctor [flags]

Checks mmzoom's configuration and everything it depends on, one line per check: ✔ when it is fine,
✘ with the fix when it is not, ! for something to know that does not stop mmzoom. It reads the same
environment (and MMZOOM_CONFIG file) as serve, and may run while serve runs: it changes nothing.

With MMZOOM_MATTERMOST_ADMIN_TOKEN (a system admin's token) it also checks each command token against
Mattermost's slash commands. Secrets are never printed.

Exit status: 0 when no check failed, 1 when one did (for monitoring, with --json), 2 on a usage error.

flags:
`

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

// check is one line of doctor's report.
type check struct {
	Name   string      `json:"name"`
	Status checkStatus `json:"status"`
	Detail string      `json:"detail"`
	Fix    string      `json:"fix,omitempty"`
}

// doctorReport is every check, in order.
type doctorReport struct {
	OK     bool    `json:"ok"`
	Checks []check `json:"checks"`
}

func (r *doctorReport) add(name string, st checkStatus, detail, fix string) {
	r.Checks = append(r.Checks, check{Name: name, Status: st, Detail: detail, Fix: fix})
}
func (r *doctorReport) ok(name, detail string)        { r.add(name, checkOK, detail, "") }
func (r *doctorReport) fail(name, detail, fix string) { r.add(name, checkFail, detail, fix) }
func (r *doctorReport) warn(name, detail, fix string) { r.add(name, checkWarn, detail, fix) }

// print writes one line per check.
func (r *doctorReport) print(w io.Writer) {
	for _, c := range r.Checks {
		mark := map[checkStatus]string{checkOK: "✔", checkFail: "✘", checkWarn: "!"}[c.Status]
		line := mark + " " + c.Name + ": " + c.Detail
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
	r := &doctorReport{}
	dc := &doctor{report: r, deps: d, zoomUser: strings.TrimSpace(*fl.zoomUser), adminToken: strings.TrimSpace(getenv("MMZOOM_MATTERMOST_ADMIN_TOKEN"))}
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
}

func (dc *doctor) run(ctx context.Context) {
	r, cfg := dc.report, dc.cfg
	if len(dc.problems) == 0 {
		r.ok("configuration", fmt.Sprintf("complete for the %s app kind", cfg.Kind))
	} else {
		r.fail("configuration", strings.Join(dc.problems, "; "), "set the variables named (README, Environment)")
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
		r.fail("encryption key", "MMZOOM_ENCRYPTION_KEY is missing or invalid, so the database cannot be read", "set the key mmzoom serve runs with")
		return
	}
	box, err := seal.NewBox(cfg.EncryptionKey, cfg.OldKeys...)
	if err != nil {
		r.fail("encryption key", err.Error(), "set MMZOOM_ENCRYPTION_KEY to 32 random bytes in base64 (mmzoom keygen)")
		return
	}
	path, ok := strings.CutPrefix(cfg.Database, "sqlite://")
	if !ok || path == "" {
		r.fail("database", "MMZOOM_DATABASE is not sqlite://<path>", "set MMZOOM_DATABASE")
		return
	}
	ictx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	h, err := sqlite.Inspect(ictx, path, box)
	switch {
	case sqlite.IsMissing(err):
		r.fail("database", path+" does not exist", "check MMZOOM_DATABASE (mmzoom serve creates the file when it first starts)")
		return
	case err != nil:
		r.fail("database", "cannot read "+path+": "+err.Error(), "check MMZOOM_DATABASE and the file's permissions")
		return
	case len(h.Pending) > 0:
		r.fail("database", fmt.Sprintf("%s lacks %d migration(s) (%s)", path, len(h.Pending), strings.Join(h.Pending, ", ")),
			"start mmzoom serve once: it applies them before it listens")
		return
	}
	dc.health = h
	r.ok("database", path+" answers and its schema is up to date")
	switch {
	case !h.SealedChecked:
		r.ok("encryption key", "valid (no stored Zoom token yet to try it on)")
	case h.SealedOpen:
		r.ok("encryption key", "opens the stored Zoom tokens")
	default:
		r.fail("encryption key", "does not open the stored Zoom tokens: it is not the key they were stored with",
			"set MMZOOM_ENCRYPTION_KEY to the key mmzoom serve used (during a rotation, the old one in MMZOOM_ENCRYPTION_OLD_KEYS)")
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
		r.fail("Mattermost", "cannot reach Mattermost at "+cfg.MattermostURL+": "+plainError(err), "check MMZOOM_MATTERMOST_URL and that Mattermost is up")
		dc.mm = nil
		return
	}
	r.ok("Mattermost", fmt.Sprintf("%s answers (version %s)", cfg.MattermostURL, version))
	if cfg.BotToken == "" {
		return
	}
	me, err := dc.mm.Me(ctx)
	if e, ok := mattermost.MattermostError(err); ok && e.StatusCode == http.StatusUnauthorized {
		r.fail("bot token", "Mattermost refuses MMZOOM_MATTERMOST_BOT_TOKEN (HTTP 401): it is wrong or was revoked",
			"run mmzoom setup (it creates a new token), or create one in Integrations → Bot Accounts")
		return
	}
	if err != nil {
		r.fail("bot token", "cannot check it: "+plainError(err), "check that Mattermost is up")
		return
	}
	dc.bot = me
	if !me.IsBot {
		r.warn("bot token", "it belongs to @"+me.Username+", a person, not a bot: cards are posted as that user", "run mmzoom setup to create a bot")
	} else {
		r.ok("bot token", "signs in as the bot @"+me.Username)
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
		r.warn("bot roles", fmt.Sprintf("%q: broader rights than mmzoom needs", me.Roles), "give it \"system_user system_post_all\" (mmzoom setup)")
	case has("system_post_all"):
		r.ok("bot roles", fmt.Sprintf("%q", me.Roles))
	default:
		r.warn("bot roles", fmt.Sprintf("%q: the bot cannot post cards in private channels, direct or group messages it is not in", me.Roles),
			"give it \"system_user system_post_all\" (mmzoom setup)")
	}
	teams, err := dc.mm.MyTeams(ctx)
	if err != nil {
		r.fail("bot teams", "cannot list them: "+plainError(err), "check that Mattermost is up")
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
		r.fail("bot teams", "the bot is not a member of team(s) "+strings.Join(missing, ", ")+", where /zoom is used",
			"run mmzoom setup, or add the bot to those teams")
	case len(teams) == 0:
		r.fail("bot teams", "the bot is in no team, so it cannot join channels to update cards", "run mmzoom setup, or add the bot to each team that uses /zoom")
	default:
		r.ok("bot teams", "member of "+strings.Join(names, ", "))
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
			r.fail("command tokens", "cannot list Mattermost's teams with MMZOOM_MATTERMOST_ADMIN_TOKEN: "+plainError(err),
				"use a system admin's token, or unset MMZOOM_MATTERMOST_ADMIN_TOKEN")
			return
		}
		known = map[string]found{}
		for _, t := range teams {
			cmds, err := admin.Commands(ctx, t.ID)
			if e, ok := mattermost.MattermostError(err); ok && e.StatusCode == http.StatusNotImplemented {
				// Mattermost answers 501 to the listing when custom commands are off: /zoom cannot work.
				r.fail("command tokens", "custom slash commands are off in Mattermost (ServiceSettings.EnableCommands)",
					"turn them on in System Console → Integrations → Integration Management")
				return
			}
			if err != nil {
				r.fail("command tokens", "cannot list the slash commands of team "+t.Name+": "+plainError(err), "use a system admin's token")
				return
			}
			for _, c := range cmds {
				known[c.Token] = found{t, c}
			}
			if shadowed, err := admin.CommandShadowed(ctx, t.ID, "zoom"); err == nil && shadowed {
				r.fail("command tokens", "/zoom in team "+t.Name+" never reaches mmzoom", mattermost.ShadowedAdvice)
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
				r.ok(name, "bound to team "+bound+" (the team it was first used from)")
			} else {
				r.warn(name, "not used yet, so not bound to a team", "set MMZOOM_MATTERMOST_ADMIN_TOKEN to check it against Mattermost's slash commands")
			}
			continue
		}
		f, ok := known[tok]
		want := cfg.SiteURL + mattermost.CommandPath
		switch {
		case !ok:
			r.fail(name, "no slash command in Mattermost has this token", "run mmzoom setup, or copy the /zoom command's token from Integrations → Slash Commands")
		case f.cmd.URL != want:
			r.fail(name, fmt.Sprintf("/%s in team %s calls %s, not %s", f.cmd.Trigger, f.team.Name, f.cmd.URL, want), "run mmzoom setup to update the command")
		case bound != "" && bound != f.team.ID:
			r.fail(name, fmt.Sprintf("/%s is registered in team %s but bound to team %s", f.cmd.Trigger, f.team.Name, bound),
				"use one token per team: run mmzoom setup, which writes each team's token")
		default:
			r.ok(name, fmt.Sprintf("/%s in team %s, calling %s", f.cmd.Trigger, f.team.Name, want))
		}
	}
}

func (dc *doctor) emailTrust(ctx context.Context) {
	r, cfg := dc.report, dc.cfg
	switch {
	case cfg.Kind == meeting.KindUser:
		r.ok("e-mail trust", "not needed: each user connects their own Zoom account")
		return
	case !cfg.Kind.Valid():
		return
	case cfg.TrustUnverified:
		r.ok("e-mail trust", "trust_unverified_email is set: every Mattermost e-mail is trusted (the risk was accepted)")
		return
	case dc.bot == nil:
		return
	}
	verify, err := dc.mm.RequireEmailVerification(ctx)
	switch {
	case err != nil:
		r.fail("e-mail trust", "cannot read EmailSettings.RequireEmailVerification: "+plainError(err), "check that Mattermost is up")
	case verify:
		r.ok("e-mail trust", "Mattermost requires e-mail verification: users are matched to Zoom by e-mail")
	default:
		r.warn("e-mail trust", "EmailSettings.RequireEmailVerification is off: only users signing in through SSO/LDAP are matched to Zoom by e-mail",
			"turn it on (it locks out users whose e-mail is not verified), or accept the risk with \"trust_unverified_email\": true in the config file")
	}
}

// zoom checks the app's credentials with a real token request, the Zoom user mmzoom acts as and the scopes.
func (dc *doctor) zoom(ctx context.Context) {
	r, cfg, hc, now := dc.report, dc.cfg, dc.deps.httpClient, dc.deps.now
	if !cfg.Kind.Valid() || cfg.ClientID == "" || cfg.ClientSecret == "" {
		return
	}
	credsFix := "copy the Client ID and Client Secret again from the app's App Credentials page in the Zoom App Marketplace"
	if cfg.Kind == meeting.KindS2S {
		tok, err := zoom.S2SToken(ctx, hc, cfg.ZoomURL, cfg.AccountID, cfg.ClientID, cfg.ClientSecret, now)
		var oe *zoom.OAuthError
		switch {
		case errors.As(err, &oe) && oe.ClientRefused():
			r.fail("Zoom credentials", fmt.Sprintf("Zoom refused MMZOOM_ZOOM_CLIENT_ID/MMZOOM_ZOOM_CLIENT_SECRET (HTTP %d %s: %s)", oe.StatusCode, oe.Code, oe.Reason), credsFix)
			return
		case errors.As(err, &oe):
			r.fail("Zoom credentials", fmt.Sprintf("Zoom refused the Server-to-Server token request (HTTP %d %s: %s)", oe.StatusCode, oe.Code, oe.Reason),
				"check MMZOOM_ZOOM_ACCOUNT_ID (App Credentials page) and that the app is activated")
			return
		case err != nil:
			r.fail("Zoom credentials", "cannot reach Zoom: "+plainError(err), "check MMZOOM_ZOOM_URL and the network")
			return
		}
		r.ok("Zoom credentials", "Zoom issued a Server-to-Server token for account "+cfg.AccountID)
		dc.zoomUserCheck(ctx, tok.AccessToken, dc.zoomUser)
		dc.scopes("the Server-to-Server app", tok.Scope)
		return
	}
	err := zoom.CheckClient(ctx, hc, cfg.ZoomURL, cfg.ClientID, cfg.ClientSecret, cfg.SiteURL+"/oauth2/complete")
	var oe *zoom.OAuthError
	switch {
	case errors.As(err, &oe):
		r.fail("Zoom credentials", fmt.Sprintf("Zoom refused MMZOOM_ZOOM_CLIENT_ID/MMZOOM_ZOOM_CLIENT_SECRET (HTTP %d %s: %s)", oe.StatusCode, oe.Code, oe.Reason), credsFix)
		return
	case err != nil:
		r.fail("Zoom credentials", "cannot reach Zoom: "+plainError(err), "check MMZOOM_ZOOM_URL and the network")
		return
	}
	r.ok("Zoom credentials", "Zoom's token endpoint knows the app (client ID and secret accepted)")
	if dc.health == nil {
		return
	}
	if cfg.Kind == meeting.KindAccount {
		acct := dc.health.Account
		switch {
		case acct == nil:
			r.fail("Zoom account", "no Zoom account is connected", "a Mattermost system admin runs /zoom connect and authorizes the admin-managed app")
			return
		case !acct.Expiry.IsZero() && !now().Before(acct.Expiry):
			r.warn("Zoom account", fmt.Sprintf("connected by %s; its access token expired at %s and is refreshed when mmzoom next uses it",
				acct.ZoomEmail, acct.Expiry.UTC().Format(time.RFC3339)), "")
		default:
			user := dc.zoomUser
			if user == "" {
				user = "me"
			}
			dc.zoomUserCheck(ctx, acct.AccessToken, user)
		}
		dc.scopes("the account connection", acct.Scope)
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
		r.ok("Zoom scopes", "no user has connected yet; each user's scopes come with their consent at /zoom connect")
	case len(short) > 0:
		missing := zoom.MissingFeatureScopes(meeting.KindUser, dc.features(), dc.health.Tokens[meeting.Owner(short[0])])
		r.fail("Zoom scopes", fmt.Sprintf("%d of %d connected users granted too few scopes (e.g. %s)", len(short), n, scopeList(missing)),
			"add the scopes to the app (README, Scopes); those users run /zoom connect again")
	default:
		r.ok("Zoom scopes", fmt.Sprintf("the %d connected users granted what mmzoom needs", n))
	}
}

func (dc *doctor) zoomUserCheck(ctx context.Context, accessToken, user string) {
	r, cfg := dc.report, dc.cfg
	if user == "" {
		r.warn("Zoom user", "not checked", "pass --zoom-user <e-mail> to check that Zoom finds a Mattermost user's e-mail address")
		return
	}
	u, err := zoom.UserWithToken(ctx, dc.deps.httpClient, cfg.ZoomAPIURL, accessToken, user, dc.deps.now)
	var ze *zoom.Error
	switch {
	case errors.As(err, &ze) && ze.StatusCode == http.StatusNotFound:
		r.fail("Zoom user", fmt.Sprintf("Zoom has no user %s (code %d)", user, ze.Code), "use the e-mail address of a user of this Zoom account")
	case err != nil:
		r.fail("Zoom user", "cannot look up "+user+": "+plainError(err), "check the app's user:read scope and MMZOOM_ZOOM_API_URL")
	default:
		kind := map[int]string{1: "Basic", 2: "Licensed", 4: "Unassigned"}[u.Type]
		r.ok("Zoom user", fmt.Sprintf("mmzoom acts as %s (%s) in Zoom account %s", u.Email, kind, u.AccountID))
	}
}

func (dc *doctor) scopes(what, granted string) {
	missing := zoom.MissingFeatureScopes(dc.cfg.Kind, dc.features(), granted)
	if len(missing) == 0 {
		dc.report.ok("Zoom scopes", what+" has the scopes mmzoom needs")
		return
	}
	fix := "add them to the app in the Zoom App Marketplace (Scopes; README lists them)"
	if len(missing) > len(zoom.MissingScopes(dc.cfg.Kind, granted)) {
		// An optional feature's scope is missing: the admin may rather turn the feature off.
		fix += ", or turn off in the config file the feature that needs them"
	}
	dc.report.fail("Zoom scopes", what+" lacks "+scopeList(missing), fix)
}

// features are the optional features the configuration turns on, whose scopes doctor checks too.
func (dc *doctor) features() zoom.Features {
	return zoom.Features{Summaries: dc.cfg.PostSummaries, Transcripts: dc.cfg.PostTranscripts, Chat: dc.cfg.PostChat}
}

func scopeList(needs []zoom.ScopeNeed) string {
	var parts []string
	for _, n := range needs {
		parts = append(parts, fmt.Sprintf("%s (for %s)", strings.Join(n.AnyOf, " or "), n.For))
	}
	return strings.Join(parts, ", ")
}

func (dc *doctor) webhook(ctx context.Context) {
	r, cfg := dc.report, dc.cfg
	if cfg.WebhookSecret == "" {
		r.fail("Zoom webhook", "MMZOOM_ZOOM_WEBHOOK_SECRET is not set, so every Zoom event would be refused",
			"copy the Secret Token from the Zoom app's Features → Access page into MMZOOM_ZOOM_WEBHOOK_SECRET")
		return
	}
	if cfg.SiteURL == "" {
		return
	}
	u := cfg.SiteURL + "/zoom/webhook"
	if err := zoom.ValidateWebhook(ctx, dc.deps.httpClient, u, cfg.WebhookSecret, dc.deps.now); err != nil {
		r.fail("Zoom webhook", u+" failed Zoom's URL validation: "+err.Error(), "check that mmzoom serve runs and that MMZOOM_SITE_URL reaches it")
		return
	}
	r.ok("Zoom webhook", u+" answers Zoom's URL validation with this secret")
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
		r.ok("queue", "empty")
	case age > 15*time.Minute:
		r.warn("queue", fmt.Sprintf("%d update(s) waiting, the oldest for %s", h.QueueDepth, age),
			"check that mmzoom serve runs and that Mattermost accepts the bot's updates (the log says why they wait)")
	default:
		r.ok("queue", fmt.Sprintf("%d update(s) waiting, the oldest for %s", h.QueueDepth, age))
	}
	if h.DeadLetters == 0 {
		r.ok("dead letters", "none")
	} else {
		r.warn("dead letters", fmt.Sprintf("%d card update(s) could never be delivered", h.DeadLetters), "mmzoom dead-letters lists them")
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
