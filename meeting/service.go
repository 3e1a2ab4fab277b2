package meeting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Translator gives a message in a locale; *i18n.Catalog implements it.
type Translator interface {
	T(locale, key string, args ...any) string
}

// Config is the part of mmzoom's configuration the domain rules depend on.
type Config struct {
	Kind    AppKind
	SiteURL string // mmzoom's public base URL, for connect links
	// ShowPasscode shows the meeting passcode on cards. Cards always show it when Zoom strips it from the
	// join link (the account's embed_password_in_join_link is off), since nobody could join otherwise.
	ShowPasscode bool
	// RecentWindow is how long a card that has not ended still counts as a running meeting for the
	// "join it or start another?" question. Past it a card counts as ended even without Zoom's word.
	// Zero or less turns the question off.
	RecentWindow time.Duration
	// TrustUnverifiedEmail lets account and s2s kinds match users by an e-mail that Mattermost never
	// verified. Off by default: a user who can set their own e-mail could otherwise act as someone else.
	TrustUnverifiedEmail bool
	// ShowRecordingPasscode adds a recording's passcode to the thread reply announcing it.
	ShowRecordingPasscode bool
}

// Deps are the service's collaborators.
type Deps struct {
	Zoom       Zoom
	Authorizer Authorizer // nil in the s2s kind
	Chat       Chat
	Store      Store
	// Queue, when set, makes Zoom events and card refreshes durable jobs (see Processor); without it they
	// are applied at once.
	Queue Queue
	Text  Translator
	// Escape makes user input inert where it is posted (no mentions, no links); the Mattermost adapter
	// provides it because what is inert depends on Mattermost's Markdown.
	Escape func(string) string
	Now    func() time.Time
	Logger *slog.Logger
}

// Service carries out what users ask of mmzoom.
type Service struct {
	cfg Config
	Deps
	// eventLocks serialize the events of one meeting (striped by meeting id) within this process.
	eventLocks [64]sync.Mutex
	// wakeQueue tells the queue's processor that a job is due (set by NewProcessor).
	wakeQueue func()
}

// NewService returns a Service. Every dependency is required except Authorizer in the s2s kind.
func NewService(cfg Config, d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Escape == nil {
		d.Escape = func(s string) string { return s }
	}
	return &Service{cfg: cfg, Deps: d}
}

// Kind is the configured Zoom app kind.
func (s *Service) Kind() AppKind { return s.cfg.Kind }

// Locale returns a user's Mattermost locale, or "" when it cannot be looked up (callers fall back to English).
func (s *Service) Locale(ctx context.Context, userID string) string {
	u, err := s.Chat.User(ctx, userID)
	if err != nil {
		return ""
	}
	return u.Locale
}

