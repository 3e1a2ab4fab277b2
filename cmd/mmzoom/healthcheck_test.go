package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHealthcheckAgainstServe is the container's HEALTHCHECK as Docker runs it: `mmzoom healthcheck` beside
// a running `mmzoom serve` exits 0, and exits 1 once serve has stopped.
func TestHealthcheckAgainstServe(t *testing.T) {
	mmURL, botToken := testMattermost(t)
	env := validEnv("s2s")
	env["MMZOOM_LISTEN"] = "127.0.0.1:0"
	env["MMZOOM_DATABASE"] = "sqlite://" + filepath.Join(t.TempDir(), "mmzoom.db")
	env["MMZOOM_MATTERMOST_URL"] = mmURL
	env["MMZOOM_MATTERMOST_BOT_TOKEN"] = botToken
	cfg, problems := loadConfig(func(k string) string { return env[k] }, noFile)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	serveCtx, stopServe := context.WithCancel(ctx)
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(serveCtx, cfg, slog.New(slog.DiscardHandler), nil, func(addr string) { addrc <- addr })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve stopped before listening: %v", err)
	}
	check := func() (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(ctx, []string{"healthcheck"}, func(k string) string {
			if k == "MMZOOM_LISTEN" {
				return addr
			}
			return ""
		}, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	if code, stdout, stderr := check(); code != 0 || !strings.Contains(stdout, "200 OK") || stderr != "" {
		t.Errorf("healthcheck beside a running serve: exit %d, stdout %q, stderr %q; want 0 and 200 OK", code, stdout, stderr)
	}
	stopServe()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if code, stdout, stderr := check(); code != 1 || !strings.Contains(stderr, "is not answering") || stdout != "" {
		t.Errorf("healthcheck after serve stopped: exit %d, stdout %q, stderr %q; want 1 and is not answering", code, stdout, stderr)
	}
}

// TestHealthcheck pins what the health check accepts, what it says, and its exit status.
func TestHealthcheck(t *testing.T) {
	unhealthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	defer unhealthy.Close()
	var asked string
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.Method + " " + r.URL.Path
		_, _ = w.Write([]byte("ok\n"))
	}))
	defer healthy.Close()
	cases := []struct {
		name   string
		args   []string
		listen string
		code   int
		out    string // in stdout when code is 0, in stderr otherwise
	}{
		{name: "--help", args: []string{"healthcheck", "--help"}, code: 0, out: "usage: mmzoom healthcheck"},
		{name: "healthy, from MMZOOM_LISTEN", args: []string{"healthcheck"}, listen: strings.TrimPrefix(healthy.URL, "http://"),
			code: 0, out: "ok: " + healthy.URL + "/healthz answered 200 OK"},
		{name: "healthy, -url", args: []string{"healthcheck", "-url", healthy.URL + "/healthz"}, code: 0, out: "200 OK"},
		{name: "answering 503", args: []string{"healthcheck", "-url", unhealthy.URL + "/healthz"}, code: 1,
			out: "answered 503 Service Unavailable, want 200 OK"},
		{name: "nothing listening", args: []string{"healthcheck", "-timeout", "2s"}, listen: strings.TrimPrefix(closedURL(t), "http://"),
			code: 1, out: "is not answering"},
		{name: "bad MMZOOM_LISTEN", args: []string{"healthcheck"}, listen: "8090", code: 2, out: `MMZOOM_LISTEN must be host:port or :port, got "8090"`},
		{name: "bad -url", args: []string{"healthcheck", "-url", "localhost:8090"}, code: 2, out: "-url must be an http:// or https:// URL"},
		{name: "an argument", args: []string{"healthcheck", "now"}, code: 2, out: `unexpected argument "now"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			code := run(ctx, c.args, func(k string) string {
				if k == "MMZOOM_LISTEN" {
					return c.listen
				}
				return ""
			}, &stdout, &stderr)
			out := stdout.String()
			if code != 0 {
				out = stderr.String()
			}
			if code != c.code || !strings.Contains(out, c.out) {
				t.Errorf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", code, c.code, c.out, stdout.String(), stderr.String())
			}
		})
	}
	if asked != "GET /healthz" {
		t.Errorf("the healthy server was asked %q, want GET /healthz", asked)
	}
}

// TestHealthURL pins where the check looks for an mmzoom listening on MMZOOM_LISTEN.
func TestHealthURL(t *testing.T) {
	for listen, want := range map[string]string{
		":8090":          "http://127.0.0.1:8090/healthz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/healthz",
		"[::]:8090":      "http://[::1]:8090/healthz",
		"127.0.0.2:8090": "http://127.0.0.2:8090/healthz",
		"mmzoom:8090":    "http://mmzoom:8090/healthz",
	} {
		if got, err := healthURL(listen); err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", listen, got, err, want)
		}
	}
	for _, bad := range []string{"8090", "", "host:"} {
		if got, err := healthURL(bad); err == nil {
			t.Errorf("healthURL(%q) = %q, want an error", bad, got)
		}
	}
}
