package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

const healthcheckHelp = `usage: mmzoom healthcheck [flags]

Asks a running mmzoom whether it is up (GET /healthz) and exits 0 if it answers 200 OK, 1 otherwise.
It is the container image's HEALTHCHECK: the image has no shell and no curl. By default it calls the
address of MMZOOM_LISTEN (default :8090) on loopback.

flags:
`

// healthcheckFlags are the flags of 'mmzoom healthcheck'.
type healthcheckFlags struct {
	url     *string
	timeout *time.Duration
}

func newHealthcheckFlags(fs *flag.FlagSet) healthcheckFlags {
	return healthcheckFlags{
		url:     fs.String("url", "", "the URL to GET instead of http://<MMZOOM_LISTEN on loopback>/healthz"),
		timeout: fs.Duration("timeout", 5*time.Second, "how long to wait for the answer"),
	}
}

// healthcheck GETs mmzoom's /healthz and returns nil on 200 OK. A failure is one sentence saying what was
// asked and what came back; a bad MMZOOM_LISTEN or -url is a *usageError.
func healthcheck(ctx context.Context, f healthcheckFlags, getenv func(string) string, stdout io.Writer) error {
	url := *f.url
	if url == "" {
		listen := strings.TrimSpace(getenv("MMZOOM_LISTEN"))
		if listen == "" {
			listen = ":8090"
		}
		var err error
		if url, err = healthURL(listen); err != nil {
			return err
		}
	} else if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return &usageError{fmt.Sprintf("-url must be an http:// or https:// URL, got %q", url)}
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return &usageError{fmt.Sprintf("cannot request %s: %v", url, err)}
	}
	// No proxy from the environment: the check is about this host's mmzoom, never about a proxy's answer.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s is not answering: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s, want 200 OK", url, resp.Status)
	}
	fmt.Fprintf(stdout, "ok: %s answered 200 OK\n", url)
	return nil
}

// healthURL is the /healthz URL of an mmzoom listening on listen (MMZOOM_LISTEN, host:port). A wildcard or
// empty host is reached on loopback of the same family, since that is where the check runs.
func healthURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" {
		return "", &usageError{fmt.Sprintf("MMZOOM_LISTEN must be host:port or :port, got %q", listen)}
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
