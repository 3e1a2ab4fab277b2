package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mmzoom/mmzoom/meeting"
)

// Setup prepares a Mattermost server for mmzoom with a system admin's token: the bot, its token, roles and
// teams, the /zoom command in each team, the untrusted-connections setting for a private mmzoom address and
// the webapp plugin. Every step first reads what is there and changes only what differs, so a second run
// sends Mattermost no write at all. Each step reports one line.
type Setup struct {
	Admin *Admin
	// MattermostURL is the site URL (for messages).
	MattermostURL string
	// SiteURL is mmzoom's public base URL; the command calls <SiteURL>/mattermost/command.
	SiteURL string
	// Teams are the team names to set up; none means every team.
	Teams []string
	// BotUsername is the bot's username ("zoom").
	BotUsername string
	// BotRoles is the role string the bot gets ("system_user system_post_all").
	BotRoles string
	// BotToken is the bot token configured before this run, if any: kept while Mattermost accepts it.
	BotToken string
	// HTTPClient checks BotToken.
	HTTPClient *http.Client
	// Yes agrees to every change that needs the admin's agreement (scripts); otherwise Confirm is asked.
	Yes     bool
	Confirm func(question string) bool
	// Plugin is the webapp plugin bundle (.tar.gz); nil skips the plugin step.
	Plugin []byte
	// CommandText gives the /zoom command's display name, description and autocomplete hint in a locale.
	CommandText func(locale string) CommandText
	// LookupIP resolves a host name (net.DefaultResolver.LookupIP in production).
	LookupIP func(ctx context.Context, host string) ([]net.IP, error)
	// Report receives each step's line as it is done.
	Report func(Step)
}

// CommandText is what users see of the /zoom command in the autocomplete list.
type CommandText struct{ DisplayName, Description, Hint string }

// StepStatus is how a step ended.
type StepStatus int

// How a step ended: StepOK (nothing to do), StepChanged (Mattermost was changed), StepAdvice (something
// the admin should know or do; mmzoom works without it), StepFailed (mmzoom cannot work until it is fixed).
const (
	StepOK StepStatus = iota
	StepChanged
	StepAdvice
	StepFailed
)

// Step is one line of setup's report.
type Step struct {
	Status StepStatus
	Text   string
}

// SetupResult is what setup leaves for mmzoom's configuration.
type SetupResult struct {
	// BotToken is the bot's access token (the configured one when still valid).
	BotToken string
	// CommandTokens maps each team's name to its /zoom command's token.
	CommandTokens map[string]string
	// Changes counts the steps that changed Mattermost; Failed says a step failed.
	Changes int
	Failed  bool
}

// CommandPath is where mmzoom receives slash commands, below its site URL.
const CommandPath = "/mattermost/command"

// DefaultBotRoles are the roles mmzoom's bot needs (README: what the bot's roles allow).
const DefaultBotRoles = "system_user system_post_all"

// errStop ends the run after a failure later steps depend on.
var errStop = errors.New("setup stopped")

type setupRun struct {
	*Setup
	res *SetupResult
	cfg *ServerConfig
}

func (r *setupRun) report(status StepStatus, format string, args ...any) {
	switch status {
	case StepChanged:
		r.res.Changes++
	case StepFailed:
		r.res.Failed = true
	}
	if r.Report != nil {
		r.Report(Step{Status: status, Text: fmt.Sprintf(format, args...)})
	}
}

// fail reports a failed step: what was being done, what Mattermost answered, and the fix.
func (r *setupRun) fail(err error, doing, fix string) {
	r.report(StepFailed, "%s: %s; %s", doing, answer(err), fix)
}

// answer says what Mattermost answered, without the request's details.
func answer(err error) string {
	if e, ok := MattermostError(err); ok {
		return fmt.Sprintf("Mattermost answered %d %s", e.StatusCode, e.ID)
	}
	var me *meeting.Error
	if errors.As(err, &me) && me.Err != nil {
		return me.Err.Error() // without the domain's "meeting: <kind>:" prefix, which says nothing to an admin
	}
	return err.Error()
}

