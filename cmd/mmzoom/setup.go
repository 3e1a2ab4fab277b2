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

const setupHelp = `usage: mmzoom setup [flags]

Prepares Mattermost for mmzoom with a system admin's token: creates or finds the bot, gives it a token,
its roles and team memberships, registers or updates /zoom in each team, checks that Mattermost may call
MMZOOM_SITE_URL, uploads and enables the webapp plugin when the server allows it, and writes the bot token
and the command tokens to the config file (MMZOOM_CONFIG, default mmzoom.json; mode 0600), which serve
reads. Each step prints one line; a second run changes nothing and says so.

It reads MMZOOM_MATTERMOST_URL, MMZOOM_SITE_URL and MMZOOM_MATTERMOST_ADMIN_TOKEN (a system admin's
personal access token; never a flag, so it stays out of the shell history; it is not stored).

Exit status: 0 when every step succeeded, 1 when one failed (its line says how to fix it), 2 on a usage
error.

flags:
`

// commandHint is the /zoom command's autocomplete hint: the sub-commands, which are the same words in every
// language.
const commandHint = "[start|connect|disconnect|settings|channel|admin|help]"

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
}

// runSetup is mmzoom setup. It returns an error (a *usageError for the environment) only when it could not
// run; a failed step makes it return errSetupFailed after its line.
func runSetup(ctx context.Context, fl setupFlags, getenv func(string) string, stdout io.Writer, d setupDeps) error {
	mmURL := strings.TrimRight(strings.TrimSpace(getenv("MMZOOM_MATTERMOST_URL")), "/")
	siteURL := strings.TrimRight(strings.TrimSpace(getenv("MMZOOM_SITE_URL")), "/")
	token := strings.TrimSpace(getenv("MMZOOM_MATTERMOST_ADMIN_TOKEN"))
	var problems []string
	for _, v := range []struct{ name, value string }{{"MMZOOM_MATTERMOST_URL", mmURL}, {"MMZOOM_SITE_URL", siteURL}} {
		if u, err := url.Parse(v.value); v.value == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, v.name+" is required: an http(s) URL")
		}
	}
	if token == "" {
		problems = append(problems, "MMZOOM_MATTERMOST_ADMIN_TOKEN is required: a system admin's personal access token (Profile → Security → Personal Access Tokens)")
	}
	if len(problems) > 0 {
		return &usageError{strings.Join(problems, "; ")}
	}
	path := strings.TrimSpace(getenv("MMZOOM_CONFIG"))
	if path == "" {
		path = "mmzoom.json"
	}
	file, err := readSetupFile(path, d.readFile)
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
	}
	res, runErr := s.Run(ctx)
	if runErr == nil && res.BotToken != "" {
		changed, err := writeSetupFile(path, file, res)
		switch {
		case err != nil:
			fmt.Fprintf(stdout, "✘ cannot write %s: %v; check the directory's permissions or set MMZOOM_CONFIG to another path\n", path, err)
			res.Failed = true
		case changed:
			fmt.Fprintf(stdout, "✔ wrote the bot token and %d command token(s) to %s (mode 0600); serve reads it with MMZOOM_CONFIG=%s\n",
				len(res.CommandTokens), path, path)
			res.Changes++
		default:
			fmt.Fprintf(stdout, "✔ %s is up to date\n", path)
		}
	}
	switch {
	case res.Failed:
		fmt.Fprintln(stdout, "Setup is not complete: fix the ✘ lines above and run mmzoom setup again.")
		return errSetupFailed
	case res.Changes == 0:
		fmt.Fprintln(stdout, "Nothing changed: Mattermost and "+path+" were already set up for mmzoom.")
	default:
		fmt.Fprintf(stdout, "Done: %d change(s). Run mmzoom doctor once mmzoom serve is up.\n", res.Changes)
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
func readSetupFile(path string, readFile func(string) ([]byte, error)) (map[string]any, error) {
	if readFile == nil {
		readFile = os.ReadFile
	}
	b, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s (MMZOOM_CONFIG) is not valid JSON: %v", path, err)
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
