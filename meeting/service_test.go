package meeting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

type fixture struct {
	svc   *Service
	zoom  *fakeZoom
	chat  *fakeChat
	store *memStore
	auth  *fakeAuth
	now   time.Time
}

func newFixture(kind AppKind, cfgs ...func(*Config)) *fixture {
	f := &fixture{zoom: newFakeZoom(), chat: newFakeChat(), store: newMemStore(),
		auth: &fakeAuth{tok: &Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)}},
		now:  time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	f.chat.users["alice"] = &ChatUser{ID: "alice", Username: "alice", Email: "alice@example.com", Locale: "en"}
	f.chat.users["kenji"] = &ChatUser{ID: "kenji", Username: "kenji", Email: "kenji@example.jp", Locale: "ja", AuthService: "saml"}
	f.chat.users["root"] = &ChatUser{ID: "root", Username: "root", Email: "root@example.com", Roles: "system_user system_admin"}
	f.chat.channels["town"] = &Channel{ID: "town", TeamID: "team", Type: ChannelOpen}
	f.chat.channels["design"] = &Channel{ID: "design", TeamID: "team", Type: ChannelPrivate}
	f.zoom.users["me"] = &ZoomUser{ID: "zme", Email: "alice@example.com"}
	cfg := Config{Kind: kind, SiteURL: "https://mmzoom.example", ShowPasscode: true, RecentWindow: 3 * time.Hour}
	for _, c := range cfgs {
		c(&cfg)
	}
	f.svc = NewService(cfg, Deps{Zoom: f.zoom, Authorizer: f.auth, Chat: f.chat, Store: f.store, Text: keyText{},
		Escape: func(s string) string { return strings.ReplaceAll(s, "@", "@\u200b") },
		Now:    func() time.Time { return f.now }})
	return f
}

func (f *fixture) start(t *testing.T, user, channel, topic string) *Reply {
	t.Helper()
	r, err := f.svc.Start(context.Background(), StartRequest{UserID: user, ChannelID: channel, TeamID: "team", Topic: topic})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return r
}

func buttonActions(r *Reply) []string {
	var names []string
	for _, a := range r.Attachments {
		for _, b := range a.Buttons {
			names = append(names, b.Action.Name)
		}
	}
	return names
}

func TestStartPostsACardAndSendsTheHostToZoom(t *testing.T) {
	f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
	r := f.start(t, "alice", "town", "Standup")
	if len(f.zoom.created) != 1 || f.zoom.hosts[0] != "alice@example.com" || f.zoom.owners[0] != AccountOwner {
		t.Fatalf("Zoom calls: %+v hosts %v owners %v", f.zoom.created, f.zoom.hosts, f.zoom.owners)
	}
	if f.zoom.created[0].UsePMI {
		t.Error("a user who never chose got their Personal Meeting ID")
	}
	if !strings.HasPrefix(r.GotoLocation, "https://zoom.example/s/") {
		t.Errorf("goto_location %q, want the host start_url", r.GotoLocation)
	}
	if strings.Contains(r.Text, "zak=") {
		t.Errorf("the host link leaked into the reply text: %q", r.Text)
	}
	posts := f.chat.postsIn("town")
	if len(posts) != 1 || posts[0].Type != PostType {
		t.Fatalf("posts in town: %+v", posts)
	}
	for k, v := range posts[0].Props {
		if s, ok := v.(string); ok && strings.Contains(s, "zak=") {
			t.Errorf("prop %s carries the host link", k)
		}
	}
	cards, _ := f.store.OpenCards(context.Background(), "town", time.Time{})
	if len(cards) != 1 || cards[0].PostID == "" || cards[0].Topic != "Standup" {
		t.Errorf("stored cards: %+v", cards)
	}
}