func statusOf(err error) int {
	if e, ok := MattermostError(err); ok {
		return e.StatusCode
	}
	return 0
}

func (r *setupRun) agree(question string) bool {
	return r.Yes || (r.Confirm != nil && r.Confirm(question))
}

// Run performs the steps. An error is returned only when the run could not go on; the steps' outcomes are
// in the result and the report.
func (s *Setup) Run(ctx context.Context) (*SetupResult, error) {
	r := &setupRun{Setup: s, res: &SetupResult{CommandTokens: map[string]string{}}}
	if s.BotUsername == "" {
		s.BotUsername = "zoom"
	}
	if s.BotRoles == "" {
		s.BotRoles = DefaultBotRoles
	}
	if !slices.Contains(strings.Fields(s.BotRoles), "system_user") {
		r.report(StepFailed, "bot roles %q: the role string must include system_user (Mattermost refuses system_admin alone); try --bot-roles %q", s.BotRoles, DefaultBotRoles)
		return r.res, errStop
	}
	version, err := r.admin(ctx)
	if err != nil {
		return r.res, err
	}
	bot, err := r.bot(ctx)
	if err != nil {
		return r.res, err
	}
	if err := r.botToken(ctx, bot); err != nil {
		return r.res, err
	}
	r.roles(ctx, bot)
	teams, err := r.teams(ctx)
	if err != nil {
		return r.res, err
	}
	for _, t := range teams {
		r.membership(ctx, t, bot)
		r.command(ctx, t)
		r.shadowed(ctx, t)
	}
	r.reachable(ctx)
	r.plugin(ctx, version)
	r.email()
	return r.res, nil
}

// admin checks the admin token and reads the server's version and configuration.
func (r *setupRun) admin(ctx context.Context) (string, error) {
	me, err := r.Admin.Me(ctx)
	switch {
	case statusOf(err) == http.StatusUnauthorized:
		r.fail(err, "Mattermost at "+r.MattermostURL+" refused MMZOOM_MATTERMOST_ADMIN_TOKEN",
			"create a personal access token as a system admin (Profile → Security → Personal Access Tokens) and set it; "+
				"such tokens work only while ServiceSettings.EnableUserAccessTokens is on")
		return "", errStop
	case meeting.KindOf(err) == meeting.KindChatUnavailable || statusOf(err) != 0:
		r.fail(err, "cannot use Mattermost at "+r.MattermostURL+" (MMZOOM_MATTERMOST_URL)", "check the URL and that Mattermost is up")
		return "", errStop
	case err != nil:
		r.fail(err, r.MattermostURL+" does not answer as Mattermost does", "check MMZOOM_MATTERMOST_URL")
		return "", errStop
	case !me.HasRole("system_admin"):
		r.report(StepFailed, "MMZOOM_MATTERMOST_ADMIN_TOKEN belongs to @%s (roles %q), who is not a system admin: setup needs a system admin's token "+
			"(permissions manage_system, create_bot, manage_roles); use a system admin's personal access token", me.Username, me.Roles)
		return "", errStop
	}
	version, err := r.Admin.ServerVersion(ctx)
	if err != nil {
		r.fail(err, "cannot read Mattermost's version (GET /api/v4/system/ping)", "check MMZOOM_MATTERMOST_URL")
		return "", errStop
	}
	if r.cfg, err = r.Admin.Config(ctx); err != nil {
		r.fail(err, "cannot read Mattermost's configuration (GET /api/v4/config)", "the token needs the manage_system permission (a system admin's)")
		return "", errStop
	}
	r.report(StepOK, "Mattermost %s at %s accepts the admin token of @%s (system admin)", version, r.MattermostURL, me.Username)
	return version, nil
}

