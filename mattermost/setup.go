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
	// Text gives a line in the admin's language: a message key (cli.setup.*) with its placeholders as
	// name/value pairs, as i18n.Catalog.T in one locale does. Nil shows the keys and values (tests).
	Text func(key string, args ...any) string
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

// t is the message key in the admin's language.
func (r *setupRun) t(key string, args ...any) string {
	if r.Text != nil {
		return r.Text(key, args...)
	}
	return fmt.Sprint(append([]any{key}, args...)...)
}

// report reports a step's line, the message key with its placeholders.
func (r *setupRun) report(status StepStatus, key string, args ...any) {
	switch status {
	case StepChanged:
		r.res.Changes++
	case StepFailed:
		r.res.Failed = true
	}
	if r.Report != nil {
		r.Report(Step{Status: status, Text: r.t(key, args...)})
	}
}

// fail reports a failed step: what was being done, what Mattermost answered, and the fix.
func (r *setupRun) fail(err error, doing, fix string) {
	r.report(StepFailed, "cli.setup.failed", "Doing", doing, "Answer", r.answer(err), "Fix", fix)
}

// perm is the fix for a refusal that a system admin's token would not get.
func (r *setupRun) perm(permission string) string {
	return r.t("cli.setup.fix_permission", "Permission", permission)
}

// answer says what Mattermost answered, without the request's details.
func (r *setupRun) answer(err error) string {
	if e, ok := MattermostError(err); ok {
		return r.t("cli.setup.answered", "Status", e.StatusCode, "ID", e.ID)
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
		r.report(StepFailed, "cli.setup.roles_need_user", "Roles", strconv.Quote(s.BotRoles), "Default", strconv.Quote(DefaultBotRoles))
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
		r.fail(err, r.t("cli.setup.admin_refused", "URL", r.MattermostURL), r.t("cli.setup.admin_refused_fix"))
		return "", errStop
	case meeting.KindOf(err) == meeting.KindChatUnavailable || statusOf(err) != 0:
		r.fail(err, r.t("cli.setup.mattermost_unusable", "URL", r.MattermostURL), r.t("cli.setup.fix_url_up"))
		return "", errStop
	case err != nil:
		r.fail(err, r.t("cli.setup.not_mattermost", "URL", r.MattermostURL), r.t("cli.setup.fix_url"))
		return "", errStop
	case !me.HasRole("system_admin"):
		r.report(StepFailed, "cli.setup.admin_not_admin", "User", me.Username, "Roles", strconv.Quote(me.Roles))
		return "", errStop
	}
	version, err := r.Admin.ServerVersion(ctx)
	if err != nil {
		r.fail(err, r.t("cli.setup.no_version"), r.t("cli.setup.fix_url"))
		return "", errStop
	}
	if r.cfg, err = r.Admin.Config(ctx); err != nil {
		r.fail(err, r.t("cli.setup.no_config"), r.perm("manage_system"))
		return "", errStop
	}
	r.report(StepOK, "cli.setup.admin_ok", "Version", version, "URL", r.MattermostURL, "User", me.Username)
	return version, nil
}

