package main

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

const testKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // 32 bytes

func validEnv(kind string) map[string]string {
	return map[string]string{
		"MMZOOM_SITE_URL":                  "https://mmzoom.example.com/",
		"MMZOOM_ENCRYPTION_KEY":            testKey,
		"MMZOOM_MATTERMOST_URL":            "https://chat.example.com",
		"MMZOOM_MATTERMOST_BOT_TOKEN":      "bot-token-SECRET",
		"MMZOOM_MATTERMOST_COMMAND_TOKENS": "tok1, tok2",
		"MMZOOM_ZOOM_APP_KIND":             kind,
		"MMZOOM_ZOOM_CLIENT_ID":            "client",
		"MMZOOM_ZOOM_CLIENT_SECRET":        "client-SECRET",
		"MMZOOM_ZOOM_ACCOUNT_ID":           "account",
		"MMZOOM_ZOOM_WEBHOOK_SECRET":       "webhook-SECRET",
	}
}

func noFile(string) ([]byte, error) { return nil, fs.ErrNotExist }

func TestLoadConfig(t *testing.T) {
	cases := []struct {
		name  string
		kind  string
		edit  map[string]string // "" deletes
		file  string
		want  []string // substrings of the problems, one per expected problem
		check func(t *testing.T, c *config)
	}{
		{name: "s2s complete", kind: "s2s", check: func(t *testing.T, c *config) {
			if c.Kind != meeting.KindS2S || c.SiteURL != "https://mmzoom.example.com" || len(c.CommandTokens) != 2 ||
				c.Listen != ":8090" || c.Database != "sqlite://mmzoom.db" || c.ZoomURL != "https://zoom.us" ||
				c.ZoomAPIURL != "https://api.zoom.us/v2" {
				t.Errorf("config %+v", c)
			}
		}},
		{name: "user kind needs no account id", kind: "user", edit: map[string]string{"MMZOOM_ZOOM_ACCOUNT_ID": ""}},
		{name: "s2s needs the account id", kind: "s2s", edit: map[string]string{"MMZOOM_ZOOM_ACCOUNT_ID": ""},
			want: []string{"MMZOOM_ZOOM_ACCOUNT_ID"}},
		{name: "every kind needs the webhook secret", kind: "account", edit: map[string]string{"MMZOOM_ZOOM_WEBHOOK_SECRET": ""},
			want: []string{"MMZOOM_ZOOM_WEBHOOK_SECRET"}},
		{name: "unknown kind", kind: "oauth", want: []string{"MMZOOM_ZOOM_APP_KIND"}},
		{name: "several problems, one line each", kind: "user",
			edit: map[string]string{"MMZOOM_ENCRYPTION_KEY": "c2hvcnQ=", "MMZOOM_MATTERMOST_URL": "ftp://x", "MMZOOM_MATTERMOST_COMMAND_TOKENS": ""},
			want: []string{"MMZOOM_ENCRYPTION_KEY", "MMZOOM_MATTERMOST_URL", "MMZOOM_MATTERMOST_COMMAND_TOKENS"}},
		{name: "a URL with a password is refused without printing it", kind: "user",
			edit: map[string]string{"MMZOOM_MATTERMOST_URL": "https://admin:hunter2-SECRET@chat.example.com"},
			want: []string{"MMZOOM_MATTERMOST_URL"}},
		{name: "config file", kind: "s2s", edit: map[string]string{"MMZOOM_CONFIG": "/etc/mmzoom.json"},
			file: `{"show_passcode": false, "recent_meeting_window": "90m", "trust_unverified_email": true}`,
			check: func(t *testing.T, c *config) {
				if c.ShowPasscode || c.RecentWindow != 90*time.Minute || !c.TrustUnverified {
					t.Errorf("file settings not applied: %+v", c)
				}
			}},
		{name: "config file with an unknown key", kind: "s2s", edit: map[string]string{"MMZOOM_CONFIG": "/etc/mmzoom.json"},
			file: `{"show_pascode": false}`, want: []string{"MMZOOM_CONFIG"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := validEnv(c.kind)
			for k, v := range c.edit {
				env[k] = v
			}
			read := noFile
			if c.file != "" {
				read = func(string) ([]byte, error) { return []byte(c.file), nil }
			}
			cfg, problems := loadConfig(func(k string) string { return env[k] }, read)
			if len(problems) != len(c.want) {
				t.Fatalf("problems %q, want %d naming %v", problems, len(c.want), c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(strings.Join(problems, "\n"), w) {
					t.Errorf("no problem names %s: %q", w, problems)
				}
			}
			for _, p := range problems {
				if strings.Contains(p, "-SECRET") || strings.Contains(p, testKey) {
					t.Errorf("a problem line shows a secret: %q", p)
				}
			}
			if c.check != nil {
				c.check(t, cfg)
			}
		})
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := validEnv("s2s")
	delete(env, "MMZOOM_ZOOM_CLIENT_SECRET")
	code := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, &stdout, &stderr)
	if code == 0 {
		t.Fatal("serve started without a client secret")
	}
	if !strings.Contains(stderr.String(), "MMZOOM_ZOOM_CLIENT_SECRET") || strings.Contains(stderr.String(), "-SECRET") {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestKeygenPrintsAUsableKey(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"keygen"}, func(string) string { return "" }, &stdout, &stderr); code != 0 {
		t.Fatalf("keygen exited %d: %s", code, stderr.String())
	}
	env := validEnv("s2s")
	env["MMZOOM_ENCRYPTION_KEY"] = strings.TrimSpace(stdout.String())
	if _, problems := loadConfig(func(k string) string { return env[k] }, noFile); len(problems) != 0 {
		t.Errorf("the generated key is refused: %v", problems)
	}
}

func TestServeAnswersHealthChecks(t *testing.T) {
	env := validEnv("s2s")
	env["MMZOOM_LISTEN"] = "127.0.0.1:0"
	env["MMZOOM_DATABASE"] = "sqlite://" + t.TempDir() + "/mmzoom.db"
	// serve asks Mattermost about the bot token before it listens.
	env["MMZOOM_MATTERMOST_URL"], env["MMZOOM_MATTERMOST_BOT_TOKEN"] = testMattermost(t)
	cfg, problems := loadConfig(func(k string) string { return env[k] }, noFile)
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.DiscardHandler), nil, func(a string) { addr <- a }) }()
	base := "http://" + <-addr
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve stopped with %v", err)
	}
}