// bot finds the bot account or creates it, turning bot creation on if the admin agrees.
func (r *setupRun) bot(ctx context.Context) (*AdminUser, error) {
	name := r.BotUsername
	u, err := r.Admin.UserByUsername(ctx, name)
	switch {
	case err == nil && !u.IsBot:
		r.report(StepFailed, "@%s is a person's account, not a bot: choose another bot name with --bot-username", name)
		return nil, errStop
	case err == nil && u.DeleteAt != 0:
		r.report(StepFailed, "the bot @%s is disabled: enable it in System Console → Integrations → Bot Accounts, then run setup again", name)
		return nil, errStop
	case err == nil:
		r.report(StepOK, "bot @%s exists", name)
		return u, nil
	case statusOf(err) == http.StatusBadRequest:
		// Mattermost refuses what is not a username before looking it up (Context.RequireUsername).
		r.report(StepFailed, "%q is not a Mattermost username: --bot-username takes 1 to 64 lower-case letters, digits, '.', '-' or '_'", name)
		return nil, errStop
	case !errors.Is(err, meeting.ErrNotFound):
		r.fail(err, "cannot look up @"+name, "check that Mattermost is up")
		return nil, errStop
	}
	if !r.cfg.ServiceSettings.EnableBotAccountCreation {
		if !r.agree("Bot account creation is off in Mattermost (ServiceSettings.EnableBotAccountCreation). Turn it on to create @" + name + "?") {
			r.report(StepFailed, "cannot create the bot @%s: bot account creation is off (ServiceSettings.EnableBotAccountCreation); "+
				"run setup again with --yes to turn it on, or turn on System Console → Integrations → Bot Accounts → Enable Bot Account Creation", name)
			return nil, errStop
		}
		cfg, err := r.Admin.PatchConfig(ctx, map[string]map[string]any{"ServiceSettings": {"EnableBotAccountCreation": true}})
		if err != nil {
			r.fail(err, "cannot turn on ServiceSettings.EnableBotAccountCreation", "turn it on in System Console → Integrations → Bot Accounts")
			return nil, errStop
		}
		if !cfg.ServiceSettings.EnableBotAccountCreation {
			r.report(StepFailed, "Mattermost kept ServiceSettings.EnableBotAccountCreation off: %s", pinned("ServiceSettings", "EnableBotAccountCreation", "true"))
			return nil, errStop
		}
		r.cfg = cfg
		r.report(StepChanged, "turned on bot account creation (ServiceSettings.EnableBotAccountCreation)")
	}
	u, err = r.Admin.CreateBot(ctx, name, "Zoom", "Zoom meetings (mmzoom)")
	if err != nil {
		r.fail(err, "cannot create the bot @"+name, "the token needs the create_bot permission (a system admin's)")
		return nil, errStop
	}
	r.report(StepChanged, "created the bot @%s", name)
	return u, nil
}

// botToken keeps the configured bot token while it still signs in as the bot, or creates one.
func (r *setupRun) botToken(ctx context.Context, bot *AdminUser) error {
	why := "none was configured"
	if r.BotToken != "" {
		me, err := NewClient(ClientConfig{BaseURL: r.MattermostURL, BotToken: r.BotToken, HTTPClient: r.HTTPClient}).Me(ctx)
		switch {
		case err == nil && me.ID == bot.ID:
			r.res.BotToken = r.BotToken
			r.report(StepOK, "the configured bot token signs in as @%s", bot.Username)
			return nil
		case err == nil:
			why = "the configured one belongs to @" + me.Username
		case statusOf(err) == http.StatusUnauthorized:
			why = "Mattermost refuses the configured one"
		default:
			r.fail(err, "cannot check the configured bot token", "check that Mattermost is up")
			return errStop
		}
	}
	tok, err := r.Admin.CreateToken(ctx, bot.ID, "mmzoom")
	if err != nil {
		r.fail(err, "cannot create an access token for @"+bot.Username,
			"the token needs the create_user_access_token permission (a system admin's)")
		return errStop
	}
	r.res.BotToken = tok
	r.report(StepChanged, "created an access token for @%s (%s)", bot.Username, why)
	return nil
}

