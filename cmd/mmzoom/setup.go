package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/i18n"
	"github.com/mmzoom/mmzoom/mattermost"
)

// commandHint is the /zoom command's autocomplete hint: the sub-commands, which are the same words in every
// language.
const commandHint = "[start|schedule|list|subscribe|unsubscribe|subscriptions|connect|disconnect|settings|channel|admin|help]"

// setupFlags are mmzoom setup's flags.
type setupFlags struct {
	teams       *teamList
	yes         *bool
	botRoles    *string
	botUsername *string
}

// teamList is the repeatable --team flag.
type teamList []string

// String joins the teams.
func (t *teamList) String() string { return strings.Join(*t, ",") }

// Set adds a team.
func (t *teamList) Set(v string) error {
	if v = strings.TrimSpace(v); v == "" {
		return errors.New("empty team name")
	}
	*t = append(*t, v)
	return nil
}

func newSetupFlags(f *flag.FlagSet) setupFlags {
	s := setupFlags{teams: &teamList{}}
	f.Var(s.teams, "team", "a team to set up, by its URL name (repeatable; default: every team)")
	s.yes = f.Bool("yes", false, "agree to the changes that need the admin's agreement (turning on bot creation, allowing mmzoom's private address)")
	s.botRoles = f.String("bot-roles", mattermost.DefaultBotRoles, "the bot's system roles (must include system_user)")
	s.botUsername = f.String("bot-username", "zoom", "the bot's username")
	return s
}

// setupDeps are what runSetup takes from its caller besides the environment.
type setupDeps struct {
	httpClient *http.Client
	lookupIP   func(ctx context.Context, host string) ([]net.IP, error)
	confirm    func(question string) bool
	readFile   func(string) ([]byte, error)
	// text is the language of every line printed (the zero value is English).
	text cliText
}

// runSetup is mmzoom setup. It returns an error (a *usageError for the environment) only when it could not
// run; a failed step makes it return errSetupFailed after its line.
func runSetup(ctx context.Context, fl setupFlags, getenv func(string) string, stdout io.Writer, d setupDeps) error {
	tx := d.text.orEnglish()
	mmURL := strings.TrimRight(strings.TrimSpace(getenv("MMZOOM_MATTERMOST_URL")), "/")
	siteURL := strings.TrimRight(strings.TrimSpace(getenv("MMZOOM_SITE_URL")), "/")
	token := strings.TrimSpace(getenv("MMZOOM_MATTERMOST_ADMIN_TOKEN"))
	var problems []string
	for _, v := range []struct{ name, value string }{{"MMZOOM_MATTERMOST_URL", mmURL}, {"MMZOOM_SITE_URL", siteURL}} {
		if u, err := url.Parse(v.value); v.value == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, tx.T("cli.setup.url_required", "Name", v.name))
		}
	}
	if token == "" {
		problems = append(problems, tx.T("cli.setup.admin_token_required"))
	}
	if len(problems) > 0 {
		return &usageError{strings.Join(problems, tx.T("cli.problem_separator"))}
	}
	path := strings.TrimSpace(getenv("MMZOOM_CONFIG"))
	if path == "" {
		path = "mmzoom.json"
	}
	file, err := readSetupFile(tx, path, d.readFile)
	if err != nil {
		return &usageError{err.Error()}
	}
	if d.httpClient == nil {
		d.httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	text, err := i18n.Load()
	if err != nil {
		return err
	}
	botToken := strings.TrimSpace(getenv("MMZOOM_MATTERMOST_BOT_TOKEN"))
	if botToken == "" {
		botToken, _ = file["mattermost_bot_token"].(string)
	}
	s := &mattermost.Setup{
		Admin:         mattermost.NewAdmin(mmURL, token, d.httpClient),
		MattermostURL: mmURL, SiteURL: siteURL, Teams: *fl.teams, BotUsername: *fl.botUsername, BotRoles: *fl.botRoles,
		BotToken: botToken, HTTPClient: d.httpClient, Yes: *fl.yes, Confirm: d.confirm, Plugin: pluginBundle,
		CommandText: func(locale string) mattermost.CommandText {
			return mattermost.CommandText{DisplayName: "Zoom", Description: text.T(locale, "setup.command.description"), Hint: commandHint}
		},
		LookupIP: d.lookupIP,
		Report:   func(st mattermost.Step) { fmt.Fprintln(stdout, stepMark(st.Status)+" "+st.Text) },
		Text:     tx.T,
	}
	res, runErr := s.Run(ctx)
	if runErr == nil && res.BotToken != "" {
		changed, err := writeSetupFile(path, file, res)
		switch {
		case err != nil:
			fmt.Fprintln(stdout, "✘ "+tx.T("cli.setup.write_failed", "Path", path, "Err", err))
			res.Failed = true
		case changed:
			fmt.Fprintln(stdout, "✔ "+tx.T("cli.setup.wrote", "Count", len(res.CommandTokens), "Path", path))
			res.Changes++
		default:
			fmt.Fprintln(stdout, "✔ "+tx.T("cli.setup.file_ok", "Path", path))
		}
	}
	switch {
	case res.Failed:
		fmt.Fprintln(stdout, tx.T("cli.setup.incomplete"))
		return errSetupFailed
	case res.Changes == 0:
		fmt.Fprintln(stdout, tx.T("cli.setup.unchanged", "Path", path))
	default:
		fmt.Fprintln(stdout, tx.T("cli.setup.done", "Count", res.Changes))
	}
	return nil
}