// Start starts a meeting for req, or asks the user a question first (a recent meeting is running here; PMI
// or new ID), or offers a connect link when the user has no usable Zoom connection.
func (s *Service) Start(ctx context.Context, req StartRequest) (*Reply, error) {
	user, err := s.Chat.User(ctx, req.UserID)
	if err != nil {
		return nil, err
	}
	loc := user.Locale
	if !req.Force && s.cfg.RecentWindow > 0 {
		open, err := s.Store.OpenCards(ctx, req.ChannelID, s.Now().Add(-s.cfg.RecentWindow))
		if err != nil {
			return nil, err
		}
		if len(open) > 0 {
			set, err := s.Store.Settings(ctx, user.ID)
			if err != nil {
				return nil, err
			}
			return s.askRecent(loc, req, open[0], req.UsePMI == nil && set.PMI.Effective() == PMIAsk), nil
		}
	}
	owner, host, reply, err := s.host(ctx, user, &req)
	if reply != nil || err != nil {
		return reply, err
	}
	var usePMI bool
	if req.UsePMI != nil {
		usePMI = *req.UsePMI
	} else {
		set, err := s.Store.Settings(ctx, user.ID)
		if err != nil {
			return nil, err
		}
		switch set.PMI.Effective() {
		case PMIAlways:
			usePMI = true
		case PMINever:
			usePMI = false
		default:
			return s.askPMI(loc, req), nil
		}
	}
	topic, shortened := CleanTopic(req.Topic)
	if topic == "" {
		name := user.DisplayName
		if name == "" {
			name = user.Username
		}
		topic, _ = CleanTopic(s.Text.T(loc, "meeting.default_topic", "Name", name))
	}
	zm, err := s.Zoom.CreateMeeting(ctx, owner, host, MeetingRequest{Topic: topic, UsePMI: usePMI})
	if err != nil {
		return s.zoomFailed(ctx, user, owner, host, &req, err)
	}
	card := &Card{
		ChannelID: req.ChannelID, TeamID: req.TeamID, RootID: req.RootID,
		CreatorID: user.ID, CreatorUsername: user.Username, CreatorLocale: loc,
		MeetingID: zm.ID, UUID: zm.UUID, Personal: usePMI, Topic: zm.Topic,
		JoinURL: zm.JoinURL, Passcode: zm.Password, ShowPasscode: s.cfg.ShowPasscode,
		Status: StatusWaiting, CreatedAt: s.Now(), HostZoomID: zm.HostID,
	}
	if card.Topic == "" {
		card.Topic = topic
	}
	card.UpdatedAt = card.CreatedAt
	if zm.JoinURL == "" {
		// Never fall back to a link without the passcode: without join_url there is nothing to join.
		return nil, &Error{Kind: KindZoomRejected, Err: errors.New("zoom returned no join_url")}
	}
	var note string
	if shortened {
		note = "\n" + s.Text.T(loc, "start.topic_shortened", "Max", MaxTopic)
	}
	card.UpdatesInThread = s.cannotEditIn(ctx, card.ChannelID)
	postID, err := s.postCard(ctx, card)
	if err != nil {
		// The meeting exists: the starter still gets it, only the card is missing.
		s.Logger.ErrorContext(ctx, "posting meeting card failed", "channel_id", card.ChannelID, "meeting_id", card.MeetingID, "err", err)
		key := "start.card_failed"
		if errors.Is(err, ErrForbidden) {
			key = "start.card_forbidden" // the bot may not post here: say how to fix it
		}
		return &Reply{
			Text:         s.Text.T(loc, key, "Topic", s.Escape(card.Topic), "JoinURL", card.JoinURL, "Bot", s.botName(ctx)) + note,
			GotoLocation: zm.StartURL,
		}, nil
	}
	card.PostID = postID
	if err := s.Store.CreateCard(ctx, card); err != nil {
		s.Logger.ErrorContext(ctx, "storing meeting card failed", "post_id", postID, "err", err)
	}
	return &Reply{
		Text:         s.Text.T(loc, "start.done", "Topic", s.Escape(card.Topic), "JoinURL", card.JoinURL) + note,
		GotoLocation: zm.StartURL,
	}, nil
}

// cannotEditIn reports whether a card posted in channelID could never be edited: Mattermost lets a bot with
// system_post_all post in a private channel, DM or group message it is not a member of, but not edit there.
// Public channels are joined when needed. When it cannot tell, it says no: RefreshCard falls back to
// thread replies anyway.
func (s *Service) cannotEditIn(ctx context.Context, channelID string) bool {
	ch, err := s.Chat.Channel(ctx, channelID)
	switch {
	case errors.Is(err, ErrForbidden):
		return true // the bot may not even read the channel: it is not a member of a private one
	case err != nil || ch.Type == ChannelOpen:
		return false
	}
	member, err := s.Chat.BotIsMember(ctx, channelID)
	return err == nil && !member
}

// botName is the bot's username, for messages that tell people to add it somewhere ("" if unknown).
func (s *Service) botName(ctx context.Context) string {
	if me, err := s.Chat.User(ctx, "me"); err == nil {
		return me.Username
	}
	return ""
}

// host decides whose credential creates the meeting and which Zoom user hosts it. When the user cannot start
// yet it returns a reply saying what to do instead.
func (s *Service) host(ctx context.Context, user *ChatUser, req *StartRequest) (Owner, string, *Reply, error) {
	switch s.cfg.Kind {
	case KindUser:
		owner := UserOwner(user.ID)
		tok, err := s.Store.Token(ctx, owner)
		if errors.Is(err, ErrNotFound) {
			r, err := s.connectReply(ctx, user, owner, req)
			return "", "", r, err
		}
		if err != nil {
			return "", "", nil, err
		}
		if !tok.Confirmed {
			if err := s.askConfirm(ctx, user, tok, req); err != nil {
				return "", "", nil, err
			}
			return "", "", &Reply{Text: s.Text.T(user.Locale, "connect.confirm_pending", "ZoomEmail", tok.ZoomEmail)}, nil
		}
		return owner, "me", nil, nil
	default:
		email, err := s.trustedEmail(ctx, user)
		if err != nil {
			return "", "", nil, err
		}
		return AccountOwner, email, nil, nil
	}
}