func TestStartAsksAboutARecentMeeting(t *testing.T) {
	cases := []struct {
		name    string
		elapsed time.Duration
		ended   bool
		force   bool
		ask     bool
	}{
		{"running card in the window", time.Hour, false, false, true},
		{"card older than the window counts as ended", 4 * time.Hour, false, false, false},
		{"ended card", time.Hour, true, false, false},
		{"forced", time.Hour, false, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
			f.start(t, "alice", "town", "first")
			if c.ended {
				cards, _ := f.store.OpenCards(context.Background(), "town", time.Time{})
				cards[0].Status = StatusEnded
				_ = f.store.UpdateCard(context.Background(), cards[0])
			}
			f.now = f.now.Add(c.elapsed)
			r, err := f.svc.Start(context.Background(), StartRequest{UserID: "kenji", ChannelID: "town", TeamID: "team", Force: c.force})
			if err != nil {
				t.Fatal(err)
			}
			asked := strings.Contains(r.Text, "recent.question")
			if asked != c.ask {
				t.Fatalf("asked = %v, want %v (%q)", asked, c.ask, r.Text)
			}
			if c.ask {
				if got := buttonActions(r); len(got) != 2 || got[0] != ActionJoinRecent || got[1] != ActionStartNew {
					t.Errorf("buttons %v", got)
				}
				for _, b := range r.Attachments[0].Buttons {
					if !b.Action.Once {
						t.Errorf("button %s is not single use: the question must take one answer", b.ID)
					}
				}
				if len(f.zoom.created) != 1 {
					t.Error("a meeting was created while asking")
				}
			}
		})
	}
}

func TestPMIPreference(t *testing.T) {
	cases := []struct {
		pref    PMIPreference
		wantPMI bool
		ask     bool
	}{
		{"", false, false},
		{PMINever, false, false},
		{PMIAlways, true, false},
		{PMIAsk, false, true},
	}
	for _, c := range cases {
		t.Run(string(c.pref), func(t *testing.T) {
			f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
			_ = f.store.SaveSettings(context.Background(), &UserSettings{UserID: "alice", PMI: c.pref})
			r := f.start(t, "alice", "town", "")
			if c.ask {
				if got := buttonActions(r); len(got) != 2 || len(f.zoom.created) != 0 {
					t.Fatalf("want the PMI question and no meeting; buttons %v, meetings %d", got, len(f.zoom.created))
				}
				for _, a := range r.Attachments[0].Buttons {
					if !a.Action.Once || a.Action.UserID != "alice" || a.Action.ChannelID != "town" {
						t.Errorf("button %s is not single-use and bound to alice in town: %+v", a.ID, a.Action)
					}
				}
				return
			}
			if len(f.zoom.created) != 1 || f.zoom.created[0].UsePMI != c.wantPMI {
				t.Fatalf("created %+v, want UsePMI=%v", f.zoom.created, c.wantPMI)
			}
		})
	}
}