// bot finds the bot account or creates it, turning bot creation on if the admin agrees.
func (r *setupRun) bot(ctx context.Context) (*AdminUser, error) {
	name := r.BotUsername
	u, err := r.Admin.UserByUsername(ctx, name)
	switch {
	case err == nil && !u.IsBot:
		r.report(StepFailed, "cli.setup.bot_is_person", "Name", name)
		return nil, errStop
	case err == nil && u.DeleteAt != 0:
		r.report(StepFailed, "cli.setup.bot_disabled", "Name", name)
		return nil, errStop
	case err == nil:
		r.report(StepOK, "cli.setup.bot_exists", "Name", name)
		return u, nil
	case statusOf(err) == http.StatusBadRequest:
		// Mattermost refuses what is not a username before looking it up (Context.RequireUsername).
		r.report(StepFailed, "cli.setup.bot_bad_name", "Name", strconv.Quote(name))
		return nil, errStop
	case !errors.Is(err, meeting.ErrNotFound):
		r.fail(err, r.t("cli.setup.bot_lookup_failed", "Name", name), r.t("cli.setup.fix_up"))
		return nil, errStop
	}
	if !r.cfg.ServiceSettings.EnableBotAccountCreation {
		if !r.agree(r.t("cli.setup.ask_bot_creation", "Name", name)) {
			r.report(StepFailed, "cli.setup.bot_creation_off", "Name", name)
			return nil, errStop
		}
		cfg, err := r.Admin.PatchConfig(ctx, map[string]map[string]any{"ServiceSettings": {"EnableBotAccountCreation": true}})
		if err != nil {
			r.fail(err, r.t("cli.setup.bot_creation_patch_failed"), r.t("cli.setup.bot_creation_patch_fix"))
			return nil, errStop
		}
		if !cfg.ServiceSettings.EnableBotAccountCreation {
			r.report(StepFailed, "cli.setup.bot_creation_kept_off", "Why", r.pinned("ServiceSettings", "EnableBotAccountCreation", "true"))
			return nil, errStop
		}
		r.cfg = cfg
		r.report(StepChanged, "cli.setup.bot_creation_on")
	}
	u, err = r.Admin.CreateBot(ctx, name, "Zoom", "Zoom meetings (mmzoom)")
	if err != nil {
		r.fail(err, r.t("cli.setup.bot_create_failed", "Name", name), r.perm("create_bot"))
		return nil, errStop
	}
	r.report(StepChanged, "cli.setup.bot_created", "Name", name)
	return u, nil
}

// botToken keeps the configured bot token while it still signs in as the bot, or creates one.
func (r *setupRun) botToken(ctx context.Context, bot *AdminUser) error {
	why := r.t("cli.setup.token_why_none")
	if r.BotToken != "" {
		me, err := NewClient(ClientConfig{BaseURL: r.MattermostURL, BotToken: r.BotToken, HTTPClient: r.HTTPClient}).Me(ctx)
		switch {
		case err == nil && me.ID == bot.ID:
			r.res.BotToken = r.BotToken
			r.report(StepOK, "cli.setup.token_ok", "Name", bot.Username)
			return nil
		case err == nil:
			why = r.t("cli.setup.token_why_other", "Name", me.Username)
		case statusOf(err) == http.StatusUnauthorized:
			why = r.t("cli.setup.token_why_refused")
		default:
			r.fail(err, r.t("cli.setup.token_check_failed"), r.t("cli.setup.fix_up"))
			return errStop
		}
	}
	tok, err := r.Admin.CreateToken(ctx, bot.ID, "mmzoom")
	if err != nil {
		r.fail(err, r.t("cli.setup.token_create_failed", "Name", bot.Username), r.perm("create_user_access_token"))
		return errStop
	}
	r.res.BotToken = tok
	r.report(StepChanged, "cli.setup.token_created", "Name", bot.Username, "Why", why)
	return nil
}