// roles gives the bot exactly the wanted roles.
func (r *setupRun) roles(ctx context.Context, bot *AdminUser) {
	want := strings.Fields(r.BotRoles)
	have := strings.Fields(bot.Roles)
	slices.Sort(want)
	slices.Sort(have)
	if slices.Equal(want, have) {
		r.report(StepOK, "@%s has the roles %q", bot.Username, r.BotRoles)
		return
	}
	roles := strings.Join(strings.Fields(r.BotRoles), " ")
	if err := r.Admin.SetRoles(ctx, bot.ID, roles); err != nil {
		fix := "the token needs the manage_roles permission (a system admin's)"
		if e, ok := MattermostError(err); ok && e.StatusCode == http.StatusBadRequest {
			switch e.ID {
			case "app.role.check_roles_exist.role_not_found":
				fix = "a role in --bot-roles does not exist in Mattermost; the default is " + strconv.Quote(DefaultBotRoles)
			case "api.user.update_user_roles.license.app_error":
				fix = "system_manager, system_user_manager and system_read_only_admin need a Mattermost licence; the default is " + strconv.Quote(DefaultBotRoles)
			default:
				fix = "Mattermost refused the role string; it must name existing roles and include system_user (system_admin alone is refused)"
			}
		}
		r.fail(err, fmt.Sprintf("cannot give @%s the roles %q", bot.Username, roles), fix)
		return
	}
	r.report(StepChanged, "gave @%s the roles %q (it had %q)", bot.Username, roles, bot.Roles)
}

// teams resolves --team names, or lists every team.
func (r *setupRun) teams(ctx context.Context) ([]Team, error) {
	if len(r.Teams) == 0 {
		all, err := r.Admin.Teams(ctx)
		if err != nil {
			r.fail(err, "cannot list the teams", "check that Mattermost is up")
			return nil, errStop
		}
		if len(all) == 0 {
			r.report(StepFailed, "Mattermost has no team: create one, then run setup again")
			return nil, errStop
		}
		return all, nil
	}
	var out []Team
	for _, name := range r.Teams {
		t, err := r.Admin.TeamByName(ctx, name)
		// Mattermost answers 400 to what is not a team name at all (capitals, spaces: a display name).
		if errors.Is(err, meeting.ErrNotFound) || statusOf(err) == http.StatusBadRequest {
			r.report(StepFailed, "no team is named %q: --team takes a team's URL name (the part after the site URL)", name)
			continue
		}
		if err != nil {
			r.fail(err, "cannot look up team "+name, "check that Mattermost is up")
			return nil, errStop
		}
		out = append(out, *t)
	}
	return out, nil
}

func (r *setupRun) membership(ctx context.Context, t Team, bot *AdminUser) {
	ok, err := r.Admin.IsTeamMember(ctx, t.ID, bot.ID)
	if err == nil && ok {
		r.report(StepOK, "@%s is a member of team %s", bot.Username, t.Name)
		return
	}
	if err == nil {
		err = r.Admin.AddTeamMember(ctx, t.ID, bot.ID)
	}
	if err != nil {
		r.fail(err, fmt.Sprintf("cannot add @%s to team %s", bot.Username, t.Name), "the token needs the add_user_to_team permission (a system admin's)")
		return
	}
	r.report(StepChanged, "added @%s to team %s", bot.Username, t.Name)
}

// locale is the language of the command's autocomplete text: the default language of the server's users.
func (r *setupRun) locale() string {
	if l := r.cfg.LocalizationSettings.DefaultClientLocale; l != "" {
		return l
	}
	return r.cfg.LocalizationSettings.DefaultServerLocale
}