func TestEmailTrust(t *testing.T) {
	cases := []struct {
		name       string
		user       string
		requireVer bool
		trust      bool
		wantKind   Kind // "" = meeting started
	}{
		{"SSO user", "kenji", false, false, ""},
		{"server requires verification", "alice", true, false, ""},
		{"admin trusts unverified e-mails", "alice", false, true, ""},
		{"unverified e-mail", "alice", false, false, KindEmailUntrusted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(KindAccount, func(cfg *Config) { cfg.TrustUnverifiedEmail = c.trust })
			f.chat.requireVer = c.requireVer
			_, err := f.svc.Start(context.Background(), StartRequest{UserID: c.user, ChannelID: "town", TeamID: "team"})
			if c.wantKind == "" {
				if err != nil || len(f.zoom.created) != 1 {
					t.Fatalf("err %v, meetings %d", err, len(f.zoom.created))
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != c.wantKind || e.Email != f.chat.users[c.user].Email {
				t.Fatalf("err %v, want kind %s naming the e-mail", err, c.wantKind)
			}
			if len(f.zoom.created) != 0 {
				t.Error("Zoom was called for an untrusted e-mail")
			}
		})
	}
}

func TestZoomFailuresBecomeUserFacingKinds(t *testing.T) {
	cases := []struct {
		name     string
		kind     AppKind
		zoomErr  error
		wantKind Kind
		wantLink bool
	}{
		{"user token refused offers a new link", KindUser, &Error{Kind: KindNotConnected}, "", true},
		{"account not authorized", KindAccount, &Error{Kind: KindNotConnected}, KindAccountNotSetUp, false},
		{"Server-to-Server credentials refused", KindS2S, &Error{Kind: KindNotConnected}, KindCredentialsRefused, false},
		{"no Zoom user with the e-mail", KindS2S, &Error{Kind: KindZoomUserNotFound}, KindZoomUserNotFound, false},
		{"rate limited", KindS2S, &Error{Kind: KindZoomRateLimited}, KindZoomRateLimited, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(c.kind, func(cfg *Config) { cfg.TrustUnverifiedEmail = true })
			_ = f.store.SaveToken(context.Background(), UserOwner("alice"), &Token{AccessToken: "x", Confirmed: true})
			f.zoom.err = c.zoomErr
			r, err := f.svc.Start(context.Background(), StartRequest{UserID: "alice", ChannelID: "town", TeamID: "team"})
			if c.wantLink {
				if err != nil || !strings.Contains(r.Text, "/oauth2/connect?state=") {
					t.Fatalf("want a connect link, got %v %+v", err, r)
				}
				return
			}
			if KindOf(err) != c.wantKind {
				t.Fatalf("kind %s, want %s (%v)", KindOf(err), c.wantKind, err)
			}
			if c.wantKind == KindZoomUserNotFound {
				var e *Error
				if errors.As(err, &e); e.Email != "alice@example.com" {
					t.Errorf("the error does not say which e-mail was tried: %+v", e)
				}
			}
			if len(f.chat.postsIn("town")) != 0 {
				t.Error("a card was posted")
			}
		})
	}
}

func TestCardInChannelsTheBotIsNotIn(t *testing.T) {
	t.Run("public channel: the bot joins and posts", func(t *testing.T) {
		f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
		f.chat.createErr["town"] = &Error{Kind: KindForbidden}
		f.start(t, "alice", "town", "")
		if len(f.chat.joined) != 1 || len(f.chat.postsIn("town")) != 1 {
			t.Fatalf("joined %v, posts %d", f.chat.joined, len(f.chat.postsIn("town")))
		}
	})
	t.Run("private channel refused: the starter still gets the meeting", func(t *testing.T) {
		f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
		f.chat.createErr["design"] = &Error{Kind: KindForbidden}
		r := f.start(t, "alice", "design", "")
		if !strings.Contains(r.Text, "start.card_forbidden") || !strings.Contains(r.Text, "https://zoom.example/j/") {
			t.Fatalf("reply %q", r.Text)
		}
		if len(f.chat.joined) != 0 {
			t.Error("the bot tried to join a private channel")
		}
	})
}

func TestRefreshCardWhereTheBotCannotEdit(t *testing.T) {
	cases := []struct {
		channel     string
		wantPatched bool
		wantReply   bool
	}{
		{"town", true, false},
		{"design", false, true},
	}
	for _, c := range cases {
		t.Run(c.channel, func(t *testing.T) {
			f := newFixture(KindS2S, func(cfg *Config) { cfg.TrustUnverifiedEmail = true })
			f.start(t, "alice", c.channel, "Sync")
			f.chat.patchErr[c.channel] = &Error{Kind: KindForbidden}
			cards, _ := f.store.OpenCards(context.Background(), c.channel, time.Time{})
			card := cards[0]
			changed, err := f.svc.ApplyEvent(context.Background(), Event{Type: EventMeetingEnded, MeetingID: card.MeetingID,
				UUID: card.UUID, StartTime: f.now, EndTime: f.now.Add(30 * time.Minute)})
			if err != nil || !changed {
				t.Fatalf("ApplyEvent: %v %v", changed, err)
			}
			if got := f.chat.patches == 1; got != c.wantPatched {
				t.Errorf("patched = %v, want %v", got, c.wantPatched)
			}
			posts := f.chat.postsIn(c.channel)
			gotReply := len(posts) == 2 && posts[1].RootID == card.PostID && strings.Contains(posts[1].Message, "card.news_ended")
			if gotReply != c.wantReply {
				t.Errorf("thread reply = %v, want %v (%+v)", gotReply, c.wantReply, posts)
			}
		})
	}
}

