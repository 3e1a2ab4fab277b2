package meeting

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// connectReply stores a connect link for owner and tells the user to follow it. pending, if not nil, is the
// start that asked for it: it runs once the link is followed and the account confirmed.
func (s *Service) connectReply(ctx context.Context, user *ChatUser, owner Owner, pending *StartRequest) (*Reply, error) {
	if s.Authorizer == nil {
		return nil, &Error{Kind: KindInternal, Err: errors.New("no OAuth authorizer in the s2s kind")}
	}
	cs := &ConnectState{ID: randomToken(), Owner: owner, UserID: user.ID, Expires: s.Now().Add(ConnectTTL)}
	if pending != nil {
		p := *pending
		p.UsePMI = nil
		cs.Pending = &p
	}
	if err := s.Store.SaveConnect(ctx, cs); err != nil {
		return nil, err
	}
	key := "connect.prompt"
	if pending != nil {
		key = "connect.prompt_start"
	}
	if owner == AccountOwner {
		key = "connect.prompt_account"
	}
	return &Reply{Text: s.Text.T(user.Locale, key, "URL", s.ConnectURL(cs.ID), "Minutes", int(ConnectTTL/time.Minute))}, nil
}

// ConnectURL is the link a user follows to connect Zoom.
func (s *Service) ConnectURL(id string) string {
	return strings.TrimRight(s.cfg.SiteURL, "/") + "/oauth2/connect?state=" + id
}

