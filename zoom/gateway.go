package zoom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/sync/singleflight"

	"github.com/mmzoom/mmzoom/meeting"
)

// TokenStore is where Zoom tokens live; the store encrypts them at rest.
type TokenStore interface {
	Token(ctx context.Context, owner meeting.Owner) (*meeting.Token, error)
	SaveToken(ctx context.Context, owner meeting.Owner, t *meeting.Token) error
	DeleteToken(ctx context.Context, owner meeting.Owner) error
}

// GatewayConfig configures a Gateway.
type GatewayConfig struct {
	Kind    meeting.AppKind
	APIURL  string // default DefaultAPIURL
	ZoomURL string // default DefaultURL
	// OAuth refreshes user and account tokens; nil in the s2s kind.
	OAuth *OAuth
	// AccountID, ClientID and ClientSecret are the Server-to-Server app's credentials (s2s kind).
	AccountID, ClientID, ClientSecret string
	Store                             TokenStore
	// Locker, when set, makes token refreshes take turns across every replica sharing the store (package
	// postgres); without it they take turns within this process only.
	Locker     meeting.TokenLocker
	HTTPClient *http.Client
	Now        func() time.Time
	Logger     *slog.Logger
}

// Gateway is Zoom as the domain sees it (meeting.Zoom): it picks the owner's token, refreshes it when it
// expires — persisting Zoom's rotated refresh token before the new access token is used, and collapsing
// concurrent refreshes of one owner into one — and turns Zoom's errors into domain error kinds.
type Gateway struct {
	cfg    GatewayConfig
	base   http.RoundTripper
	flight singleflight.Group

	s2sMu  sync.Mutex
	s2sTok *meeting.Token
	s2s    *clientcredentials.Config
}

var _ meeting.Zoom = (*Gateway)(nil)

// NewGateway returns a Gateway.
func NewGateway(cfg GatewayConfig) *Gateway {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ZoomURL == "" {
		cfg.ZoomURL = DefaultURL
	}
	g := &Gateway{cfg: cfg, base: cfg.HTTPClient.Transport}
	if g.base == nil {
		g.base = http.DefaultTransport
	}
	if cfg.Kind == meeting.KindS2S {
		g.s2s = &clientcredentials.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			TokenURL: strings.TrimRight(cfg.ZoomURL, "/") + "/oauth/token",
			// Zoom's Server-to-Server grant is account_credentials; x/oauth2 lets grant_type be overridden.
			EndpointParams: url.Values{"grant_type": {"account_credentials"}, "account_id": {cfg.AccountID}},
			AuthStyle:      oauth2.AuthStyleInHeader,
		}
	}
	return g
}