// roles gives the bot exactly the wanted roles.
func (r *setupRun) roles(ctx context.Context, bot *AdminUser) {
	want := strings.Fields(r.BotRoles)
	have := strings.Fields(bot.Roles)
	slices.Sort(want)
	slices.Sort(have)
	if slices.Equal(want, have) {
		r.report(StepOK, "cli.setup.roles_ok", "Name", bot.Username, "Roles", strconv.Quote(r.BotRoles))
		return
	}
	roles := strings.Join(strings.Fields(r.BotRoles), " ")
	if err := r.Admin.SetRoles(ctx, bot.ID, roles); err != nil {
		fix := r.perm("manage_roles")
		if e, ok := MattermostError(err); ok && e.StatusCode == http.StatusBadRequest {
			switch e.ID {
			case "app.role.check_roles_exist.role_not_found":
				fix = r.t("cli.setup.roles_fix_unknown", "Default", strconv.Quote(DefaultBotRoles))
			case "api.user.update_user_roles.license.app_error":
				fix = r.t("cli.setup.roles_fix_licence", "Default", strconv.Quote(DefaultBotRoles))
			default:
				fix = r.t("cli.setup.roles_fix_refused")
			}
		}
		r.fail(err, r.t("cli.setup.roles_failed", "Name", bot.Username, "Roles", strconv.Quote(roles)), fix)
		return
	}
	r.report(StepChanged, "cli.setup.roles_given", "Name", bot.Username, "Roles", strconv.Quote(roles), "Old", strconv.Quote(bot.Roles))
}

// teams resolves --team names, or lists every team.
func (r *setupRun) teams(ctx context.Context) ([]Team, error) {
	if len(r.Teams) == 0 {
		all, err := r.Admin.Teams(ctx)
		if err != nil {
			r.fail(err, r.t("cli.setup.teams_failed"), r.t("cli.setup.fix_up"))
			return nil, errStop
		}
		if len(all) == 0 {
			r.report(StepFailed, "cli.setup.no_team")
			return nil, errStop
		}
		return all, nil
	}
	var out []Team
	for _, name := range r.Teams {
		t, err := r.Admin.TeamByName(ctx, name)
		// Mattermost answers 400 to what is not a team name at all (capitals, spaces: a display name).
		if errors.Is(err, meeting.ErrNotFound) || statusOf(err) == http.StatusBadRequest {
			r.report(StepFailed, "cli.setup.team_unknown", "Name", strconv.Quote(name))
			continue
		}
		if err != nil {
			r.fail(err, r.t("cli.setup.team_lookup_failed", "Team", name), r.t("cli.setup.fix_up"))
			return nil, errStop
		}
		out = append(out, *t)
	}
	return out, nil
}

func (r *setupRun) membership(ctx context.Context, t Team, bot *AdminUser) {
	ok, err := r.Admin.IsTeamMember(ctx, t.ID, bot.ID)
	if err == nil && ok {
		r.report(StepOK, "cli.setup.member_ok", "Name", bot.Username, "Team", t.Name)
		return
	}
	if err == nil {
		err = r.Admin.AddTeamMember(ctx, t.ID, bot.ID)
	}
	if err != nil {
		r.fail(err, r.t("cli.setup.member_failed", "Name", bot.Username, "Team", t.Name), r.perm("add_user_to_team"))
		return
	}
	r.report(StepChanged, "cli.setup.member_added", "Name", bot.Username, "Team", t.Name)
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
		r.fail(err, r.t("cli.setup.commands_failed", "Team", t.Name), r.commandFix(err))
		return
	}
	i := slices.IndexFunc(cmds, func(c Command) bool { return c.Trigger == "zoom" })
	if i < 0 {
		c, err := r.Admin.CreateCommand(ctx, &want)
		if err != nil {
			r.fail(err, r.t("cli.setup.command_create_failed", "Team", t.Name), r.commandFix(err))
			return
		}
		r.res.CommandTokens[t.Name] = c.Token
		r.report(StepChanged, "cli.setup.command_created", "Team", t.Name, "URL", want.URL)
		return
	}
	have := cmds[i]
	if !strings.HasSuffix(have.URL, CommandPath) {
		r.report(StepFailed, "cli.setup.command_foreign", "Team", t.Name, "URL", have.URL)
		return
	}
	r.res.CommandTokens[t.Name] = have.Token
	var diff []string
	if have.URL != want.URL || have.Method != want.Method {
		diff = append(diff, r.t("cli.setup.command_diff_url", "URL", want.URL))
	}
	if have.AutoComplete != want.AutoComplete || have.AutoCompleteHint != want.AutoCompleteHint || have.AutoCompleteDesc != want.AutoCompleteDesc ||
		have.DisplayName != want.DisplayName || have.Description != want.Description {
		diff = append(diff, r.t("cli.setup.command_diff_autocomplete"))
	}
	if len(diff) == 0 {
		r.report(StepOK, "cli.setup.command_ok", "Team", t.Name)
		return
	}
	upd := have
	upd.Method, upd.URL, upd.DisplayName, upd.Description = want.Method, want.URL, want.DisplayName, want.Description
	upd.AutoComplete, upd.AutoCompleteDesc, upd.AutoCompleteHint = want.AutoComplete, want.AutoCompleteDesc, want.AutoCompleteHint
	if _, err := r.Admin.UpdateCommand(ctx, &upd); err != nil {
		r.fail(err, r.t("cli.setup.command_update_failed", "Team", t.Name), r.perm("manage_others_slash_commands"))
		return
	}
	r.report(StepChanged, "cli.setup.command_updated", "Team", t.Name, "What", strings.Join(diff, r.t("cli.list_separator")))
}