// A public channel's card is edited after the bot joins; when looking up the channel or joining it fails
// for a passing reason, the refresh must fail (and be retried) rather than take the channel for one where
// the card cannot be edited: that would announce the news in the thread instead and leave the card itself
// showing an old status for good.
func TestRefreshCardRetriesWhenJoiningFailsForAPassingReason(t *testing.T) {
	unavailable := &Error{Kind: KindChatUnavailable}
	cases := []struct {
		name string
		fail func(f *fixture)
	}{
		{"channel lookup fails", func(f *fixture) { f.chat.channelErr["town"] = unavailable }},
		{"join fails", func(f *fixture) { f.chat.joinErr["town"] = unavailable }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(KindS2S, func(cfg *Config) { cfg.TrustUnverifiedEmail = true })
			f.start(t, "alice", "town", "Sync")
			f.chat.patchErr["town"] = &Error{Kind: KindForbidden} // the bot is not a member yet
			c.fail(f)
			ctx := context.Background()
			cards, _ := f.store.OpenCards(ctx, "town", time.Time{})
			card := cards[0]
			ended := Event{Type: EventMeetingEnded, MeetingID: card.MeetingID, UUID: card.UUID, StartTime: f.now, EndTime: f.now.Add(30 * time.Minute)}
			if _, err := f.svc.ApplyEvent(ctx, ended); KindOf(err) != KindChatUnavailable {
				t.Fatalf("ApplyEvent: %v, want the chat_unavailable error to retry on", err)
			}
			if posts := f.chat.postsIn("town"); len(posts) != 1 {
				t.Fatalf("%d posts in the channel, want only the card (no thread reply)", len(posts))
			}
			// The retry (the event's rerun) joins and edits the card.
			if _, err := f.svc.ApplyEvent(ctx, ended); err != nil {
				t.Fatalf("retry: %v", err)
			}
			posts := f.chat.postsIn("town")
			if len(posts) != 1 || f.chat.patches != 1 || posts[0].Props[PropStatus] != string(StatusEnded) {
				t.Errorf("after the retry: %d posts, %d patches, card %v; want the card edited to ended", len(posts), f.chat.patches, posts[0].Props)
			}
		})
	}
}

func TestApplyEventMovesCardsOnlyForward(t *testing.T) {
	f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
	f.start(t, "alice", "town", "")
	cards, _ := f.store.OpenCards(context.Background(), "town", time.Time{})
	c := cards[0]
	ctx := context.Background()
	ended := Event{Type: EventMeetingEnded, MeetingID: c.MeetingID, UUID: c.UUID, StartTime: f.now, EndTime: f.now.Add(time.Hour)}
	started := Event{Type: EventMeetingStarted, MeetingID: c.MeetingID, UUID: c.UUID, StartTime: f.now}
	for i, step := range []struct {
		ev   Event
		want bool
	}{{ended, true}, {started, false}, {ended, false}} {
		changed, err := f.svc.ApplyEvent(ctx, step.ev)
		if err != nil || changed != step.want {
			t.Fatalf("step %d (%s): changed %v err %v, want %v", i, step.ev.Type, changed, err, step.want)
		}
	}
	got, _ := f.store.Card(ctx, c.ID)
	if got.Status != StatusEnded || got.Duration() != time.Hour {
		t.Errorf("card %+v", got)
	}
	if changed, _ := f.svc.ApplyEvent(ctx, Event{Type: EventMeetingEnded, MeetingID: 1, UUID: "nope"}); changed {
		t.Error("an event for an unknown meeting changed something")
	}
}