// User looks up a Zoom user ("me", an id or an e-mail address) with owner's credential.
func (g *Gateway) User(ctx context.Context, owner meeting.Owner, userID string) (*meeting.ZoomUser, error) {
	var u *User
	err := g.call(ctx, owner, func(c *Client) (err error) {
		u, err = c.User(ctx, userID)
		return err
	})
	if err != nil {
		return nil, classify(err, userID)
	}
	name := strings.TrimSpace(u.DisplayName)
	if name == "" {
		name = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	return &meeting.ZoomUser{ID: u.ID, Email: u.Email, Name: name, PMI: u.PMI, Timezone: u.Timezone}, nil
}

// CreateMeeting creates an instant meeting hosted by userID.
func (g *Gateway) CreateMeeting(ctx context.Context, owner meeting.Owner, userID string, req meeting.MeetingRequest) (*meeting.ZoomMeeting, error) {
	body := createBody(req)
	var m *Meeting
	err := g.call(ctx, owner, func(c *Client) (err error) {
		m, err = c.CreateMeeting(ctx, userID, body)
		return err
	})
	if err != nil {
		return nil, classify(err, userID)
	}
	created := m.CreatedAt
	if created.IsZero() {
		created = g.cfg.Now()
	}
	return &meeting.ZoomMeeting{ID: m.ID, UUID: m.UUID, HostID: m.HostID, Topic: m.Topic, JoinURL: m.JoinURL,
		StartURL: m.StartURL, Password: m.Password, Status: m.Status, Created: created}, nil
}

// Meeting gets a meeting's current state.
func (g *Gateway) Meeting(ctx context.Context, owner meeting.Owner, meetingID int64) (*meeting.ZoomMeeting, error) {
	var m *Meeting
	err := g.call(ctx, owner, func(c *Client) (err error) {
		m, err = c.Meeting(ctx, meetingID)
		return err
	})
	if err != nil {
		return nil, classify(err, "")
	}
	return &meeting.ZoomMeeting{ID: m.ID, UUID: m.UUID, HostID: m.HostID, Topic: m.Topic, JoinURL: m.JoinURL,
		Password: m.Password, Status: m.Status, Created: m.CreatedAt}, nil
}

// PastMeeting gets an ended meeting instance.
func (g *Gateway) PastMeeting(ctx context.Context, owner meeting.Owner, uuid string) (*meeting.PastMeeting, error) {
	var p *PastMeeting
	err := g.call(ctx, owner, func(c *Client) (err error) {
		p, err = c.PastMeeting(ctx, uuid)
		return err
	})
	if err != nil {
		return nil, classify(err, "")
	}
	return &meeting.PastMeeting{UUID: p.UUID, StartTime: p.StartTime, EndTime: p.EndTime, Participants: p.ParticipantsCount}, nil
}

// Client returns an API client acting with owner's current token (for work beyond the domain interface).
func (g *Gateway) Client(ctx context.Context, owner meeting.Owner) (*Client, error) {
	tok, err := g.token(ctx, owner, "")
	if err != nil {
		return nil, err
	}
	return g.client(tok)
}

func (g *Gateway) client(tok *meeting.Token) (*Client, error) {
	hc := &http.Client{Timeout: g.cfg.HTTPClient.Timeout, Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok.AccessToken, TokenType: "Bearer"}), Base: g.base}}
	return NewClient(hc, g.cfg.APIURL, g.cfg.Now)
}

// call runs f with a client holding owner's valid token. When Zoom refuses the access token (401, code
// 124) although it looked valid, the token is refreshed once and f retried.
func (g *Gateway) call(ctx context.Context, owner meeting.Owner, f func(*Client) error) error {
	tok, err := g.token(ctx, owner, "")
	if err != nil {
		return err
	}
	c, err := g.client(tok)
	if err != nil {
		return err
	}
	err = f(c)
	if !refused(err) {
		return err
	}
	g.cfg.Logger.InfoContext(ctx, "Zoom refused an access token; refreshing it once", "owner", string(owner))
	if tok, err = g.token(ctx, owner, tok.AccessToken); err != nil {
		return err
	}
	if c, err = g.client(tok); err != nil {
		return err
	}
	if err = f(c); refused(err) {
		g.forgetRefused(ctx, owner, tok.AccessToken)
		return &meeting.Error{Kind: meeting.KindNotConnected, Err: err}
	}
	return err
}

// refused reports whether err is Zoom refusing the access token.
func refused(err error) bool {
	var ze *Error
	return errors.As(err, &ze) && (ze.StatusCode == http.StatusUnauthorized || ze.Code == 124)
}

// token returns owner's valid access token. stale, when set, is a token Zoom just refused: it is replaced
// even if it has not expired yet.
func (g *Gateway) token(ctx context.Context, owner meeting.Owner, stale string) (*meeting.Token, error) {
	if g.cfg.Kind == meeting.KindS2S {
		return g.s2sToken(ctx, stale)
	}
	tok, err := g.cfg.Store.Token(ctx, owner)
	if errors.Is(err, meeting.ErrNotFound) {
		return nil, &meeting.Error{Kind: meeting.KindNotConnected, Err: fmt.Errorf("zoom: no token for %s", owner)}
	}
	if err != nil {
		return nil, err
	}
	if stale == "" && g.valid(tok) {
		return tok, nil
	}
	if stale == "" {
		stale = tok.AccessToken // expired
	}
	// The refused token, not the one read now: another replica may have stored a fresh one meanwhile, which
	// refresh then uses instead of spending its refresh token again.
	return g.refresh(ctx, owner, stale)
}

// valid reports whether tok can still be used for a minute, by mmzoom's clock.
func (g *Gateway) valid(tok *meeting.Token) bool {
	return tok != nil && tok.AccessToken != "" && (tok.Expiry.IsZero() || g.cfg.Now().Add(time.Minute).Before(tok.Expiry))
}

