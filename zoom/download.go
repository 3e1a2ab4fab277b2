package zoom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/mmzoom/mmzoom/meeting"
)

// Downloader fetches recording files (transcripts, meeting chat) with a webhook's download_token, which
// Zoom takes only as a Bearer header (https://developers.zoom.us/docs/api/webhooks/ and devsupport
// 12363164278669). The token travels through an oauth2 transport, never a hand-built header, and only to
// Zoom: URLs on other hosts are refused, redirects included, so a token is never handed to anyone else.
type Downloader struct {
	hc       *http.Client
	zoomHost string // the configured Zoom web host (zoom.us, or a simulator)
}

var _ meeting.Downloader = (*Downloader)(nil)

// NewDownloader returns a Downloader sending requests through hc's transport; zoomURL is Zoom's web URL
// (DefaultURL, or a self-hosted or simulated one), whose host and subdomains may be downloaded from.
func NewDownloader(hc *http.Client, zoomURL string) *Downloader {
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	host := "zoom.us"
	if u, err := url.Parse(zoomURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return &Downloader{hc: hc, zoomHost: strings.ToLower(host)}
}

// allowed reports whether a download URL is Zoom's: the configured host, zoom.us, or their subdomains
// (us02web.zoom.us, ssrweb.zoom.us).
func (d *Downloader) allowed(u *url.URL) bool {
	if u.Scheme != "https" && !(u.Scheme == "http" && u.Hostname() == d.zoomHost) {
		return false
	}
	h := strings.ToLower(u.Hostname())
	for _, base := range []string{d.zoomHost, "zoom.us"} {
		if h == base || strings.HasSuffix(h, "."+base) {
			return true
		}
	}
	return false
}

// Download reads the file at rawURL with token, at most limit bytes (meeting.ErrTooLarge beyond). A refusal
// (401, 403: the token expired) or a missing file (404) is KindNotFound; other failures are
// KindZoomUnavailable, retried. Errors never carry the URL or the token.
func (d *Downloader) Download(ctx context.Context, rawURL, token string, limit int64) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !d.allowed(u) {
		return nil, &meeting.Error{Kind: meeting.KindNotFound, Err: errors.New("zoom: a download URL outside Zoom was refused")}
	}
	base := d.hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc := &http.Client{Timeout: d.hc.Timeout,
		Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token, TokenType: "Bearer"}), Base: base},
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if len(via) >= 5 || !d.allowed(r.URL) {
				return errors.New("zoom: a download redirected outside Zoom")
			}
			return nil
		}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: fmt.Errorf("zoom: downloading a recording file: %w", stripURL(err))}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound:
		return nil, &meeting.Error{Kind: meeting.KindNotFound, Err: fmt.Errorf("zoom: downloading a recording file: HTTP %d", resp.StatusCode)}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: fmt.Errorf("zoom: downloading a recording file: HTTP %d", resp.StatusCode)}
	case resp.ContentLength > limit:
		return nil, fmt.Errorf("zoom: a recording file of %d bytes: %w", resp.ContentLength, meeting.ErrTooLarge)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: fmt.Errorf("zoom: reading a recording file: %w", err)}
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("zoom: a recording file over %d bytes: %w", limit, meeting.ErrTooLarge)
	}
	return b, nil
}