func TestConnectFlow(t *testing.T) {
	ctx := context.Background()
	f := newFixture(KindUser)
	r := f.start(t, "alice", "town", "Retro")
	i := strings.Index(r.Text, "state=")
	if i < 0 {
		t.Fatalf("no connect link: %q", r.Text)
	}
	state := strings.Fields(r.Text[i+len("state="):])[0]

	authURL, cookie, err := f.svc.OpenConnect(ctx, state)
	if err != nil || authURL == "" || cookie == "" {
		t.Fatalf("OpenConnect: %v", err)
	}
	if _, _, err := f.svc.OpenConnect(ctx, state); KindOf(err) != KindLinkInvalid {
		t.Errorf("a second browser opened the link: %v", err)
	}
	if _, err := f.svc.CompleteConnect(ctx, state, "another-browser", "good-code"); KindOf(err) != KindLinkInvalid {
		t.Errorf("completion from another browser: %v", err)
	}
	// The failed attempt consumed the state: even the right browser must start over.
	if _, err := f.svc.CompleteConnect(ctx, state, cookie, "good-code"); KindOf(err) != KindLinkInvalid {
		t.Errorf("a consumed state completed: %v", err)
	}

	r = f.start(t, "alice", "town", "Retro")
	state = strings.Fields(r.Text[strings.Index(r.Text, "state=")+len("state="):])[0]
	_, cookie, _ = f.svc.OpenConnect(ctx, state)
	res, err := f.svc.CompleteConnect(ctx, state, cookie, "good-code")
	if err != nil || res.ZoomEmail != "alice@example.com" {
		t.Fatalf("CompleteConnect: %+v %v", res, err)
	}
	tok, _ := f.store.Token(ctx, UserOwner("alice"))
	if tok.Confirmed || tok.ZoomEmail != "alice@example.com" {
		t.Fatalf("stored token %+v: want unconfirmed with the Zoom e-mail", tok)
	}
	if len(f.chat.direct) != 1 || len(f.zoom.created) != 0 {
		t.Fatalf("want one confirmation DM and no meeting yet; DMs %d meetings %d", len(f.chat.direct), len(f.zoom.created))
	}
	var confirm Action
	for _, b := range f.chat.direct[0].Attachments[0].Buttons {
		if b.Action.Name == ActionConfirmLink {
			confirm = b.Action
		}
	}
	confirm.Nonce = "dm-question" // as the adapter passes a verified click on the stored direct message
	reply, err := f.svc.Click(ctx, confirm, "alice", "dm-alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.zoom.created) != 1 || f.zoom.created[0].Topic != "Retro" {
		t.Fatalf("confirming did not run the pending start: %+v %+v", f.zoom.created, reply)
	}
	// The direct message is stored and may be updated; the start link goes to the starter alone.
	if reply.Update == nil || strings.Contains(reply.Update.Message, "HOSTSECRET") || !strings.Contains(reply.Text, "start.host_link StartURL=https://zoom.example/s/") {
		t.Errorf("confirm answer %+v: want the DM updated and the start link in the ephemeral text only", reply)
	}
	if len(f.chat.postsIn("town")) != 1 {
		t.Error("the card was not posted in the channel the start came from")
	}
}

func TestConnectLinkExpires(t *testing.T) {
	ctx := context.Background()
	f := newFixture(KindUser)
	r, err := f.svc.Connect(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	state := strings.Fields(r.Text[strings.Index(r.Text, "state=")+len("state="):])[0]
	f.now = f.now.Add(ConnectTTL + time.Second)
	if _, _, err := f.svc.OpenConnect(ctx, state); KindOf(err) != KindLinkInvalid {
		t.Errorf("an expired link opened: %v", err)
	}
}

func TestDisconnect(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name     string
		kind     AppKind
		user     string
		arg      string
		wantKey  string
		wantKind Kind
		revoked  bool
	}{
		{"user kind revokes and forgets", KindUser, "alice", "", "disconnect.done", "", true},
		{"s2s has nothing per user", KindS2S, "alice", "", "disconnect.s2s", "", false},
		{"account user has nothing per user", KindAccount, "alice", "", "disconnect.account_user", "", false},
		{"account connection needs an admin", KindAccount, "alice", "account", "", KindNotAdmin, false},
		{"admin removes the account connection", KindAccount, "root", "account", "disconnect.account_done", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(c.kind)
			_ = f.store.SaveToken(ctx, UserOwner("alice"), &Token{AccessToken: "a"})
			_ = f.store.SaveToken(ctx, AccountOwner, &Token{AccessToken: "b"})
			r, err := f.svc.Disconnect(ctx, c.user, c.arg)
			if c.wantKind != "" {
				if KindOf(err) != c.wantKind {
					t.Fatalf("err %v, want %s", err, c.wantKind)
				}
				return
			}
			if err != nil || !strings.Contains(r.Text, c.wantKey) {
				t.Fatalf("reply %+v err %v, want %s", r, err, c.wantKey)
			}
			if got := len(f.auth.revoked) == 1; got != c.revoked {
				t.Errorf("revoked = %v, want %v", got, c.revoked)
			}
		})
	}
}

