package zoom

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/mmzoom/mmzoom/meeting"
)

// What mmzoom doctor asks Zoom: whether the app's credentials are accepted (a real token request that
// creates nothing a user could use), which scopes a token carries against the ones mmzoom needs, and
// whether mmzoom's own webhook endpoint answers Zoom's URL validation.

// OAuthError is the token endpoint refusing a request: its HTTP status, error code and reason
// ({"reason":"Invalid client_id or client_secret","error":"invalid_client"}).
type OAuthError struct {
	StatusCode int
	Code       string
	Reason     string
}

// Error says the status, code and reason (Zoom's answers carry no secret).
func (e *OAuthError) Error() string {
	return fmt.Sprintf("zoom: token endpoint answered HTTP %d %s (%s)", e.StatusCode, e.Code, e.Reason)
}

// ClientRefused says Zoom does not know the client ID and secret.
func (e *OAuthError) ClientRefused() bool {
	return e.StatusCode == http.StatusUnauthorized || e.Code == "invalid_client"
}

func oauthError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: fmt.Errorf("zoom: token endpoint: %w", stripURL(err))}
	}
	e := &OAuthError{StatusCode: re.Response.StatusCode, Code: re.ErrorCode}
	var body struct {
		Reason string `json:"reason"`
	}
	if json.Unmarshal(re.Body, &body) == nil {
		e.Reason = body.Reason
	}
	if e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests {
		return &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: e}
	}
	return &meeting.Error{Kind: meeting.KindNotConnected, Err: e}
}

// CheckClient asks whether Zoom accepts the OAuth app's client ID and secret (user and account kinds) by
// exchanging an authorization code that does not exist: Zoom checks the client first, so 401 invalid_client
// is a wrong ID or secret, and the expected refusal of the code (400) means the app is known. Nothing is
// granted either way.
func CheckClient(ctx context.Context, hc *http.Client, zoomURL, clientID, clientSecret, redirectURL string) error {
	if zoomURL == "" {
		zoomURL = DefaultURL
	}
	cfg := &oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
		Endpoint: oauth2.Endpoint{TokenURL: strings.TrimRight(zoomURL, "/") + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}}
	_, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), "mmzoom-doctor-"+randomHex(8))
	if err == nil {
		return nil // Zoom would never accept a made-up code; if it does, the client is certainly known
	}
	err = oauthError(err)
	var oe *OAuthError
	if errors.As(err, &oe) && !oe.ClientRefused() {
		return nil
	}
	return err
}

// S2SToken requests a Server-to-Server token (grant account_credentials), as mmzoom does at work, and
// returns it with the scopes Zoom granted. Refusals are *OAuthError values inside a *meeting.Error.
func S2SToken(ctx context.Context, hc *http.Client, zoomURL, accountID, clientID, clientSecret string, now func() time.Time) (*meeting.Token, error) {
	if zoomURL == "" {
		zoomURL = DefaultURL
	}
	cfg := &clientcredentials.Config{ClientID: clientID, ClientSecret: clientSecret,
		TokenURL:       strings.TrimRight(zoomURL, "/") + "/oauth/token",
		EndpointParams: url.Values{"grant_type": {"account_credentials"}, "account_id": {accountID}},
		AuthStyle:      oauth2.AuthStyleInHeader}
	t, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err != nil {
		return nil, oauthError(err)
	}
	return fromOAuth(t, now()), nil
}

// UserWithToken looks up a Zoom user ("me", an id or an e-mail address) with a bare access token.
func UserWithToken(ctx context.Context, hc *http.Client, apiURL, accessToken, userID string, now func() time.Time) (*User, error) {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c, err := NewClient(&http.Client{Timeout: hc.Timeout, Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"}), Base: base}}, apiURL, now)
	if err != nil {
		return nil, err
	}
	return c.User(ctx, userID)
}

// ScopeNeed is one thing mmzoom needs Zoom to allow; it is granted when any of AnyOf is (a granular scope
// or its classic equivalent).
type ScopeNeed struct {
	For   string
	AnyOf []string
}

// NeededScopes lists what mmzoom needs from Zoom for an app kind (README, "Scopes"): admin-managed and
// Server-to-Server apps need the :admin forms, which act on any user of the account.
func NeededScopes(kind meeting.AppKind) []ScopeNeed {
	g := func(s string) string { // the scope's form for the kind, granular or classic alike
		if kind == meeting.KindUser {
			return s
		}
		return s + ":admin"
	}
	return []ScopeNeed{
		{"finding users (GET /users)", []string{g("user:read:user"), g("user:read")}},
		{"starting meetings", []string{g("meeting:write:meeting"), g("meeting:write")}},
		{"checking meetings whose end was never heard of", []string{g("meeting:read:meeting"), g("meeting:read")}},
		{"reading ended meetings' times", []string{g("meeting:read:past_meeting"), g("meeting:read")}},
	}
}

// MissingScopes lists the needs a space-separated scope list does not meet.
func MissingScopes(kind meeting.AppKind, granted string) []ScopeNeed {
	return missingOf(NeededScopes(kind), granted)
}

// missingOf lists the needs a space-separated scope list does not meet.
func missingOf(needs []ScopeNeed, granted string) []ScopeNeed {
	have := map[string]bool{}
	for _, s := range strings.Fields(granted) {
		have[s] = true
	}
	var out []ScopeNeed
	for _, n := range needs {
		ok := false
		for _, s := range n.AnyOf {
			ok = ok || have[s]
		}
		if !ok {
			out = append(out, n)
		}
	}
	return out
}

// ValidateWebhook sends webhookURL a signed endpoint.url_validation request, as Zoom does when an app's
// event subscription is saved and every 72 hours after, and checks the answer: the plain token back with
// its HMAC under the secret. An error says what went wrong (unreachable, a status, a wrong answer).
func ValidateWebhook(ctx context.Context, hc *http.Client, webhookURL, secret string, now func() time.Time) error {
	plain := randomHex(11)
	body, err := json.Marshal(map[string]any{"payload": map[string]string{"plainToken": plain},
		"event_ts": now().UnixMilli(), "event": "endpoint.url_validation"})
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("x-zm-request-timestamp", ts)
	req.Header.Set("x-zm-signature", Signature(secret, ts, body))
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach it: %w", stripURL(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode == http.StatusUnauthorized {
		return errors.New("it refused the signature (HTTP 401): mmzoom runs with another webhook secret than this configuration")
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("it answered HTTP %d", resp.StatusCode)
	}
	var out struct {
		PlainToken     string `json:"plainToken"`
		EncryptedToken string `json:"encryptedToken"`
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(plain))
	if json.Unmarshal(raw, &out) != nil || out.PlainToken != plain || !hmac.Equal([]byte(out.EncryptedToken), []byte(hex.EncodeToString(m.Sum(nil)))) {
		return errors.New("its answer is not Zoom's expected {plainToken, encryptedToken}: is this URL mmzoom?")
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
