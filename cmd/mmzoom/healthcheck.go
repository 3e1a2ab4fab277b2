package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

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
func healthcheck(ctx context.Context, tx cliText, f healthcheckFlags, getenv func(string) string, stdout io.Writer) error {
	url := *f.url
	if url == "" {
		listen := strings.TrimSpace(getenv("MMZOOM_LISTEN"))
		if listen == "" {
			listen = ":8090"
		}
		var err error
		if url, err = healthURL(listen); err != nil {
			return &usageError{tx.T("cli.health.bad_listen", "Value", strconv.Quote(listen))}
		}
	} else if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return &usageError{tx.T("cli.health.bad_url", "Value", strconv.Quote(url))}
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return &usageError{tx.T("cli.health.bad_request", "URL", url, "Err", err)}
	}
	// No proxy from the environment: the check is about this host's mmzoom, never about a proxy's answer.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s%w", tx.T("cli.health.no_answer", "URL", url), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return errors.New(tx.T("cli.health.bad_status", "URL", url, "Status", resp.Status))
	}
	fmt.Fprintln(stdout, tx.T("cli.health.ok", "URL", url))
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