func TestReconcileEndsWhatZoomNeverFinished(t *testing.T) {
	cases := []struct {
		name      string
		prepare   func(f *fixture, c *Card)
		elapsed   time.Duration
		wantEnded bool
		wantDur   time.Duration
	}{
		{"ended instance found in past meetings", func(f *fixture, c *Card) {
			f.zoom.past[c.UUID] = PastMeeting{UUID: c.UUID, StartTime: f.now, EndTime: f.now.Add(40 * time.Minute)}
		}, 3 * time.Hour, true, 40 * time.Minute},
		{"meeting Zoom no longer knows", func(f *fixture, c *Card) { delete(f.zoom.status, c.MeetingID) }, 3 * time.Hour, true, 0},
		{"never started for a day", func(*fixture, *Card) {}, 25 * time.Hour, true, 0},
		{"still waiting, not yet a day", func(*fixture, *Card) {}, 3 * time.Hour, false, 0},
		{"still running", func(f *fixture, c *Card) { f.zoom.status[c.MeetingID] = "started" }, 30 * time.Hour, false, 0},
		{"recent card is not checked", func(f *fixture, c *Card) { delete(f.zoom.status, c.MeetingID) }, time.Hour, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
			f.start(t, "alice", "town", "Sync")
			cards, _ := f.store.OpenCards(context.Background(), "town", time.Time{})
			c := cards[0]
			tc.prepare(f, c)
			f.now = f.now.Add(tc.elapsed)
			n, err := f.svc.Reconcile(context.Background())
			if err != nil || (n == 1) != tc.wantEnded {
				t.Fatalf("ended %d cards (err %v), want ended=%v", n, err, tc.wantEnded)
			}
			got, _ := f.store.Card(context.Background(), c.ID)
			if (got.Status == StatusEnded) != tc.wantEnded || got.Duration() != tc.wantDur {
				t.Errorf("card %s lasting %v, want ended=%v lasting %v", got.Status, got.Duration(), tc.wantEnded, tc.wantDur)
			}
			if tc.wantEnded && !strings.Contains(f.chat.postsIn("town")[0].Attachments[0].Text, "card.status_ended") {
				t.Errorf("the card was not shown ended: %+v", f.chat.postsIn("town")[0])
			}
		})
	}
}

// TestJanitorPrunesOnTheServiceClock: the janitor prunes with the service's clock, not the system's, and
// once as soon as it starts.
func TestJanitorPrunesOnTheServiceClock(t *testing.T) {
	f := newFixture(KindUser)
	ctx := context.Background()
	_ = f.store.SaveConnect(ctx, &ConnectState{ID: "old", UserID: "alice", Expires: f.now.Add(-25 * time.Hour)})
	_ = f.store.SaveConnect(ctx, &ConnectState{ID: "live", UserID: "alice", Expires: f.now.Add(ConnectTTL)})
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	f.svc.RunJanitor(stopped, time.Hour) // prunes once, then sees ctx ended
	if _, err := f.store.Connect(ctx, "old"); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired link kept: %v", err)
	}
	if _, err := f.store.Connect(ctx, "live"); err != nil {
		t.Errorf("live link pruned: %v", err)
	}
}