// ConnectLink says whom a connect link is for, so that the page shown before Zoom can name the Mattermost
// account: a forwarded link must not connect the person it was forwarded to. It consumes nothing.
func (s *Service) ConnectLink(ctx context.Context, id string) (*ConnectLinkInfo, error) {
	cs, err := s.Store.Connect(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Kind: KindLinkInvalid, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if !s.Now().Before(cs.Expires) || cs.BrowserHash != "" {
		return nil, &Error{Kind: KindLinkInvalid, Err: errors.New("connect link expired or already opened")}
	}
	user, err := s.Chat.User(ctx, cs.UserID)
	if err != nil {
		return nil, err
	}
	return &ConnectLinkInfo{Locale: user.Locale, Username: user.Username, DisplayName: user.DisplayName, Account: cs.Owner == AccountOwner}, nil
}

// ConnectLinkInfo is who a connect link connects, for the browser page.
type ConnectLinkInfo struct {
	Locale      string // the link owner's
	Username    string
	DisplayName string
	Account     bool // the account-level connection (account kind)
}

// OpenConnect is the browser arriving through a connect link: it binds the link to this browser (the returned
// cookie value, to be set HttpOnly) and returns the Zoom consent URL. A link opens once.
func (s *Service) OpenConnect(ctx context.Context, id string) (authURL, cookie string, err error) {
	cs, err := s.Store.Connect(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return "", "", &Error{Kind: KindLinkInvalid, Err: err}
	}
	if err != nil {
		return "", "", err
	}
	if !s.Now().Before(cs.Expires) || cs.BrowserHash != "" {
		return "", "", &Error{Kind: KindLinkInvalid, Err: errors.New("connect link expired or already opened")}
	}
	cookie = randomToken()
	cs.BrowserHash = hashHex(cookie)
	cs.Verifier = randomToken() + randomToken() // 86 characters of base64url: a valid PKCE verifier
	if err := s.Store.SaveConnect(ctx, cs); err != nil {
		return "", "", err
	}
	return s.Authorizer.AuthCodeURL(cs.ID, cs.Verifier), cookie, nil
}

// Connected is the outcome of a completed connection, for the browser page.
type Connected struct {
	Locale      string
	ZoomEmail   string
	Username    string // the Mattermost account connected
	DisplayName string
	Account     bool // the account-level connection (account kind)
}

// CompleteConnect is Zoom redirecting the browser back with an authorization code. The state must be
// unused, unexpired and opened by this same browser (cookie); the code is exchanged for a token that is
// stored encrypted. A user-level link asks the Mattermost user, by direct message, to confirm the Zoom
// account before mmzoom uses it.
func (s *Service) CompleteConnect(ctx context.Context, id, cookie, code string) (*Connected, error) {
	cs, err := s.Store.TakeConnect(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Kind: KindLinkInvalid, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if !s.Now().Before(cs.Expires) || cs.BrowserHash == "" || cookie == "" ||
		subtle.ConstantTimeCompare([]byte(hashHex(cookie)), []byte(cs.BrowserHash)) != 1 {
		return nil, &Error{Kind: KindLinkInvalid, Err: errors.New("connect state expired or opened by another browser")}
	}
	if code == "" {
		return nil, &Error{Kind: KindLinkInvalid, Err: errors.New("no authorization code (consent denied?)")}
	}
	tok, err := s.Authorizer.Exchange(ctx, code, cs.Verifier)
	if err != nil {
		return nil, err
	}
	tok.Confirmed = cs.Owner == AccountOwner
	if err := s.Store.SaveToken(ctx, cs.Owner, tok); err != nil {
		return nil, err
	}
	zu, err := s.Zoom.User(ctx, cs.Owner, "me")
	if err != nil {
		_ = s.Store.DeleteToken(ctx, cs.Owner)
		return nil, err
	}
	// Reload: the lookup may have refreshed and re-saved the token.
	if cur, err := s.Store.Token(ctx, cs.Owner); err == nil {
		tok = cur
	}
	user, err := s.Chat.User(ctx, cs.UserID)
	if err != nil {
		_ = s.Store.DeleteToken(ctx, cs.Owner)
		return nil, err
	}
	check := s.checkNotTaken
	if cs.Owner == AccountOwner {
		check = func(_ context.Context, _ *ChatUser, zu *ZoomUser) error { return checkAccountGrant(tok, zu) }
	}
	if err := check(ctx, user, zu); err != nil {
		s.forgetGrant(ctx, cs.Owner, tok)
		return nil, err
	}
	tok.ZoomUserID, tok.ZoomEmail = zu.ID, zu.Email
	if err := s.Store.SaveToken(ctx, cs.Owner, tok); err != nil {
		return nil, err
	}
	s.recordGrant(ctx, cs.Owner)
	if cs.Owner != AccountOwner {
		if err := s.askConfirm(ctx, user, tok, cs.Pending); err != nil {
			return nil, err
		}
	}
	return &Connected{Locale: user.Locale, ZoomEmail: zu.Email, Username: user.Username, DisplayName: user.DisplayName,
		Account: cs.Owner == AccountOwner}, nil
}

// checkNotTaken refuses a Zoom account whose e-mail belongs to another Mattermost user: the link was
// forwarded, and connecting it would let user host meetings as that person (and receive their host links).
// An address that matches nobody, or that Mattermost hides from the bot, is left to the user's confirmation,
// which names the Zoom account.
func (s *Service) checkNotTaken(ctx context.Context, user *ChatUser, zu *ZoomUser) error {
	if zu.Email == "" || strings.EqualFold(zu.Email, user.Email) {
		return nil
	}
	other, err := s.Chat.UserByEmail(ctx, zu.Email)
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrForbidden):
		return nil
	case err != nil:
		return err // fail closed: without the answer the connection cannot be judged
	case other.ID != user.ID:
		return &Error{Kind: KindZoomAccountTaken, Email: zu.Email,
			Err: fmt.Errorf("zoom account of mattermost user %s offered for %s", other.ID, user.ID)}
	}
	return nil
}

// checkAccountGrant refuses an account-level grant without any :admin scope: Zoom gives a user who is not an
// owner or admin of the account only their own scopes, and every meeting for someone else would then fail
// on first use. Saying so at connect time tells the admin what to do.
func checkAccountGrant(tok *Token, zu *ZoomUser) error {
	if tok.Scope == "" {
		return nil // Zoom did not say; the first use will tell
	}
	for _, sc := range strings.Fields(tok.Scope) {
		if strings.HasSuffix(sc, ":admin") || strings.HasSuffix(sc, ":master") {
			return nil
		}
	}
	return &Error{Kind: KindZoomNotAccountAdmin, Email: zu.Email, Err: fmt.Errorf("account grant without admin scopes: %q", tok.Scope)}
}