// command registers /zoom in a team or brings it up to date, and records its token.
func (r *setupRun) command(ctx context.Context, t Team) {
	text := CommandText{DisplayName: "Zoom"}
	if r.CommandText != nil {
		text = r.CommandText(r.locale())
	}
	want := Command{TeamID: t.ID, Trigger: "zoom", Method: "P", URL: r.SiteURL + CommandPath, DisplayName: text.DisplayName,
		Description: text.Description, AutoComplete: true, AutoCompleteDesc: text.Description, AutoCompleteHint: text.Hint}
	cmds, err := r.Admin.Commands(ctx, t.ID)
	if err != nil {
		r.fail(err, "cannot list the slash commands of team "+t.Name, commandFix(err))
		return
	}
	i := slices.IndexFunc(cmds, func(c Command) bool { return c.Trigger == "zoom" })
	if i < 0 {
		c, err := r.Admin.CreateCommand(ctx, &want)
		if err != nil {
			r.fail(err, "cannot register /zoom in team "+t.Name, commandFix(err))
			return
		}
		r.res.CommandTokens[t.Name] = c.Token
		r.report(StepChanged, "registered /zoom in team %s (POST %s)", t.Name, want.URL)
		return
	}
	have := cmds[i]
	if !strings.HasSuffix(have.URL, CommandPath) {
		r.report(StepFailed, "team %s already has a /zoom command that calls %s, which is not mmzoom: remove it (Integrations → Slash Commands) and run setup again",
			t.Name, have.URL)
		return
	}
	r.res.CommandTokens[t.Name] = have.Token
	var diff []string
	if have.URL != want.URL || have.Method != want.Method {
		diff = append(diff, "request URL "+want.URL)
	}
	if have.AutoComplete != want.AutoComplete || have.AutoCompleteHint != want.AutoCompleteHint || have.AutoCompleteDesc != want.AutoCompleteDesc ||
		have.DisplayName != want.DisplayName || have.Description != want.Description {
		diff = append(diff, "autocomplete")
	}
	if len(diff) == 0 {
		r.report(StepOK, "/zoom in team %s is up to date", t.Name)
		return
	}
	upd := have
	upd.Method, upd.URL, upd.DisplayName, upd.Description = want.Method, want.URL, want.DisplayName, want.Description
	upd.AutoComplete, upd.AutoCompleteDesc, upd.AutoCompleteHint = want.AutoComplete, want.AutoCompleteDesc, want.AutoCompleteHint
	if _, err := r.Admin.UpdateCommand(ctx, &upd); err != nil {
		r.fail(err, "cannot update /zoom in team "+t.Name, "the token needs the manage_others_slash_commands permission (a system admin's)")
		return
	}
	r.report(StepChanged, "updated /zoom in team %s (%s)", t.Name, strings.Join(diff, ", "))
}

// pinned explains a patch Mattermost answered with 200 but did not apply: its configuration store puts
// the MM_<SECTION>_<SETTING> environment variables back over every change (config.Store.Set).
func pinned(section, key, value string) string {
	env := "MM_" + strings.ToUpper(section) + "_" + strings.ToUpper(key)
	return fmt.Sprintf("the environment variable %s decides it; set %s=%q where Mattermost runs and restart it, then run setup again", env, env, value)
}

// ShadowedAdvice says what to do when a plugin's /zoom answers before mmzoom's.
const ShadowedAdvice = "a plugin's /zoom answers before mmzoom's (Mattermost runs plugins' commands first), most likely the Zoom plugin " +
	"bundled with Mattermost: disable it in System Console → Plugins → Plugin Management"

// shadowed checks that no plugin's /zoom takes the command from mmzoom in the team.
func (r *setupRun) shadowed(ctx context.Context, t Team) {
	shadowed, err := r.Admin.CommandShadowed(ctx, t.ID, "zoom")
	switch {
	case err != nil:
		r.fail(err, "cannot list the commands of team "+t.Name, commandFix(err))
	case shadowed:
		r.report(StepFailed, "/zoom in team %s never reaches mmzoom: %s", t.Name, ShadowedAdvice)
	}
}