// refresh replaces owner's token whose access token is stale. Concurrent callers for one owner share one
// refresh in this process, and the refresh holds owner's token lock (GatewayConfig.Locker), so replicas take
// turns: inside it the store is read again, and a token another caller or replica just saved is used as it
// is instead of spending its refresh token a second time.
func (g *Gateway) refresh(ctx context.Context, owner meeting.Owner, stale string) (*meeting.Token, error) {
	v, err, _ := g.flight.Do(string(owner), func() (any, error) {
		// The refresh outlives any one caller's cancellation: once Zoom has rotated the refresh token, the new
		// one must reach the store or the grant is lost.
		ctx := context.WithoutCancel(ctx)
		var tok *meeting.Token
		var refusal error // Zoom's answer, kept apart from the store's: a forgotten token must stay forgotten
		err := g.locked(ctx, owner, func(ts meeting.Tokens) error {
			var err error
			tok, refusal, err = g.refreshLocked(ctx, ts, owner, stale)
			return err
		})
		if err == nil {
			err = refusal
		}
		return tok, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*meeting.Token), nil
}

// locked runs f holding owner's token lock across replicas, or directly on the store without a Locker (one
// process: the singleflight in refresh is the lock).
func (g *Gateway) locked(ctx context.Context, owner meeting.Owner, f func(meeting.Tokens) error) error {
	if g.cfg.Locker == nil {
		return f(g.cfg.Store)
	}
	return g.cfg.Locker.LockToken(ctx, owner, f)
}

// refreshLocked is refresh under owner's lock. refusal is Zoom refusing the grant (the token is then
// forgotten); err is a failure to read or write the store.
func (g *Gateway) refreshLocked(ctx context.Context, ts meeting.Tokens, owner meeting.Owner, stale string) (tok *meeting.Token, refusal, err error) {
	cur, err := ts.Token(ctx, owner)
	if errors.Is(err, meeting.ErrNotFound) {
		return nil, &meeting.Error{Kind: meeting.KindNotConnected, Err: fmt.Errorf("zoom: no token for %s", owner)}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if cur.AccessToken != stale && g.valid(cur) {
		return cur, nil, nil // refreshed meanwhile, by this process or another replica
	}
	if cur.RefreshToken == "" || g.cfg.OAuth == nil {
		return nil, &meeting.Error{Kind: meeting.KindNotConnected, Err: errors.New("zoom: token expired and cannot be refreshed")},
			g.forget(ctx, ts, owner)
	}
	fresh, err := g.cfg.OAuth.refresh(ctx, cur.RefreshToken)
	if err != nil {
		if meeting.KindOf(err) == meeting.KindNotConnected {
			// Zoom no longer accepts the grant (revoked, or a refresh token already spent). The refresh token
			// it refused is the stored one (read under the lock), so the grant is really gone.
			return nil, err, g.forget(ctx, ts, owner)
		}
		return nil, err, nil
	}
	next := *cur
	next.AccessToken, next.Expiry = fresh.AccessToken, fresh.Expiry
	if fresh.RefreshToken != "" {
		next.RefreshToken = fresh.RefreshToken
	}
	if fresh.Scope != "" {
		next.Scope = fresh.Scope
	}
	// Persist before use: Zoom has already invalidated the old refresh token.
	if err := ts.SaveToken(ctx, owner, &next); err != nil {
		return nil, nil, fmt.Errorf("zoom: saving a refreshed token: %w", err)
	}
	g.cfg.Logger.DebugContext(ctx, "Zoom token refreshed", "owner", string(owner))
	return &next, nil, nil
}

// forget deletes owner's token: the user is no longer connected and the next start offers a connect link.
func (g *Gateway) forget(ctx context.Context, ts meeting.Tokens, owner meeting.Owner) error {
	if err := ts.DeleteToken(ctx, owner); err != nil {
		g.cfg.Logger.ErrorContext(ctx, "forgetting a refused Zoom token failed", "owner", string(owner), "err", err)
		return err
	}
	g.cfg.Logger.InfoContext(ctx, "Zoom no longer accepts a token; it was forgotten", "owner", string(owner))
	return nil
}

// forgetRefused forgets owner's token after Zoom refused its access token twice, unless the stored token is
// no longer the one refused (a replica replaced it meanwhile: that one may well work).
func (g *Gateway) forgetRefused(ctx context.Context, owner meeting.Owner, access string) {
	ctx = context.WithoutCancel(ctx)
	_ = g.locked(ctx, owner, func(ts meeting.Tokens) error {
		cur, err := ts.Token(ctx, owner)
		if err != nil || cur.AccessToken != access {
			return nil
		}
		_ = g.forget(ctx, ts, owner)
		return nil
	})
}

// s2sToken returns the Server-to-Server account token. One fetch serves every concurrent caller until it
// expires; the token is stored (encrypted) so restarts and other replicas reuse it.
func (g *Gateway) s2sToken(ctx context.Context, stale string) (*meeting.Token, error) {
	g.s2sMu.Lock()
	defer g.s2sMu.Unlock()
	if g.s2sTok != nil && g.s2sTok.AccessToken != stale && g.valid(g.s2sTok) {
		return g.s2sTok, nil
	}
	if t, err := g.cfg.Store.Token(ctx, meeting.AccountOwner); err == nil && t.AccessToken != stale && g.valid(t) {
		g.s2sTok = t
		return t, nil
	}
	t, err := g.s2s.Token(context.WithValue(ctx, oauth2.HTTPClient, g.cfg.HTTPClient))
	if err != nil {
		return nil, tokenError("fetching the Server-to-Server token", err)
	}
	tok := fromOAuth(t, g.cfg.Now())
	if err := g.cfg.Store.SaveToken(ctx, meeting.AccountOwner, tok); err != nil {
		g.cfg.Logger.WarnContext(ctx, "storing the Server-to-Server token failed; it is kept in memory", "err", err)
	}
	g.s2sTok = tok
	return tok, nil
}

// classify turns a Zoom failure into a domain error kind. userID is who was looked up or asked to host.
func classify(err error, userID string) error {
	var me *meeting.Error
	if errors.As(err, &me) {
		return err
	}
	var ze *Error
	if errors.As(err, &ze) {
		switch {
		case ze.StatusCode == http.StatusUnauthorized || ze.Code == 124:
			return &meeting.Error{Kind: meeting.KindNotConnected, Err: err}
		case ze.StatusCode == http.StatusNotFound && (ze.Code == 1001 || ze.Code == 0 && userID != ""):
			e := &meeting.Error{Kind: meeting.KindZoomUserNotFound, Err: err}
			if strings.Contains(userID, "@") {
				e.Email = userID
			}
			return e
		case ze.StatusCode == http.StatusTooManyRequests:
			return &meeting.Error{Kind: meeting.KindZoomRateLimited, RetryAfter: ze.RetryAfter, Err: err}
		case ze.StatusCode >= 500:
			return &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: err}
		case ze.StatusCode == http.StatusNotFound:
			return &meeting.Error{Kind: meeting.KindNotFound, Err: err}
		}
		return &meeting.Error{Kind: meeting.KindZoomRejected, Message: ze.Message, Err: err}
	}
	return &meeting.Error{Kind: meeting.KindZoomUnavailable, Err: err}
}

// createBody is the create-meeting body of an instant meeting for req.
func createBody(req meeting.MeetingRequest) *MeetingRequest {
	return &MeetingRequest{Topic: req.Topic, Type: 1, Settings: meetingSettings(req), DefaultPassword: req.Options.Passcode}
}

// meetingSettings turns the domain's meeting options into Zoom's settings object; nil when nothing is set, so
// that a request without options is what it always was.
func meetingSettings(req meeting.MeetingRequest) *MeetingSettings {
	o := req.Options
	set := &MeetingSettings{UsePMI: req.UsePMI, WaitingRoom: o.WaitingRoom, JoinBeforeHost: o.JoinBeforeHost,
		MuteUponEntry: o.MuteUponEntry, HostVideo: o.HostVideo, ParticipantVideo: o.ParticipantVideo,
		MeetingAuthentication: o.Authentication}
	if o.JoinBeforeHost != nil && *o.JoinBeforeHost {
		set.JBHTime = o.JoinBeforeHostMinutes
	}
	if o.AutoRecording != nil {
		rec := string(*o.AutoRecording)
		set.AutoRecording = &rec
	}
	if *set == (MeetingSettings{}) {
		return nil
	}
	return set
}