// errSetupFailed says a step failed; its line was printed.
var errSetupFailed = errors.New("setup failed")

func stepMark(s mattermost.StepStatus) string {
	switch s {
	case mattermost.StepFailed:
		return "✘"
	case mattermost.StepAdvice:
		return "!"
	}
	return "✔"
}

// readSetupFile reads the config file as generic JSON, so that setup keeps every setting it does not own; a
// missing file is empty.
func readSetupFile(tx cliText, path string, readFile func(string) ([]byte, error)) (map[string]any, error) {
	if readFile == nil {
		readFile = os.ReadFile
	}
	b, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, errors.New(tx.T("cli.setup.read_failed", "Path", path, "Err", err))
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, errors.New(tx.T("cli.setup.bad_json", "Path", path, "Err", err))
	}
	return m, nil
}

// writeSetupFile stores the bot token and the command tokens (merged with the teams set up before) in the
// config file, mode 0600, replacing it atomically; it writes nothing when the content and mode are already
// right.
func writeSetupFile(path string, file map[string]any, res *mattermost.SetupResult) (bool, error) {
	tokens := map[string]any{}
	if old, ok := file["mattermost_command_tokens"].(map[string]any); ok {
		for k, v := range old {
			tokens[k] = v
		}
	}
	for team, tok := range res.CommandTokens {
		tokens[team] = tok
	}
	next := map[string]any{}
	for k, v := range file {
		next[k] = v
	}
	next["mattermost_bot_token"] = res.BotToken
	next["mattermost_command_tokens"] = tokens
	b, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return false, err
	}
	b = append(b, '\n')
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() == 0o600 {
			return false, nil
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mmzoom-setup-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	return true, os.Rename(tmp.Name(), path)
}

// lookupIP resolves a host with the system resolver.
func lookupIP(ctx context.Context, host string) ([]net.IP, error) {
	return net.DefaultResolver.LookupIP(ctx, "ip", host)
}

// promptConfirm asks a yes/no question on a terminal.
func promptConfirm(in io.Reader, out io.Writer) func(string) bool {
	r := bufio.NewReader(in)
	return func(q string) bool {
		fmt.Fprintf(out, "? %s [y/N] ", q)
		line, err := r.ReadString('\n')
		if err != nil {
			// No answer (stdin is /dev/null, which looks like a terminal, or was closed): end the question's
			// line, so that the step's own line starts on the next one.
			fmt.Fprintln(out)
		}
		a := strings.ToLower(strings.TrimSpace(line))
		return a == "y" || a == "yes"
	}
}