// clickReply clicks button id of an ephemeral question r as the Mattermost adapter hands a verified click
// over: marked ephemeral and, for a single-use button, with the question's nonce (shared by its buttons).
func (f *fixture) clickReply(t *testing.T, r *Reply, id, user, channel string) *Reply {
	t.Helper()
	for _, at := range r.Attachments {
		for _, b := range at.Buttons {
			if b.ID != id {
				continue
			}
			a := b.Action
			a.OnEphemeral = true
			if a.Once {
				a.Nonce = fmt.Sprintf("question-%p", r)
			}
			got, err := f.svc.Click(context.Background(), a, user, channel)
			if err != nil {
				t.Fatalf("click %s: %v", id, err)
			}
			return got
		}
	}
	t.Fatalf("no button %q in %+v", id, r)
	return nil
}

// Mattermost cannot update an ephemeral post and ignores goto_location for clicks: every answer to a click
// on an ephemeral question is text, which carries the links the user needs.
func TestClicksOnEphemeralQuestionsAreAnsweredWithText(t *testing.T) {
	cases := []struct {
		name     string
		pref     PMIPreference
		question func(f *fixture) *Reply
		button   string
		want     []string // in the text
		meetings int      // created by the click
		pmi      bool
	}{
		{"recent: join it", PMINever, recentQuestion, "joinrecent", []string{"recent.joined", "JoinURL=https://zoom.example/j/"}, 0, false},
		{"recent: start another", PMINever, recentQuestion, "startnew", []string{"start.done", "start.host_link StartURL=https://zoom.example/s/"}, 1, false},
		{"recent, asking about the PMI: new ID", PMIAsk, recentQuestion, "startnew", []string{"start.host_link StartURL="}, 1, false},
		{"recent, asking about the PMI: PMI", PMIAsk, recentQuestion, "startnewpmi", []string{"start.host_link StartURL="}, 1, true},
		{"PMI question: PMI", PMIAsk, pmiQuestion, "usepmi", []string{"start.done", "start.host_link StartURL=https://zoom.example/s/"}, 1, true},
		{"PMI question: new ID", PMIAsk, pmiQuestion, "usenew", []string{"start.done", "start.host_link StartURL=https://zoom.example/s/"}, 1, false},
		{"settings: always", PMIAsk, settingsQuestion, "pmipmi", []string{"settings.saved Choice=en:settings.pmi.pmi"}, 0, false},
		{"settings: ask", PMINever, settingsQuestion, "pmiask", []string{"settings.saved Choice=en:settings.pmi.ask"}, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
			_ = f.store.SaveSettings(context.Background(), &UserSettings{UserID: "alice", PMI: c.pref})
			q := c.question(f)
			before := len(f.zoom.created)
			r := f.clickReply(t, q, c.button, "alice", "town")
			if r.Update != nil || len(r.Attachments) != 0 {
				t.Errorf("answer %+v: want text only", r)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text %q lacks %q", r.Text, w)
				}
			}
			if got := len(f.zoom.created) - before; got != c.meetings {
				t.Fatalf("%d meetings created, want %d", got, c.meetings)
			}
			if c.meetings > 0 && f.zoom.created[len(f.zoom.created)-1].UsePMI != c.pmi {
				t.Errorf("UsePMI = %v, want %v", f.zoom.created[len(f.zoom.created)-1].UsePMI, c.pmi)
			}
		})
	}
}

// recentQuestion has kenji start a meeting in town, then alice asks for one there too.
func recentQuestion(f *fixture) *Reply {
	_, _ = f.svc.Start(context.Background(), StartRequest{UserID: "kenji", ChannelID: "town", TeamID: "team", UsePMI: new(bool)})
	r, _ := f.svc.Start(context.Background(), StartRequest{UserID: "alice", ChannelID: "town", TeamID: "team"})
	return r
}

func pmiQuestion(f *fixture) *Reply {
	r, _ := f.svc.Start(context.Background(), StartRequest{UserID: "alice", ChannelID: "town", TeamID: "team"})
	return r
}

func settingsQuestion(f *fixture) *Reply {
	r, _ := f.svc.SettingsReply(context.Background(), "alice", "town")
	return r
}