// trustedEmail returns the e-mail address mmzoom may use to find the user in the Zoom account. An e-mail is
// trusted when the user signs in through SSO/LDAP, when Mattermost requires e-mail verification, or when the
// admin chose to trust unverified addresses.
func (s *Service) trustedEmail(ctx context.Context, u *ChatUser) (string, error) {
	if u.Email == "" {
		return "", &Error{Kind: KindNoEmail}
	}
	if u.AuthService != "" || s.cfg.TrustUnverifiedEmail {
		return u.Email, nil
	}
	required, err := s.Chat.RequireEmailVerification(ctx)
	if err != nil {
		return "", err
	}
	if !required {
		return "", &Error{Kind: KindEmailUntrusted, Email: u.Email}
	}
	return u.Email, nil
}

// zoomFailed turns a failed meeting creation into what the user should see.
func (s *Service) zoomFailed(ctx context.Context, user *ChatUser, owner Owner, host string, req *StartRequest, err error) (*Reply, error) {
	switch {
	case errors.Is(err, ErrNotConnected) && s.cfg.Kind == KindUser:
		// Zoom no longer accepts the user's token (revoked, spent): the zoom adapter forgot it; offer a new link.
		return s.connectReply(ctx, user, owner, req)
	case errors.Is(err, ErrNotConnected) && s.cfg.Kind == KindS2S:
		return nil, &Error{Kind: KindCredentialsRefused, Err: err}
	case errors.Is(err, ErrNotConnected):
		return nil, &Error{Kind: KindAccountNotSetUp, Err: err}
	case errors.Is(err, ErrZoomUserNotFound):
		return nil, &Error{Kind: KindZoomUserNotFound, Email: host, Err: err}
	}
	return nil, err
}

// postCard posts a card as the bot. In a public channel the bot may not be a member yet: it joins and retries,
// so the steady state costs one post call.
func (s *Service) postCard(ctx context.Context, c *Card) (string, error) {
	p := s.CardPost(c)
	id, err := s.Chat.CreatePost(ctx, p)
	if !errors.Is(err, ErrForbidden) {
		return id, err
	}
	ch, cerr := s.Chat.Channel(ctx, c.ChannelID)
	if cerr != nil || ch.Type != ChannelOpen {
		return "", err
	}
	if jerr := s.Chat.JoinChannel(ctx, c.ChannelID); jerr != nil {
		return "", errors.Join(err, jerr)
	}
	return s.Chat.CreatePost(ctx, p)
}

// threadRoot is the root to reply under: the card's own thread root, or the card itself.
func (c *Card) threadRoot() string {
	if c.RootID != "" {
		return c.RootID
	}
	return c.PostID
}

// askRecent asks whether to join the running meeting of a recent card or start another. All its buttons are
// single use, so the question takes one answer. When the user wants to be asked about the Personal Meeting ID,
// both questions are asked at once: the answer to a click is text only and cannot ask the second one.
func (s *Service) askRecent(loc string, req StartRequest, c *Card, askPMI bool) *Reply {
	args := startArgs(req)
	args["card"] = strconv.FormatInt(c.ID, 10)
	buttons := []Button{{ID: "joinrecent", Name: s.Text.T(loc, "recent.join"), Style: "primary",
		Action: Action{Name: ActionJoinRecent, UserID: req.UserID, ChannelID: req.ChannelID, Args: args, Once: true}}}
	start := func(id, name, action string) Button {
		a := startArgs(req)
		a["force"] = "1"
		return Button{ID: id, Name: s.Text.T(loc, name), Action: Action{Name: action, UserID: req.UserID, ChannelID: req.ChannelID, Args: a, Once: true}}
	}
	if askPMI {
		buttons = append(buttons, start("startnew", "recent.start_new_fresh", ActionStartFresh), start("startnewpmi", "recent.start_new_pmi", ActionStartPMI))
	} else {
		buttons = append(buttons, start("startnew", "recent.start_new", ActionStartNew))
	}
	key := "recent.question_waiting" // nobody started it yet: it is not "running"
	if c.Status == StatusStarted {
		key = "recent.question_started"
	}
	return &Reply{
		Text:        s.Text.T(loc, key, "Topic", s.Escape(c.Topic), "Username", c.CreatorUsername),
		Attachments: []Attachment{{Buttons: buttons}},
	}
}

