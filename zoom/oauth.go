package zoom

import (
	"context"
	"encoding/json"
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

// DefaultURL is Zoom's web and OAuth base URL.
const DefaultURL = "https://zoom.us"

// OAuth runs Zoom's authorization-code flow with PKCE for user-managed and admin-managed apps
// (https://developers.zoom.us/docs/integrations/oauth/). It implements meeting.Authorizer.
type OAuth struct {
	cfg     *oauth2.Config
	zoomURL string
	hc      *http.Client
	now     func() time.Time
}

var _ meeting.Authorizer = (*OAuth)(nil)

// NewOAuth returns the OAuth flow of the Zoom app clientID, redirecting back to redirectURL.
func NewOAuth(clientID, clientSecret, zoomURL, redirectURL string, hc *http.Client, now func() time.Time) *OAuth {
	if zoomURL == "" {
		zoomURL = DefaultURL
	}
	zoomURL = strings.TrimRight(zoomURL, "/")
	if hc == nil {
		hc = http.DefaultClient
	}
	if now == nil {
		now = time.Now
	}
	return &OAuth{
		cfg: &oauth2.Config{
			ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
			// Zoom wants the client credentials in a Basic Authorization header.
			Endpoint: oauth2.Endpoint{AuthURL: zoomURL + "/oauth/authorize", TokenURL: zoomURL + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader},
		},
		zoomURL: zoomURL, hc: hc, now: now,
	}
}

// Config is the oauth2 configuration, for refreshing tokens.
func (o *OAuth) Config() *oauth2.Config { return o.cfg }

// context makes x/oauth2 use mmzoom's HTTP client.
func (o *OAuth) context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, o.hc)
}

// AuthCodeURL is Zoom's consent page for state, with the S256 PKCE challenge of verifier.
func (o *OAuth) AuthCodeURL(state, verifier string) string {
	return o.cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
}

// Exchange trades an authorization code (and its PKCE verifier) for a token.
func (o *OAuth) Exchange(ctx context.Context, code, verifier string) (*meeting.Token, error) {
	t, err := o.cfg.Exchange(o.context(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenError("exchanging the authorization code", err)
	}
	return fromOAuth(t, o.now()), nil
}

// refresh uses refreshToken once; Zoom answers with a new access token and a new refresh token, and the old
// refresh token stops working.
func (o *OAuth) refresh(ctx context.Context, refreshToken string) (*meeting.Token, error) {
	src := o.cfg.TokenSource(o.context(ctx), &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Unix(1, 0)})
	t, err := src.Token()
	if err != nil {
		return nil, tokenError("refreshing a token", err)
	}
	return fromOAuth(t, o.now()), nil
}

// Revoke revokes the grant behind tok at Zoom (POST /oauth/revoke).
func (o *OAuth) Revoke(ctx context.Context, tok *meeting.Token) error {
	form := url.Values{"token": {tok.AccessToken}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.zoomURL+"/oauth/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(o.cfg.ClientID), url.QueryEscape(o.cfg.ClientSecret))
	resp, err := o.hc.Do(req)
	if err != nil {
		return &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: fmt.Errorf("zoom: revoke: %w", stripURL(err))}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	var out struct {
		Status string `json:"status"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Status != "success" {
		return &meeting.Error{Kind: meeting.KindZoomRejected, Err: fmt.Errorf("zoom: revoke answered HTTP %d", resp.StatusCode)}
	}
	return nil
}

// fromOAuth converts an oauth2 token, computing the expiry on mmzoom's clock.
func fromOAuth(t *oauth2.Token, now time.Time) *meeting.Token {
	out := &meeting.Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}
	switch {
	case t.ExpiresIn > 0:
		out.Expiry = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	case !t.Expiry.IsZero():
		out.Expiry = now.Add(time.Until(t.Expiry))
	}
	if s, ok := t.Extra("scope").(string); ok {
		out.Scope = s
	}
	return out
}

// tokenError classifies a token endpoint failure without repeating its body (which names the grant).
// Zoom refuses a spent or revoked grant with 400/401 ("Invalid Token!", codes 4733, 4734, 4735, 4741).
func tokenError(doing string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		reason := re.ErrorCode
		var body struct {
			Reason string `json:"reason"`
		}
		if json.Unmarshal(re.Body, &body) == nil && body.Reason != "" {
			reason += " (" + body.Reason + ")"
		}
		cause := fmt.Errorf("zoom: %s: HTTP %d %s", doing, re.Response.StatusCode, reason)
		if re.Response.StatusCode >= 500 || re.Response.StatusCode == http.StatusTooManyRequests {
			return &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: cause}
		}
		return &meeting.Error{Kind: meeting.KindNotConnected, Err: cause}
	}
	return &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: fmt.Errorf("zoom: %s: %w", doing, stripURL(err))}
}