func TestRecentQuestionAsksAboutThePMIToo(t *testing.T) {
	f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
	_ = f.store.SaveSettings(context.Background(), &UserSettings{UserID: "alice", PMI: PMIAsk})
	if got := buttonActions(recentQuestion(f)); len(got) != 3 || got[0] != ActionJoinRecent || got[1] != ActionStartFresh || got[2] != ActionStartPMI {
		t.Errorf("buttons %v: want join, start with a new ID, start with the PMI", got)
	}
}

// One question, one answer: whichever button is clicked first wins; another answer, or the same one again
// (a stale copy on another device), is told the question was answered and starts nothing.
func TestAQuestionTakesOneAnswer(t *testing.T) {
	for _, second := range []string{"usepmi", "usenew"} {
		t.Run(second, func(t *testing.T) {
			f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
			_ = f.store.SaveSettings(context.Background(), &UserSettings{UserID: "kenji", PMI: PMIAsk})
			r, err := f.svc.Start(context.Background(), StartRequest{UserID: "kenji", ChannelID: "town", TeamID: "team"})
			if err != nil {
				t.Fatal(err)
			}
			f.clickReply(t, r, "usenew", "kenji", "town")
			again := f.clickReply(t, r, second, "kenji", "town")
			if again.Text != "ja:action.already_answered" || again.Update != nil || again.GotoLocation != "" {
				t.Errorf("second answer %+v, want the translated already-answered message only", again)
			}
			if len(f.zoom.created) != 1 || len(f.chat.postsIn("town")) != 1 {
				t.Errorf("%d meetings and %d cards, want 1", len(f.zoom.created), len(f.chat.postsIn("town")))
			}
		})
	}
}

func TestSingleUseClickWithoutNonceIsRefused(t *testing.T) {
	f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
	_, err := f.svc.Click(context.Background(), Action{Name: ActionStartFresh, UserID: "alice", ChannelID: "town", Once: true}, "alice", "town")
	if KindOf(err) != KindActionInvalid || len(f.zoom.created) != 0 {
		t.Errorf("err %v, meetings %d", err, len(f.zoom.created))
	}
}

// Zoom sends meeting.started and the host's participant_joined at once and may deliver them in either order:
// the host counts on a Personal Meeting ID card too, whichever comes first.
func TestTheHostCountsWhicheverEventArrivesFirst(t *testing.T) {
	for _, order := range []string{"started first", "joined first"} {
		t.Run(order, func(t *testing.T) {
			f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
			ctx := context.Background()
			_ = f.store.SaveSettings(ctx, &UserSettings{UserID: "alice", PMI: PMIAlways})
			f.start(t, "alice", "town", "")
			cards, _ := f.store.OpenCards(ctx, "town", time.Time{})
			c := cards[0]
			if !c.Personal {
				t.Fatalf("card %+v is not on the Personal Meeting ID", c)
			}
			const inst = "instance-2=="
			started := Event{Type: EventMeetingStarted, MeetingID: c.MeetingID, UUID: inst, StartTime: f.now}
			host := Event{Type: EventParticipantJoined, MeetingID: c.MeetingID, UUID: inst, Participant: "host-pid", At: f.now}
			guest := Event{Type: EventParticipantJoined, MeetingID: c.MeetingID, UUID: inst, Participant: "guest", At: f.now.Add(time.Second)}
			events := []Event{started, host, guest}
			if order == "joined first" {
				events = []Event{host, started, guest}
			}
			for _, ev := range events {
				if changed, err := f.svc.ApplyEvent(ctx, ev); err != nil || !changed {
					t.Fatalf("%s: changed %v, err %v", ev.Type, changed, err)
				}
			}
			got, _ := f.store.Card(ctx, c.ID)
			if got.Status != StatusStarted || got.Participants != 2 || got.UUID != inst {
				t.Errorf("card status %s, %d participants, instance %q; want started, 2 (the host and a guest), %q",
					got.Status, got.Participants, got.UUID, inst)
			}
		})
	}
}