// askPMI asks whether to use the Personal Meeting ID (the user's preference is "ask"); one answer only.
func (s *Service) askPMI(loc string, req StartRequest) *Reply {
	mk := func(id, name, action string) Button {
		a := startArgs(req)
		a["force"] = "1"
		return Button{ID: id, Name: s.Text.T(loc, name), Action: Action{Name: action, UserID: req.UserID, ChannelID: req.ChannelID, Args: a, Once: true}}
	}
	pmi, fresh := mk("usepmi", "pmi.use_pmi", ActionStartPMI), mk("usenew", "pmi.use_new", ActionStartFresh)
	fresh.Style = "primary"
	return &Reply{
		Text:        s.Text.T(loc, "pmi.question"),
		Attachments: []Attachment{{Text: s.Text.T(loc, "pmi.hint"), Buttons: []Button{fresh, pmi}}},
	}
}

// startArgs carries a start request through a button.
func startArgs(req StartRequest) map[string]string {
	a := map[string]string{"team": req.TeamID, "root": req.RootID, "topic": req.Topic}
	if req.Force {
		a["force"] = "1"
	}
	return a
}

// startFromArgs rebuilds a start request from a button's arguments.
func startFromArgs(userID, channelID string, a map[string]string) StartRequest {
	return StartRequest{UserID: userID, ChannelID: channelID, TeamID: a["team"], RootID: a["root"], Topic: a["topic"], Force: a["force"] == "1"}
}

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