// pinned explains a patch Mattermost answered with 200 but did not apply: its configuration store puts
// the MM_<SECTION>_<SETTING> environment variables back over every change (config.Store.Set).
func (r *setupRun) pinned(section, key, value string) string {
	env := "MM_" + strings.ToUpper(section) + "_" + strings.ToUpper(key)
	return r.t("cli.setup.pinned", "Env", env, "Value", strconv.Quote(value))
}

// ShadowedAdviceKey is the message key saying what to do when a plugin's /zoom answers before mmzoom's
// (doctor says it too).
const ShadowedAdviceKey = "cli.setup.shadowed_advice"

// shadowed checks that no plugin's /zoom takes the command from mmzoom in the team.
func (r *setupRun) shadowed(ctx context.Context, t Team) {
	shadowed, err := r.Admin.CommandShadowed(ctx, t.ID, "zoom")
	switch {
	case err != nil:
		r.fail(err, r.t("cli.setup.team_commands_failed", "Team", t.Name), r.commandFix(err))
	case shadowed:
		r.report(StepFailed, "cli.setup.shadowed", "Team", t.Name, "Advice", r.t(ShadowedAdviceKey))
	}
}

// commandFix says how to get past a refusal of the commands API. Mattermost answers 501 to the listing as
// well as to the creation when custom commands are off (app ListTeamCommands, CreateCommand).
func (r *setupRun) commandFix(err error) string {
	if statusOf(err) == http.StatusNotImplemented {
		return r.t("cli.setup.commands_off")
	}
	return r.perm("manage_slash_commands")
}