// commandFix says how to get past a refusal of the commands API. Mattermost answers 501 to the listing as
// well as to the creation when custom commands are off (app ListTeamCommands, CreateCommand).
func commandFix(err error) string {
	if statusOf(err) == http.StatusNotImplemented {
		return "custom slash commands are off: turn on ServiceSettings.EnableCommands (System Console → Integrations → Integration Management)"
	}
	return "the token needs the manage_slash_commands permission (a system admin's)"
}

// reachable checks whether Mattermost's outgoing client may call MMZOOM_SITE_URL.
func (r *setupRun) reachable(ctx context.Context) {
	u, err := url.Parse(r.SiteURL)
	if err != nil || u.Hostname() == "" {
		r.report(StepFailed, "MMZOOM_SITE_URL %q is not a URL", r.SiteURL)
		return
	}
	host := u.Hostname()
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else if r.LookupIP != nil {
		if ips, err = r.LookupIP(ctx, host); err != nil {
			r.report(StepAdvice, "cannot resolve %s here (%v): if Mattermost resolves it to a private address, add %q to ServiceSettings.AllowedUntrustedInternalConnections", host, err, host)
			return
		}
	}
	var private []string
	for _, ip := range ips {
		if IsReservedIP(ip) {
			private = append(private, ip.String())
		}
	}
	setting := r.cfg.ServiceSettings.AllowedUntrustedInternalConnections
	switch {
	case len(private) == 0:
		// Mattermost refuses its own host's addresses like private ones (httpservice IsOwnIP), which
		// setup cannot see from here: say so, with the entry that allows it.
		var cidrs []string
		for _, ip := range ips {
			if ip.To4() != nil {
				cidrs = append(cidrs, ip.String()+"/32")
			} else {
				cidrs = append(cidrs, ip.String()+"/128")
			}
		}
		r.report(StepOK, "%s is a public address: Mattermost may call mmzoom at %s, unless mmzoom runs on Mattermost's own host, "+
			"whose addresses Mattermost refuses like private ones (then add %q to ServiceSettings.AllowedUntrustedInternalConnections)",
			host, r.SiteURL, strings.Join(cidrs, " "))
		return
	case UntrustedAllows(setting, host, ips):
		r.report(StepOK, "%s is a private address (%s) that ServiceSettings.AllowedUntrustedInternalConnections allows", host, strings.Join(private, ", "))
		return
	}
	where := "System Console → Environment → Developer → Allow untrusted internal connections to"
	if !r.agree(fmt.Sprintf("Mattermost refuses to call the private address %s. Add %q to ServiceSettings.AllowedUntrustedInternalConnections?", host, host)) {
		r.report(StepFailed, "%s is a private address (%s): Mattermost refuses to call it and users see only \"Command with a trigger of 'zoom' failed\"; "+
			"add %q to ServiceSettings.AllowedUntrustedInternalConnections (%s), or run setup again with --yes", host, strings.Join(private, ", "), host, where)
		return
	}
	value := AddUntrusted(setting, host)
	cfg, err := r.Admin.PatchConfig(ctx, map[string]map[string]any{"ServiceSettings": {"AllowedUntrustedInternalConnections": value}})
	if err != nil {
		r.fail(err, "cannot change ServiceSettings.AllowedUntrustedInternalConnections", "add "+host+" in "+where)
		return
	}
	if !UntrustedAllows(cfg.ServiceSettings.AllowedUntrustedInternalConnections, host, ips) {
		r.report(StepFailed, "Mattermost kept ServiceSettings.AllowedUntrustedInternalConnections at %q: %s (or ExperimentalSettings.RestrictSystemAdmin "+
			"forbids system admins to change it, as on Mattermost Cloud, where mmzoom needs a public address)", cfg.ServiceSettings.AllowedUntrustedInternalConnections,
			pinned("ServiceSettings", "AllowedUntrustedInternalConnections", value))
		return
	}
	r.cfg = cfg
	r.report(StepChanged, "added %q to ServiceSettings.AllowedUntrustedInternalConnections (now %q): Mattermost may call the private address %s", host, value, host)
}