// forgetGrant deletes a token that must not be kept and revokes it at Zoom (best effort: it was never used).
func (s *Service) forgetGrant(ctx context.Context, owner Owner, tok *Token) {
	_ = s.Store.DeleteToken(ctx, owner)
	if s.Authorizer != nil {
		if err := s.Authorizer.Revoke(ctx, tok); err != nil {
			s.Logger.WarnContext(ctx, "revoking a refused Zoom grant failed", "err", err)
		}
	}
}

// askConfirm sends the user a direct message asking them to confirm the Zoom account linked to them.
func (s *Service) askConfirm(ctx context.Context, user *ChatUser, tok *Token, pending *StartRequest) error {
	loc := user.Locale
	args := map[string]string{}
	if pending != nil {
		args = startArgs(*pending)
		args["channel"] = pending.ChannelID
	}
	_, err := s.Chat.SendDirect(ctx, user.ID, &Post{
		Message: s.Text.T(loc, "confirm.question", "ZoomEmail", s.Escape(tok.ZoomEmail)),
		Attachments: []Attachment{{
			Text: s.Text.T(loc, "confirm.hint"),
			Buttons: []Button{
				{ID: "confirm", Name: s.Text.T(loc, "confirm.yes"), Style: "primary",
					Action: Action{Name: ActionConfirmLink, UserID: user.ID, Args: args, Once: true, Expires: s.Now().Add(24 * time.Hour)}},
				{ID: "reject", Name: s.Text.T(loc, "confirm.no"), Style: "danger",
					Action: Action{Name: ActionRejectLink, UserID: user.ID, Once: true, Expires: s.Now().Add(24 * time.Hour)}},
			},
		}},
	})
	return err
}

// Connect is `/zoom connect`.
func (s *Service) Connect(ctx context.Context, userID string) (*Reply, error) {
	user, err := s.Chat.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	switch s.cfg.Kind {
	case KindS2S:
		return &Reply{Text: s.Text.T(user.Locale, "connect.s2s")}, nil
	case KindAccount:
		if !user.IsSystemAdmin() {
			key := "connect.account_user"
			if _, err := s.Store.Token(ctx, AccountOwner); errors.Is(err, ErrNotFound) {
				key = "connect.account_pending" // not "nothing to connect": nobody can start meetings yet
			}
			return &Reply{Text: s.Text.T(user.Locale, key)}, nil
		}
		return s.connectReply(ctx, user, AccountOwner, nil)
	}
	return s.connectReply(ctx, user, UserOwner(user.ID), nil)
}

// Disconnect is `/zoom disconnect [account]`.
func (s *Service) Disconnect(ctx context.Context, userID, arg string) (*Reply, error) {
	user, err := s.Chat.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	loc := user.Locale
	switch {
	case s.cfg.Kind == KindS2S:
		return &Reply{Text: s.Text.T(loc, "disconnect.s2s")}, nil
	case s.cfg.Kind == KindAccount && arg != "account":
		return &Reply{Text: s.Text.T(loc, "disconnect.account_user")}, nil
	case s.cfg.Kind == KindAccount && !user.IsSystemAdmin():
		return nil, &Error{Kind: KindNotAdmin}
	}
	owner := UserOwner(user.ID)
	if s.cfg.Kind == KindAccount {
		owner = AccountOwner
	}
	tok, err := s.Store.Token(ctx, owner)
	if errors.Is(err, ErrNotFound) {
		return &Reply{Text: s.Text.T(loc, "disconnect.not_connected")}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := s.Store.DeleteToken(ctx, owner); err != nil {
		return nil, err
	}
	// Revoking at Zoom is best effort: the local tokens are gone either way, so mmzoom cannot use them.
	if rerr := s.Authorizer.Revoke(ctx, tok); rerr != nil {
		s.Logger.WarnContext(ctx, "revoking the Zoom grant failed", "owner", string(owner), "err", rerr)
	}
	key := "disconnect.done"
	if owner == AccountOwner {
		key = "disconnect.account_done"
	}
	return &Reply{Text: s.Text.T(loc, key)}, nil
}