// reachable checks whether Mattermost's outgoing client may call MMZOOM_SITE_URL.
func (r *setupRun) reachable(ctx context.Context) {
	u, err := url.Parse(r.SiteURL)
	if err != nil || u.Hostname() == "" {
		r.report(StepFailed, "cli.setup.site_not_url", "URL", strconv.Quote(r.SiteURL))
		return
	}
	host := u.Hostname()
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else if r.LookupIP != nil {
		if ips, err = r.LookupIP(ctx, host); err != nil {
			r.report(StepAdvice, "cli.setup.unresolved", "Host", host, "Err", err, "Quoted", strconv.Quote(host))
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
		r.report(StepOK, "cli.setup.public", "Host", host, "URL", r.SiteURL, "CIDRs", strconv.Quote(strings.Join(cidrs, " ")))
		return
	case UntrustedAllows(setting, host, ips):
		r.report(StepOK, "cli.setup.private_allowed", "Host", host, "IPs", strings.Join(private, ", "))
		return
	}
	where := r.t("cli.setup.untrusted_where")
	if !r.agree(r.t("cli.setup.ask_untrusted", "Host", host, "Quoted", strconv.Quote(host))) {
		r.report(StepFailed, "cli.setup.private_refused", "Host", host, "IPs", strings.Join(private, ", "), "Quoted", strconv.Quote(host), "Where", where)
		return
	}
	value := AddUntrusted(setting, host)
	cfg, err := r.Admin.PatchConfig(ctx, map[string]map[string]any{"ServiceSettings": {"AllowedUntrustedInternalConnections": value}})
	if err != nil {
		r.fail(err, r.t("cli.setup.untrusted_patch_failed"), r.t("cli.setup.untrusted_patch_fix", "Host", host, "Where", where))
		return
	}
	if !UntrustedAllows(cfg.ServiceSettings.AllowedUntrustedInternalConnections, host, ips) {
		r.report(StepFailed, "cli.setup.untrusted_kept", "Value", strconv.Quote(cfg.ServiceSettings.AllowedUntrustedInternalConnections),
			"Why", r.pinned("ServiceSettings", "AllowedUntrustedInternalConnections", value))
		return
	}
	r.cfg = cfg
	r.report(StepChanged, "cli.setup.untrusted_added", "Quoted", strconv.Quote(host), "Value", strconv.Quote(value), "Host", host)
}

// plugin uploads and enables the webapp plugin when the server takes uploads and is recent enough.
func (r *setupRun) plugin(ctx context.Context, version string) {
	if r.Plugin == nil {
		return
	}
	m, err := ReadPluginManifest(r.Plugin)
	if err != nil {
		r.report(StepFailed, "cli.setup.plugin_unreadable", "Err", err)
		return
	}
	download := r.SiteURL + "/plugin/" + m.ID + ".tar.gz"
	plugin := m.ID + " " + m.Version
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
		r.report(StepAdvice, "cli.setup.plugin_too_old", "Min", fmt.Sprintf("%d.%d", major, minor), "Version", version)
		return
	}
	if !r.cfg.PluginSettings.Enable {
		// Mattermost answers 501 to every plugin call then.
		r.report(StepAdvice, "cli.setup.plugins_off", "Plugin", plugin)
		return
	}
	active, inactive, err := r.Admin.Plugins(ctx)
	if err != nil {
		r.fail(err, r.t("cli.setup.plugins_failed"), r.perm("manage_system"))
		return
	}
	find := func(list []PluginManifest) *PluginManifest {
		if i := slices.IndexFunc(list, func(p PluginManifest) bool { return p.ID == m.ID }); i >= 0 {
			return &list[i]
		}
		return nil
	}
	if p := find(active); p != nil && p.Version == m.Version {
		r.report(StepOK, "cli.setup.plugin_ok", "Plugin", plugin)
		return
	}
	installed := find(inactive)
	if installed == nil || installed.Version != m.Version {
		ps := r.cfg.PluginSettings
		if !ps.Enable || !ps.EnableUploads || ps.RequirePluginSignature {
			r.report(StepAdvice, "cli.setup.plugin_no_uploads", "Plugin", plugin, "URL", download)
			return
		}
		if _, err := r.Admin.UploadPlugin(ctx, r.Plugin, true); err != nil {
			r.fail(err, r.t("cli.setup.plugin_upload_failed"), r.t("cli.setup.plugin_upload_fix", "URL", download))
			return
		}
	}
	if err := r.Admin.EnablePlugin(ctx, m.ID); err != nil {
		r.fail(err, r.t("cli.setup.plugin_enable_failed", "ID", m.ID), r.t("cli.setup.plugin_enable_fix"))
		return
	}
	r.report(StepChanged, "cli.setup.plugin_installed", "Plugin", plugin)
}

// email explains the e-mail-matching choice; setup never turns RequireEmailVerification on.
func (r *setupRun) email() {
	if r.cfg.EmailSettings.RequireEmailVerification {
		r.report(StepOK, "cli.setup.email_ok")
		return
	}
	r.report(StepAdvice, "cli.setup.email_advice")
}
