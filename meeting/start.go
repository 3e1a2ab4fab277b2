package meeting

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// Start starts a meeting for req, or refuses it where the channel policy forbids meetings or the user's
// options are not allowed, or asks the user a question first (a big channel; a recent meeting is running
// here; PMI or new ID), or offers a connect link when the user has no usable Zoom connection.
func (s *Service) Start(ctx context.Context, req StartRequest) (*Reply, error) {
	release, err := s.startSlot(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	user, err := s.Chat.User(ctx, req.UserID)
	if err != nil {
		return nil, err
	}
	loc := user.Locale
	// Where first (the channel policy), then how (the meeting options), then whether to ask first.
	if r, err := s.checkChannel(ctx, user, &req); r != nil || err != nil {
		return r, err
	}
	opts, refusal := s.cfg.Defaults.Apply(req.Options)
	if refusal != nil {
		return s.optionsRefused(loc, refusal), nil
	}
	if !req.BigOK {
		if n := s.bigChannel(ctx, req.ChannelID); n > 0 {
			return s.askBig(ctx, user, req, n)
		}
	}
	if !req.Force && s.cfg.RecentWindow > 0 {
		open, err := s.Store.OpenCards(ctx, req.ChannelID, s.Now().Add(-s.cfg.RecentWindow))
		if err != nil {
			return nil, err
		}
		open = runningOrWaiting(open)
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
	zm, err := s.Zoom.CreateMeeting(ctx, owner, host, MeetingRequest{Topic: topic, UsePMI: usePMI, Options: opts})
	if err != nil {
		return s.zoomFailed(ctx, user, owner, host, &req, err)
	}
	if s.cfg.Kind != KindS2S {
		s.touchGrant(ctx, owner)
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

// DefaultStartConcurrency is how many starts run at once unless configured otherwise. A start in flight
// holds a connection to Zoom and then one to Mattermost, their buffers and a goroutine's stack; the starts
// of a burst beyond what the CPUs can serve at once only wait for CPU while holding them. In the load test
// (1,000 simultaneous starts, 2 CPUs) 256 at a time held about 90 MB where all at once held 110-120 MB;
// the median start answered sooner and the slowest later (p99 6.1-7.0 against 4.9-5.9 round trips). 128 at
// a time held 86-88 MB but made the slowest wait 9-10 round trips (BENCHMARKS.md).
const DefaultStartConcurrency = 256

// startSlot waits for one of the slots that bound the starts in flight and returns its release. The wait
// counts toward the slash command's start budget like any other part of the start.
func (s *Service) startSlot(ctx context.Context) (func(), error) {
	release := func() { <-s.startSlots }
	select {
	case s.startSlots <- struct{}{}:
		return release, nil
	default:
	}
	s.startsWaiting.Add(1)
	defer s.startsWaiting.Add(-1)
	select {
	case s.startSlots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		// Every slot stayed taken for the caller's whole patience: starts are stuck on Zoom.
		return nil, &Error{Kind: KindZoomUnavailable, Err: fmt.Errorf("waiting for one of %d start slots: %w", cap(s.startSlots), ctx.Err())}
	}
}

// StartLoad reports how many starts are running and how many wait for a slot, for the metrics: starts
// that keep waiting mean Zoom answers slowly or the replica lacks CPU for its bursts.
func (s *Service) StartLoad() (running, waiting int) {
	return len(s.startSlots), int(s.startsWaiting.Load())
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
		if stale, err := s.staleClient(ctx, owner); err != nil {
			return "", "", nil, err
		} else if stale {
			if err := s.dropStaleToken(ctx, owner); err != nil {
				return "", "", nil, err
			}
			r, err := s.connectReply(ctx, user, owner, req)
			if r != nil {
				r.Text = s.Text.T(user.Locale, "grants.app_changed") + "\n" + r.Text
			}
			return "", "", r, err
		}
		if !tok.Confirmed {
			if err := s.askConfirm(ctx, user, tok, req); err != nil {
				return "", "", nil, err
			}
			return "", "", &Reply{Text: s.Text.T(user.Locale, "connect.confirm_pending", "ZoomEmail", tok.ZoomEmail)}, nil
		}
		return owner, "me", nil, nil
	default:
		if s.cfg.Kind == KindAccount {
			if stale, err := s.staleClient(ctx, AccountOwner); err != nil {
				return "", "", nil, err
			} else if stale {
				if err := s.dropStaleToken(ctx, AccountOwner); err != nil {
					return "", "", nil, err
				}
				return "", "", &Reply{Text: s.Text.T(user.Locale, "grants.app_changed_account")}, nil
			}
		}
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
	if len(req.Options) > 0 {
		a["opts"] = req.Options.String()
	}
	if req.BigOK {
		a["big"] = "1"
	}
	return a
}

// startFromArgs rebuilds a start request from a button's arguments.
func startFromArgs(userID, channelID string, a map[string]string) StartRequest {
	return StartRequest{UserID: userID, ChannelID: channelID, TeamID: a["team"], RootID: a["root"], Topic: a["topic"], Force: a["force"] == "1",
		Options: parseOverrides(a["opts"]), BigOK: a["big"] == "1", Fresh: true}
}
