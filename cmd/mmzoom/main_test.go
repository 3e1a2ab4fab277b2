package main

import (
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sqlite"
)

// testMattermost is the Mattermost simulator on loopback with a bot, for serve's check of the bot token.
func testMattermost(t *testing.T) (url, botToken string) {
	t.Helper()
	sim := mmsim.New(mmsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetSiteURL(srv.URL)
	_, tok := sim.AddBot("zoom", "Zoom")
	return srv.URL, tok
}

// closedURL is an http URL nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestCommandLine runs mmzoom's command line as a user types it: help is asked for and printed (exit 0),
// mistakes are said once on stderr (exit 2), and failures to start say what to fix (exit 1).
func TestCommandLine(t *testing.T) {
	mmURL, botToken := testMattermost(t)
	unreachable := closedURL(t)
	dir := t.TempDir()
	emptyDB := filepath.Join(dir, "empty.db")
	k, _ := seal.ParseKey(testKey)
	box, _ := seal.NewBox(k)
	st, err := sqlite.Open(context.Background(), emptyDB, box, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	serveEnv := func(edit map[string]string) map[string]string {
		env := validEnv("s2s")
		env["MMZOOM_LISTEN"] = "127.0.0.1:0"
		env["MMZOOM_DATABASE"] = "sqlite://" + filepath.Join(t.TempDir(), "mmzoom.db")
		env["MMZOOM_MATTERMOST_URL"] = mmURL
		env["MMZOOM_MATTERMOST_BOT_TOKEN"] = botToken
		for k, v := range edit {
			env[k] = v
		}
		return env
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int
		// stdout and stderr must contain these; once, each of them, where the output is an error.
		stdout, stderr []string
		// neither output may contain these.
		never []string
	}{
		{name: "no command", args: nil, code: 2, stderr: []string{"usage: mmzoom <command>"}},
		{name: "help", args: []string{"help"}, code: 0, stdout: []string{"usage: mmzoom <command>", "dead-letters"}},
		{name: "--help", args: []string{"--help"}, code: 0, stdout: []string{"usage: mmzoom <command>"}},
		{name: "-h", args: []string{"-h"}, code: 0, stdout: []string{"usage: mmzoom <command>"}},
		{name: "unknown command", args: []string{"srve"}, code: 2, stderr: []string{`unknown command "srve"`}},
		{name: "serve --help", args: []string{"serve", "--help"}, code: 0, stdout: []string{"usage: mmzoom serve", "MMZOOM_"}},
		{name: "serve -h", args: []string{"serve", "-h"}, code: 0, stdout: []string{"usage: mmzoom serve"}},
		{name: "keygen --help", args: []string{"keygen", "--help"}, code: 0, stdout: []string{"usage: mmzoom keygen"}},
		{name: "dead-letters --help", args: []string{"dead-letters", "--help"}, code: 0, stdout: []string{"usage: mmzoom dead-letters"}},
		{name: "demo --help", args: []string{"demo", "--help"}, code: 0, stdout: []string{"usage: mmzoom demo", "-kind", "-listen"}},
		{name: "setup --help", args: []string{"setup", "--help"}, code: 0,
			stdout: []string{"usage: mmzoom setup", "MMZOOM_MATTERMOST_ADMIN_TOKEN", "-team", "-yes", "-bot-roles"}},
		{name: "doctor --help", args: []string{"doctor", "--help"}, code: 0, stdout: []string{"usage: mmzoom doctor", "-json"}},
		{name: "setup without the admin token", args: []string{"setup"},
			env: map[string]string{"MMZOOM_MATTERMOST_URL": "https://chat.example.com", "MMZOOM_SITE_URL": "https://mmzoom.example.com"}, code: 2,
			stderr: []string{"MMZOOM_MATTERMOST_ADMIN_TOKEN is required"}},
		{name: "setup takes no token flag", args: []string{"setup", "--token", "x-SECRET"}, code: 2,
			stderr: []string{"flag provided but not defined: -token"}, never: []string{"x-SECRET"}},
		{name: "serve with an unknown flag", args: []string{"serve", "-port", "80"}, code: 2,
			stderr: []string{"flag provided but not defined: -port", "mmzoom serve --help"}},
		{name: "keygen with an argument", args: []string{"keygen", "now"}, code: 2, stderr: []string{`unexpected argument "now"`}},
		{name: "demo with an unknown flag", args: []string{"demo", "-nope"}, code: 2, stderr: []string{"flag provided but not defined: -nope"}},
		{name: "demo with an unknown kind", args: []string{"demo", "-kind", "oauth"}, code: 2, stderr: []string{`-kind must be user, account or s2s, got "oauth"`}},
		{name: "dead-letters without the key", args: []string{"dead-letters"},
			env: map[string]string{"MMZOOM_DATABASE": "sqlite://" + emptyDB}, code: 2, stderr: []string{"MMZOOM_ENCRYPTION_KEY is required"}},
		{name: "dead-letters with a bad key", args: []string{"dead-letters"},
			env: map[string]string{"MMZOOM_DATABASE": "sqlite://" + emptyDB, "MMZOOM_ENCRYPTION_KEY": "c2hvcnQ="}, code: 2,
			stderr: []string{"MMZOOM_ENCRYPTION_KEY is invalid"}, never: []string{"c2hvcnQ="}},
		{name: "dead-letters where there is no database", args: []string{"dead-letters"},
			env: map[string]string{"MMZOOM_DATABASE": "sqlite://" + filepath.Join(dir, "nowhere.db"), "MMZOOM_ENCRYPTION_KEY": testKey}, code: 2,
			stderr: []string{"nowhere.db, which does not exist"}},
		{name: "dead-letters on an empty database", args: []string{"dead-letters"},
			env: map[string]string{"MMZOOM_DATABASE": "sqlite://" + emptyDB, "MMZOOM_ENCRYPTION_KEY": testKey}, code: 0,
			stdout: []string{"No dead letters"}},
		{name: "serve with a bad configuration", args: []string{"serve"}, env: serveEnv(map[string]string{"MMZOOM_ZOOM_CLIENT_SECRET": ""}),
			code: 2, stderr: []string{"MMZOOM_ZOOM_CLIENT_SECRET is required"}, never: []string{"-SECRET"}},
		{name: "serve with a token Mattermost refuses", args: []string{"serve"},
			env: serveEnv(map[string]string{"MMZOOM_MATTERMOST_BOT_TOKEN": "revoked-SECRET"}), code: 1,
			stderr: []string{"refused MMZOOM_MATTERMOST_BOT_TOKEN (HTTP 401", "the token is wrong or was revoked"},
			never:  []string{"-SECRET", "mmzoom listening"}},
		{name: "serve with an unreachable Mattermost", args: []string{"serve"},
			env: serveEnv(map[string]string{"MMZOOM_MATTERMOST_URL": unreachable}), code: 1,
			stderr: []string{"cannot reach Mattermost at " + unreachable + " (MMZOOM_MATTERMOST_URL)"},
			never:  []string{"mmzoom listening", "meeting: "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			code := run(ctx, c.args, func(k string) string { return c.env[k] }, &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout.String(), stderr.String())
			}
			for _, w := range c.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range c.stderr {
				if n := strings.Count(stderr.String(), w); n != 1 {
					t.Errorf("stderr says %q %d times, want once:\n%s", w, n, stderr.String())
				}
			}
			if c.code == 0 && stderr.Len() != 0 {
				t.Errorf("stderr on success: %s", stderr.String())
			}
			if c.code != 0 && stdout.Len() != 0 {
				t.Errorf("stdout on failure: %s", stdout.String())
			}
			for _, w := range c.never {
				if strings.Contains(stdout.String()+stderr.String(), w) {
					t.Errorf("output contains %q:\n%s%s", w, stdout.String(), stderr.String())
				}
			}
		})
	}
}

// A replica collects garbage sooner than Go's default unless the operator chose with GOGC.
func TestServeGCPercent(t *testing.T) {
	for _, tt := range []struct {
		gogc   string
		pct    int
		change bool
	}{
		{"", 50, true},
		{"100", 0, false},
		{"off", 0, false},
	} {
		pct, change := serveGCPercent(func(k string) string {
			if k == "GOGC" {
				return tt.gogc
			}
			return ""
		})
		if pct != tt.pct || change != tt.change {
			t.Errorf("GOGC=%q: %d, %v; want %d, %v", tt.gogc, pct, change, tt.pct, tt.change)
		}
	}
}