// SettingsReply is `/zoom settings`: the current Personal Meeting ID preference and buttons to change it.
func (s *Service) SettingsReply(ctx context.Context, userID, channelID string) (*Reply, error) {
	user, err := s.Chat.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	set, err := s.Store.Settings(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.settingsReply(user.Locale, userID, channelID, set.PMI.Effective()), nil
}

func (s *Service) settingsReply(loc, userID, channelID string, cur PMIPreference) *Reply {
	var buttons []Button
	for _, p := range []PMIPreference{PMIAsk, PMIAlways, PMINever} {
		b := Button{ID: "pmi" + string(p), Name: s.Text.T(loc, "settings.pmi."+string(p)),
			Action: Action{Name: ActionSetPMI, UserID: userID, ChannelID: channelID, Args: map[string]string{"pmi": string(p)}}}
		if p == cur {
			b.Style = "primary"
		}
		buttons = append(buttons, b)
	}
	return &Reply{
		Text: s.Text.T(loc, "settings.title"),
		Attachments: []Attachment{{
			Text:    s.Text.T(loc, "settings.pmi.current", "Choice", s.Text.T(loc, "settings.pmi."+string(cur))),
			Buttons: buttons,
		}},
	}
}

// Help is `/zoom help` (and plain `/zoom`).
func (s *Service) Help(ctx context.Context, userID string) *Reply {
	return &Reply{Text: s.Text.T(s.Locale(ctx, userID), "help."+string(s.cfg.Kind))}
}

// UnknownCommand answers a sub-command mmzoom does not have: it names what was typed, made inert, before the
// help, so a typo is not taken for help asked for. The caller bounds sub's length.
func (s *Service) UnknownCommand(ctx context.Context, userID, sub string) *Reply {
	loc := s.Locale(ctx, userID)
	return &Reply{Text: s.Text.T(loc, "command.unknown", "Command", s.Escape(sub)) + "\n\n" + s.Text.T(loc, "help."+string(s.cfg.Kind))}
}

// Click carries out a verified button click. The caller has checked the context's signature, user, channel
// and expiry; Click spends the single-use nonce of the click's question.
//
// The answer to a click on an ephemeral reply (every question but the direct message asking to confirm a
// Zoom account) is text only: Mattermost cannot update a post it never stored, and it ignores goto_location
// for clicks, so the text carries the links the user needs.
func (s *Service) Click(ctx context.Context, a Action, userID, channelID string) (*Reply, error) {
	if a.Once {
		if r, err := s.spend(ctx, userID, a); r != nil || err != nil {
			return r, err
		}
	}
	switch a.Name {
	case ActionJoinRecent:
		id, _ := strconv.ParseInt(a.Args["card"], 10, 64)
		c, err := s.Store.Card(ctx, id)
		if err != nil {
			return nil, err
		}
		loc := s.Locale(ctx, userID)
		return &Reply{Text: s.Text.T(loc, "recent.joined", "Topic", s.Escape(c.Topic), "JoinURL", c.JoinURL), GotoLocation: c.JoinURL}, nil
	case ActionStartNew:
		req := startFromArgs(userID, channelID, a.Args)
		req.Force = true
		return s.answered(ctx, userID, req)
	case ActionStartPMI, ActionStartFresh:
		req := startFromArgs(userID, channelID, a.Args)
		use := a.Name == ActionStartPMI
		req.UsePMI = &use
		return s.answered(ctx, userID, req)
	case ActionSetPMI:
		p := PMIPreference(a.Args["pmi"])
		if !p.Valid() {
			return nil, &Error{Kind: KindActionInvalid}
		}
		if err := s.Store.SaveSettings(ctx, &UserSettings{UserID: userID, PMI: p}); err != nil {
			return nil, err
		}
		loc := s.Locale(ctx, userID)
		return &Reply{Text: s.Text.T(loc, "settings.saved", "Choice", s.Text.T(loc, "settings.pmi."+string(p)))}, nil
	case ActionConfirmLink:
		return s.confirmLink(ctx, userID, a.Args)
	case ActionRejectLink:
		loc := s.Locale(ctx, userID)
		owner := UserOwner(userID)
		if tok, err := s.Store.Token(ctx, owner); err == nil {
			if err := s.Store.DeleteToken(ctx, owner); err != nil {
				return nil, err
			}
			if rerr := s.Authorizer.Revoke(ctx, tok); rerr != nil {
				s.Logger.WarnContext(ctx, "revoking a rejected Zoom grant failed", "err", rerr)
			}
		}
		return &Reply{Update: &Post{Message: s.Text.T(loc, "confirm.rejected")}}, nil
	}
	return nil, &Error{Kind: KindActionInvalid, Err: errors.New("unknown action " + a.Name)}
}

// spend records the nonce of a single-use click's question. The first answer wins; a later click on any
// button of the same question (another answer, or a stale copy of it on another device) gets a reply saying
// it was answered, and does nothing else.
func (s *Service) spend(ctx context.Context, userID string, a Action) (*Reply, error) {
	if a.Nonce == "" {
		return nil, &Error{Kind: KindActionInvalid, Err: errors.New("single-use action without a nonce")}
	}
	err := s.Store.UseNonce(ctx, a.Nonce, a.Expires)
	if KindOf(err) == KindActionInvalid {
		s.Logger.InfoContext(ctx, "click on an answered question", "action", a.Name, "user_id", userID)
		return &Reply{Text: s.Text.T(s.Locale(ctx, userID), "action.already_answered")}, nil
	}
	return nil, err
}

// answered runs a start whose question was answered by a click.
func (s *Service) answered(ctx context.Context, userID string, req StartRequest) (*Reply, error) {
	if req.UsePMI == nil {
		// The question was asked before the user chose "ask each time": the answer to a click cannot ask
		// again, so the default applies.
		set, err := s.Store.Settings(ctx, userID)
		if err != nil {
			return nil, err
		}
		if set.PMI.Effective() == PMIAsk {
			use := DefaultPMI == PMIAlways
			req.UsePMI = &use
		}
	}
	r, err := s.Start(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.withStartLink(ctx, userID, r), nil
}

// withStartLink writes r's start link (the host's start_url) into its text, as a Markdown link: the answer to
// a click cannot open it, since Mattermost ignores goto_location there. The text is ephemeral, shown to the
// starter only and never stored by Mattermost.
func (s *Service) withStartLink(ctx context.Context, userID string, r *Reply) *Reply {
	if r.GotoLocation == "" {
		return r
	}
	link := s.Text.T(s.Locale(ctx, userID), "start.host_link", "StartURL", r.GotoLocation)
	r.Text = strings.TrimSpace(r.Text + "\n" + link)
	return r
}

// confirmLink marks the user's linked Zoom account as confirmed and runs the start that asked for it.
func (s *Service) confirmLink(ctx context.Context, userID string, args map[string]string) (*Reply, error) {
	owner := UserOwner(userID)
	tok, err := s.Store.Token(ctx, owner)
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Kind: KindNotConnected, Err: err}
	}
	if err != nil {
		return nil, err
	}
	tok.Confirmed = true
	if err := s.Store.SaveToken(ctx, owner, tok); err != nil {
		return nil, err
	}
	loc := s.Locale(ctx, userID)
	done := &Post{Message: s.Text.T(loc, "confirm.done", "ZoomEmail", s.Escape(tok.ZoomEmail))}
	if args["channel"] == "" {
		return &Reply{Update: done}, nil
	}
	req := startFromArgs(userID, args["channel"], args)
	r, err := s.Start(ctx, req)
	if err != nil {
		return nil, err
	}
	// The direct message is stored: it may be updated, but the start link stays out of it (ephemeral text).
	done.Message += "\n" + r.Text
	return s.withStartLink(ctx, userID, &Reply{Update: done, GotoLocation: r.GotoLocation}), nil
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