// plugin uploads and enables the webapp plugin when the server takes uploads and is recent enough.
func (r *setupRun) plugin(ctx context.Context, version string) {
	if r.Plugin == nil {
		return
	}
	m, err := ReadPluginManifest(r.Plugin)
	if err != nil {
		r.report(StepFailed, "the embedded webapp plugin is unreadable: %v", err)
		return
	}
	download := r.SiteURL + "/plugin/" + m.ID + ".tar.gz"
	// A plugin whose min_server_version is above the server's uploads and enables but never starts (§8).
	major, minor := 9, 0
	if v := strings.Split(m.MinServerVersion, "."); len(v) >= 2 {
		if a, err := strconv.Atoi(v[0]); err == nil {
			if b, err := strconv.Atoi(v[1]); err == nil {
				major, minor = a, b
			}
		}
	}
	if !VersionAtLeast(version, major, minor) {
		r.report(StepAdvice, "webapp plugin skipped: it needs Mattermost %d.%d or newer and this server is %s; /zoom and the cards work without it", major, minor, version)
		return
	}
	if !r.cfg.PluginSettings.Enable {
		// Mattermost answers 501 to every plugin call then.
		r.report(StepAdvice, "webapp plugin %s %s not installed: plugins are off in Mattermost (PluginSettings.Enable); turn them on in "+
			"System Console → Plugins → Plugin Management, then run setup again; /zoom and the cards work without it", m.ID, m.Version)
		return
	}
	active, inactive, err := r.Admin.Plugins(ctx)
	if err != nil {
		r.fail(err, "cannot list Mattermost's plugins", "the token needs the manage_system permission (a system admin's)")
		return
	}
	find := func(list []PluginManifest) *PluginManifest {
		if i := slices.IndexFunc(list, func(p PluginManifest) bool { return p.ID == m.ID }); i >= 0 {
			return &list[i]
		}
		return nil
	}
	if p := find(active); p != nil && p.Version == m.Version {
		r.report(StepOK, "webapp plugin %s %s is installed and enabled", m.ID, m.Version)
		return
	}
	installed := find(inactive)
	if installed == nil || installed.Version != m.Version {
		ps := r.cfg.PluginSettings
		if !ps.Enable || !ps.EnableUploads || ps.RequirePluginSignature {
			r.report(StepAdvice, "webapp plugin %s %s not installed: Mattermost does not take plugin uploads (PluginSettings.EnableUploads must be true, "+
				"and only config.json or MM_PLUGINSETTINGS_ENABLEUPLOADS=true can set it; restart Mattermost after), then run setup again; "+
				"or upload %s in System Console → Plugins → Plugin Management", m.ID, m.Version, download)
			return
		}
		if _, err := r.Admin.UploadPlugin(ctx, r.Plugin, true); err != nil {
			r.fail(err, "cannot upload the webapp plugin", "upload "+download+" in System Console → Plugins → Plugin Management")
			return
		}
	}
	if err := r.Admin.EnablePlugin(ctx, m.ID); err != nil {
		r.fail(err, "cannot enable the webapp plugin "+m.ID, "enable it in System Console → Plugins → Plugin Management")
		return
	}
	r.report(StepChanged, "installed and enabled webapp plugin %s %s", m.ID, m.Version)
}

// email explains the e-mail-matching choice; setup never turns RequireEmailVerification on.
func (r *setupRun) email() {
	if r.cfg.EmailSettings.RequireEmailVerification {
		r.report(StepOK, "e-mail matching (account and s2s apps): Mattermost requires e-mail verification, so mmzoom may find users in Zoom by their e-mail")
		return
	}
	r.report(StepAdvice, "e-mail matching (account and s2s apps): EmailSettings.RequireEmailVerification is off, so mmzoom finds in Zoom only users who sign in "+
		"through SSO/LDAP; setup leaves it off because turning it on locks out every user whose e-mail is not verified; to match e-mail/password "+
		"users, turn it on yourself or accept the risk with \"trust_unverified_email\": true in the config file (user-managed apps need neither)")
}
