package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sim/zoomsim"
)

// connectUser runs the whole user-kind connection for user: /zoom connect, the browser flow approved as the
// Zoom user with email, and the confirmation button in the bot's direct message.
func (w *world) connectUser(user mmsim.User, email string) {
	w.t.Helper()
	res := w.run(user, w.Town, "/zoom connect")
	status, body := w.connectAs(newBrowser(w.t), connectLink(w.t, res.Response.Text), email)
	if status != http.StatusOK {
		w.t.Fatalf("completing the connection: %d %s", status, body)
	}
	if r := w.click(user, w.Mattermost.Posts(w.dm(user).ID), "confirm"); r.Error != "" {
		w.t.Fatalf("confirming the Zoom account: %s", r.Error)
	}
}

// connectAccount has alice, a system admin, authorize the account-level app.
func (w *world) connectAccount() {
	w.t.Helper()
	w.Mattermost.SetRoles(w.Alice.ID, "system_admin system_user")
	res := w.run(w.Alice, w.Town, "/zoom connect")
	status, body := w.connectAs(newBrowser(w.t), connectLink(w.t, res.Response.Text), w.Alice.Email)
	if status != http.StatusOK {
		w.t.Fatalf("authorizing the account: %d %s", status, body)
	}
}

// meetingOf returns the Zoom meeting a card shows.
func (w *world) meetingOf(card mmsim.Post) zoomsim.Meeting {
	w.t.Helper()
	idStr, ok := card.Props[meeting.PropMeetingID].(string)
	if !ok {
		w.t.Fatalf("card props meeting_id is %T, want a string", card.Props[meeting.PropMeetingID])
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		w.t.Fatalf("card meeting_id %q: %v", idStr, err)
	}
	m, ok := w.Zoom.Meeting(id)
	if !ok {
		w.t.Fatalf("Zoom has no meeting %d", id)
	}
	return m
}

// checkStarted asserts what a starter and the channel see after a successful /zoom start.
func (w *world) checkStarted(res *mmsim.CommandResult, ch mmsim.Channel, starter mmsim.User) mmsim.Post {
	w.t.Helper()
	card := w.onlyCard(ch)
	m := w.meetingOf(card)
	if card.UserID != w.Bot.ID {
		w.t.Errorf("card posted by %s, want the bot %s", card.UserID, w.Bot.ID)
	}
	if m.HostEmail != starter.Email {
		w.t.Errorf("meeting hosted by %q, want the starter %q", m.HostEmail, starter.Email)
	}
	join, _ := card.Props[meeting.PropJoinURL].(string)
	if join != m.JoinURL || !strings.Contains(join, "pwd=") {
		w.t.Errorf("card join link %q, want Zoom's join_url with the passcode %q", join, m.JoinURL)
	}
	if st := card.Props[meeting.PropStatus]; st != string(meeting.StatusWaiting) {
		w.t.Errorf("card status %v, want waiting", st)
	}
	if !strings.Contains(postedText([]mmsim.Post{card}), m.JoinURL) {
		w.t.Errorf("card fallback lacks the join link: %+v", card)
	}
	if res != nil {
		if res.Response == nil || res.Response.GotoLocation != m.StartURL {
			w.t.Errorf("reply goto_location %+v, want the host start_url", res.Response)
		}
	}
	return card
}

func TestStartForEachAppKind(t *testing.T) {
	cases := []struct {
		kind    meeting.AppKind
		prepare func(w *world)
	}{
		{meeting.KindS2S, func(*world) {}},
		{meeting.KindAccount, func(w *world) { w.connectAccount() }},
		{meeting.KindUser, func(w *world) { w.connectUser(w.Kenji, w.Kenji.Email) }},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			w := newWorld(t, c.kind)
			c.prepare(w)
			res := w.run(w.Kenji, w.Town, "/zoom start Weekly sync")
			card := w.checkStarted(res, w.Town, w.Kenji)
			if got := card.Props[meeting.PropTopic]; got != "Weekly sync" {
				t.Errorf("card topic %v, want Weekly sync", got)
			}
			// The meeting ends at Zoom: the card says so and how long it lasted.
			m := w.meetingOf(card)
			ctx := context.Background()
			if err := w.Zoom.StartMeeting(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			w.settle()
			if got, _ := w.Mattermost.Post(card.ID); got.Props[meeting.PropStatus] != string(meeting.StatusStarted) {
				t.Errorf("card status after the host started: %v", got.Props[meeting.PropStatus])
			}
			w.clock.Advance(45*time.Minute + 30*time.Second)
			if err := w.Zoom.EndMeeting(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			w.settle()
			ended, _ := w.Mattermost.Post(card.ID)
			if ended.Props[meeting.PropStatus] != string(meeting.StatusEnded) {
				t.Fatalf("card status after the meeting ended: %v", ended.Props[meeting.PropStatus])
			}
			if d, _ := ended.Props[meeting.PropDuration].(float64); d < 45*60 || d > 46*60 {
				t.Errorf("card duration %v s, want about 45.5 minutes", ended.Props[meeting.PropDuration])
			}
		})
	}
}

func TestUnconnectedUserConnectsAndGetsTheMeeting(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	res := w.run(w.Alice, w.Town, "/zoom start Design review")
	if n := len(w.cards(w.Town)); n != 0 {
		t.Fatalf("%d cards before connecting", n)
	}
	if res.Response.ResponseType == "in_channel" {
		t.Fatalf("the connect link was posted in the channel: %+v", res.Response)
	}
	link := connectLink(t, res.Response.Text)
	status, body := w.connectAs(newBrowser(t), link, w.Alice.Email)
	if status != http.StatusOK {
		t.Fatalf("completion page: %d %s", status, body)
	}
	// Not used before the user confirms the Zoom account.
	if n := len(w.cards(w.Town)); n != 0 {
		t.Fatalf("a meeting was started before the Zoom account was confirmed")
	}
	r := w.click(w.Alice, w.Mattermost.Posts(w.dm(w.Alice).ID), "confirm")
	if r.Error != "" {
		t.Fatalf("confirm: %s", r.Error)
	}
	card := w.checkStarted(nil, w.Town, w.Alice)
	if card.Props[meeting.PropTopic] != "Design review" {
		t.Errorf("the pending start lost its topic: %v", card.Props[meeting.PropTopic])
	}
	// Mattermost ignores goto_location for clicks: the start link is in the text only the starter sees.
	if !strings.Contains(r.EphemeralText, "]("+w.meetingOf(card).StartURL+")") {
		t.Errorf("confirming did not give the starter the start link: %+v", r)
	}
}

func TestSomeoneElsesZoomAccountIsNotUsedWithoutConfirmation(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	// A Zoom account whose address no Mattermost user has (a shared room account, say).
	shared := w.Zoom.AddUser(zoomsim.User{Email: "room-4f@example.net", FirstName: "Room", LastName: "4F", EmbedPasswordInJoinLink: true})
	res := w.run(w.Alice, w.Town, "/zoom start")
	status, _ := w.connectAs(newBrowser(t), connectLink(t, res.Response.Text), shared.Email)
	if status != http.StatusOK {
		t.Fatalf("completion: %d", status)
	}
	dm := w.Mattermost.Posts(w.dm(w.Alice).ID)
	if !strings.Contains(strings.ReplaceAll(postedText(dm), "\u200b", ""), shared.Email) {
		t.Fatalf("alice was not asked to confirm the linked Zoom account %s: %s", shared.Email, postedText(dm))
	}
	res = w.run(w.Alice, w.Town, "/zoom start")
	if len(w.cards(w.Town)) != 0 {
		t.Fatal("a meeting was started with an unconfirmed Zoom account")
	}
	if r := w.click(w.Alice, dm, "reject"); r.Error != "" {
		t.Fatalf("reject: %s", r.Error)
	}
	res = w.run(w.Alice, w.Town, "/zoom start")
	connectLink(t, res.Response.Text) // rejected: she is offered a fresh connection
}

// TestForwardedConnectLinkCannotLendAZoomAccount: kenji sends his connect link to alice, who opens it and
// consents with her own Zoom account. The page names kenji before anyone goes to Zoom, and the connection
// is refused because alice's Zoom address is alice's Mattermost address: kenji never hosts as alice.
func TestForwardedConnectLinkCannotLendAZoomAccount(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	res := w.run(w.Kenji, w.Town, "/zoom connect")
	link := connectLink(t, res.Response.Text)

	alice := newBrowser(t)
	status, _, page := alice.get(link)
	if status != http.StatusOK || !strings.Contains(page, "@kenji") || !strings.Contains(page, w.Kenji.FirstName) {
		t.Fatalf("the page before Zoom does not name the Mattermost account (@kenji, %s): %d %s", w.Kenji.FirstName, status, page)
	}
	status, page = w.connectAs(alice, link, w.Alice.Email)
	if status != http.StatusForbidden || !strings.Contains(page, w.Alice.Email) {
		t.Fatalf("a forwarded link connected another person's Zoom account: %d %s", status, page)
	}
	if dm := w.Mattermost.Posts(w.dm(w.Kenji).ID); len(dm) != 0 {
		t.Errorf("kenji was asked to confirm alice's Zoom account: %s", postedText(dm))
	}
	// Nothing was kept: kenji is still not connected, and alice's grant was revoked at Zoom.
	res = w.run(w.Kenji, w.Town, "/zoom start")
	connectLink(t, res.Response.Text)
	if len(w.cards(w.Town)) != 0 {
		t.Fatal("kenji started a meeting hosted by alice's Zoom account")
	}
	if n := w.Zoom.Stats().Revocations; n != 1 {
		t.Errorf("%d revocations at Zoom, want the refused grant revoked once", n)
	}

	// Kenji opening his own link connects him, and the page names his account.
	res = w.run(w.Kenji, w.Town, "/zoom connect")
	status, page = w.connectAs(newBrowser(t), connectLink(t, res.Response.Text), w.Kenji.Email)
	if status != http.StatusOK || !strings.Contains(page, "@kenji") {
		t.Fatalf("kenji's own connection: %d %s", status, page)
	}
}

func TestOAuthStateIsRefused(t *testing.T) {
	cases := []struct {
		name string
		// misuse does something wrong with a fresh connect link and returns the final page status.
		misuse func(w *world, link string) int
	}{
		{"used twice", func(w *world, link string) int {
			if status, body := w.connectAs(newBrowser(w.t), link, w.Alice.Email); status != http.StatusOK {
				w.t.Fatalf("first use: %d %s", status, body)
			}
			status, _ := w.connectAs(newBrowser(w.t), link, w.Alice.Email)
			return status
		}},
		{"expired", func(w *world, link string) int {
			w.clock.Advance(meeting.ConnectTTL + time.Minute)
			status, _ := w.connectAs(newBrowser(w.t), link, w.Alice.Email)
			return status
		}},
		{"completed in another browser", func(w *world, link string) int {
			status, loc, _ := newBrowser(w.t).open(link)
			if status != http.StatusSeeOther {
				w.t.Fatalf("opening the link: %d", status)
			}
			back, err := w.Zoom.Approve(loc, w.Alice.Email)
			if err != nil {
				w.t.Fatal(err)
			}
			status, _, _ = newBrowser(w.t).get(back)
			return status
		}},
		{"opened by a second browser", func(w *world, link string) int {
			newBrowser(w.t).open(link)
			status, _ := w.connectAs(newBrowser(w.t), link, w.Alice.Email)
			return status
		}},
		{"a state that was never issued", func(w *world, link string) int {
			u, _ := url.Parse(link)
			status, _, _ := newBrowser(w.t).get(w.MMZoomURL + "/oauth2/complete?code=x&state=" + u.Query().Get("state") + "x")
			return status
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, meeting.KindUser)
			res := w.run(w.Alice, w.Town, "/zoom connect")
			if status := c.misuse(w, connectLink(t, res.Response.Text)); status != http.StatusForbidden {
				t.Errorf("final page status %d, want 403", status)
			}
			if c.name == "used twice" {
				return
			}
			// Nothing was connected: the next start still offers a link.
			res = w.run(w.Alice, w.Town, "/zoom start")
			connectLink(t, res.Response.Text)
		})
	}
}

func TestForgedCommandTokenIsRefusedBeforeAnyCall(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	w.Mattermost.ResetRequests()
	form := url.Values{"token": {"forged-token"}, "team_id": {w.Team.ID}, "channel_id": {w.Town.ID},
		"user_id": {w.Alice.ID}, "user_name": {"alice"}, "command": {"/zoom"}, "text": {"start"},
		"response_url": {w.MMURL + "/hooks/commands/abc"}}
	resp, err := http.PostForm(w.MMZoomURL+"/mattermost/command", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
	if st := w.Zoom.Stats(); st.APICalls != 0 || len(st.TokenRequests) != 0 {
		t.Errorf("Zoom was called: %+v", st)
	}
	if reqs := w.Mattermost.Requests(); len(reqs) != 0 {
		t.Errorf("Mattermost was called: %+v", reqs)
	}
}

func TestCommandTokenFromAnotherTeamIsRefused(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	w.run(w.Alice, w.Town, "/zoom help") // binds the token to the demo team
	other := w.Mattermost.AddTeam(mmsim.Team{Name: "other", DisplayName: "Other"})
	w.Mattermost.AddTeamMember(other.ID, w.Alice.ID)
	ch := w.Mattermost.AddChannel(mmsim.Channel{TeamID: other.ID, Type: "O", Name: "lobby", DisplayName: "Lobby"}, w.Alice.ID)
	form := url.Values{"token": {w.Command.Token}, "team_id": {other.ID}, "channel_id": {ch.ID},
		"user_id": {w.Alice.ID}, "user_name": {"alice"}, "command": {"/zoom"}, "text": {"start"}}
	resp, err := http.PostForm(w.MMZoomURL+"/mattermost/command", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403 (%s)", resp.StatusCode, body)
	}
	if len(w.Zoom.Meetings()) != 0 || len(w.cards(ch)) != 0 {
		t.Error("a meeting was created through a token of another team")
	}
}

func TestConcurrentStartsNeedingARefreshRefreshOnce(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	w.connectUser(w.Alice, w.Alice.Email)
	before := w.Zoom.Stats().TokenRequests["refresh_token"]
	w.clock.Advance(2 * time.Hour) // the access token expired
	var wg sync.WaitGroup
	results := make([]*mmsim.CommandResult, 2)
	for i, ch := range []mmsim.Channel{w.Town, w.Private} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = w.Mattermost.ExecuteCommand(context.Background(), w.Alice.ID, ch.ID, w.Team.ID, "", "/zoom start")
		}()
	}
	wg.Wait()
	w.checkStarted(results[0], w.Town, w.Alice)
	w.checkStarted(results[1], w.Private, w.Alice)
	if got := w.Zoom.Stats().TokenRequests["refresh_token"] - before; got != 1 {
		t.Errorf("%d refreshes, want exactly 1", got)
	}
	// The rotated token was kept: a later start after another expiry refreshes with it successfully.
	w.clock.Advance(2 * time.Hour)
	res := w.run(w.Alice, w.DM, "/zoom start")
	w.checkStarted(res, w.DM, w.Alice)
}

func TestSecretsNeverAtRestInLogsOrPosts(t *testing.T) {
	for _, kind := range []meeting.AppKind{meeting.KindUser, meeting.KindS2S} {
		t.Run(string(kind), func(t *testing.T) {
			w := newWorld(t, kind)
			if kind == meeting.KindUser {
				w.connectUser(w.Alice, w.Alice.Email)
				w.clock.Advance(2 * time.Hour) // force a refresh: the rotated tokens are stored too
			}
			w.run(w.Alice, w.Town, "/zoom start")
			w.run(w.Alice, w.Private, "/zoom start")
			w.settle()
			secrets := w.wire.Secrets()
			if len(secrets) < 3 {
				t.Fatalf("recorded only %d secrets from Zoom; the test would prove nothing", len(secrets))
			}
			files := map[string][]byte{}
			for _, name := range []string{"mmzoom.db", "mmzoom.db-wal"} {
				b, err := os.ReadFile(filepath.Join(w.dir, name))
				if err != nil {
					t.Fatalf("reading %s: %v", name, err)
				}
				files[name] = b
			}
			if len(files["mmzoom.db-wal"]) == 0 {
				t.Fatal("the -wal file is empty: the scan would not cover recent writes")
			}
			files["log"] = []byte(w.logs.String())
			var posts []mmsim.Post
			for _, ch := range []mmsim.Channel{w.Town, w.Private, w.dm(w.Alice)} {
				posts = append(posts, w.Mattermost.Posts(ch.ID)...)
			}
			posts = append(posts, w.Mattermost.Ephemerals(w.Alice.ID)...)
			files["posts"] = []byte(postedText(posts))
			for name, b := range files {
				for _, s := range secrets {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("%s contains a secret from Zoom (%.12s…)", name, s)
					}
				}
			}
		})
	}
}

func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

func TestJapaneseUserGetsJapanese(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	for _, line := range []string{"/zoom help", "/zoom start 定例会議", "/zoom settings", "/zoom nonsense"} {
		res := w.run(w.Kenji, w.Town, line)
		if !hasJapanese(res.Response.Text) {
			t.Errorf("%s answered %q, want Japanese", line, res.Response.Text)
		}
	}
	card := w.onlyCard(w.Town)
	if !hasJapanese(card.Message) || !hasJapanese(postedText([]mmsim.Post{card})) {
		t.Errorf("card for a Japanese starter is not in Japanese: %+v", card)
	}
	// English stays English.
	res := w.run(w.Alice, w.Town, "/zoom help")
	if hasJapanese(res.Response.Text) {
		t.Errorf("English user got %q", res.Response.Text)
	}
}

func TestTopicIsPostedInert(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	topic := "@channel [win a prize](http://evil.example) @here"
	res := w.run(w.Alice, w.Town, "/zoom start "+topic)
	card := w.onlyCard(w.Town)
	if m := w.meetingOf(card); m.Topic != topic {
		t.Errorf("Zoom got topic %q, want what the user typed", m.Topic)
	}
	shown := rendered(card) + res.Response.Text
	for _, bad := range []string{"@channel", "@here", "[win a prize]("} {
		if strings.Contains(shown, bad) {
			t.Errorf("posted text contains live %q: %s", bad, shown)
		}
	}
}

func TestEmailMatching(t *testing.T) {
	cases := []struct {
		name        string
		requireVer  string
		authService string
		zoomUser    bool
		wantMeeting bool
		wantText    string
	}{
		{"verified e-mails required", "true", "", true, true, ""},
		{"unverified e-mail is not matched", "false", "", true, false, "verif"},
		{"SSO user is matched", "false", "saml", true, true, ""},
		{"no Zoom user with that e-mail", "true", "", false, false, "newbie@example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, meeting.KindS2S)
			w.Mattermost.SetClientConfig("RequireEmailVerification", c.requireVer)
			u := w.Mattermost.AddUser(mmsim.User{Username: "newbie", Email: "newbie@example.com", AuthService: c.authService}, w.Team.ID)
			w.Mattermost.AddMember(w.Town.ID, u.ID)
			if c.zoomUser {
				w.Zoom.AddUser(zoomsim.User{Email: u.Email, FirstName: "New", EmbedPasswordInJoinLink: true})
			}
			res := w.run(u, w.Town, "/zoom start")
			if got := len(w.cards(w.Town)) == 1; got != c.wantMeeting {
				t.Fatalf("meeting started = %v, want %v (reply %q)", got, c.wantMeeting, res.Response.Text)
			}
			if !c.wantMeeting && len(w.Zoom.Meetings()) != 0 {
				t.Error("a Zoom meeting was created although the user was refused")
			}
			if !strings.Contains(res.Response.Text, c.wantText) {
				t.Errorf("reply %q lacks %q", res.Response.Text, c.wantText)
			}
		})
	}
}

func TestCardInEveryChannelType(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	for _, ch := range []mmsim.Channel{w.Town, w.Private, w.DM, w.GM} {
		t.Run(ch.Type, func(t *testing.T) {
			res := w.run(w.Alice, ch, "/zoom start")
			card := w.checkStarted(res, ch, w.Alice)
			// The bot (system_post_all) is in none of the private channel, the DM and the group message: it
			// can post the card there but never edit it, and the card says so from the start.
			inThread := ch.Type != "O"
			if got := card.Props[meeting.PropUpdatesInThread] == true; got != inThread {
				t.Errorf("%s: card says its updates follow in the thread: %v, want %v", ch.Name, got, inThread)
			}
			if inThread && !strings.Contains(card.Message, "thread") {
				t.Errorf("%s: the card's text does not say where its updates go: %q", ch.Name, card.Message)
			}
			m := w.meetingOf(card)
			ctx := context.Background()
			if err := w.Zoom.StartMeeting(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			w.settle()
			w.clock.Advance(10 * time.Minute)
			if err := w.Zoom.EndMeeting(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			w.settle()
			got, _ := w.Mattermost.Post(card.ID)
			if !inThread {
				if got.Props[meeting.PropStatus] != string(meeting.StatusEnded) {
					t.Errorf("public channel card was not updated in place: %v", got.Props[meeting.PropStatus])
				}
				return
			}
			// The news reaches the channel in the card's thread, each reply carrying the card's state for the
			// plugin to show in the card; the newest says it ended.
			var replies []mmsim.Post
			for _, p := range w.Mattermost.Posts(ch.ID) {
				if p.RootID == card.ID && p.UserID == w.Bot.ID {
					replies = append(replies, p)
				}
			}
			if len(replies) == 0 {
				t.Fatalf("the meeting's end reached %s neither in place nor in the thread", ch.Name)
			}
			newest := replies[len(replies)-1] // Posts lists oldest first
			state, _ := newest.Props[meeting.PropCard].(map[string]any)
			if newest.Props[meeting.PropCardPostID] != card.ID || state[meeting.PropStatus] != string(meeting.StatusEnded) {
				t.Errorf("%s: the newest thread reply does not carry the ended card: %v", ch.Name, newest.Props)
			}
		})
	}
}

func TestButtonContextsAreVerified(t *testing.T) {
	rec := &actionRecorder{base: http.DefaultTransport}
	w := newWorld(t, meeting.KindS2S, func(s *demoSetup) { s.mmHTTPClient = &http.Client{Transport: rec} })
	w.run(w.Alice, w.Town, "/zoom start")
	// A second start in the same channel asks whether to join the running meeting or start another.
	w.run(w.Kenji, w.Town, "/zoom start")
	r := w.click(w.Kenji, w.Mattermost.Ephemerals(w.Kenji.ID), "startnew")
	if r.Error != "" {
		t.Fatalf("start anyway: %s", r.Error)
	}
	if n := len(w.Zoom.Meetings()); n != 2 {
		t.Fatalf("%d Zoom meetings after start-anyway, want 2", n)
	}
	used := rec.last(t)

	post := func(body []byte) (int, string) {
		resp, err := http.Post(w.MMZoomURL+"/mattermost/action", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	alter := func(f func(req map[string]any)) []byte {
		var req map[string]any
		_ = json.Unmarshal(used, &req)
		f(req)
		b, _ := json.Marshal(req)
		return b
	}
	ctxOf := func(req map[string]any) map[string]any { return req["context"].(map[string]any) }
	cases := []struct {
		name string
		body []byte
	}{
		{"forged context", alter(func(req map[string]any) {
			req["context"] = map[string]any{"action": meeting.ActionStartNew, "sig": "AAAA"}
		})},
		{"altered argument", alter(func(req map[string]any) {
			c := ctxOf(req)
			for k, v := range c {
				if s, ok := v.(string); ok && k != "sig" && k != "s" && len(s) > 0 {
					c[k] = s + "x"
					break
				}
			}
		})},
		{"clicked by another user", alter(func(req map[string]any) { req["user_id"] = w.Alice.ID })},
		{"clicked in another channel", alter(func(req map[string]any) { req["channel_id"] = w.Private.ID })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if status, _ := post(c.body); status != http.StatusForbidden {
				t.Errorf("status %d, want 403", status)
			}
			if n := len(w.Zoom.Meetings()); n != 2 {
				t.Errorf("%d Zoom meetings, want still 2", n)
			}
		})
	}
	// The same click again (a replay, or the user on a stale copy) is the question answered twice: the user
	// is told so, and nothing is started.
	t.Run("reused single-use context", func(t *testing.T) {
		status, body := post(used)
		if status != http.StatusOK || !strings.Contains(body, "この質問にはすでに回答済みです。") || strings.Contains(body, `"update"`) {
			t.Errorf("%d %s, want 200 with the already-answered message only", status, body)
		}
		if n := len(w.Zoom.Meetings()); n != 2 {
			t.Errorf("%d Zoom meetings, want still 2", n)
		}
	})
	t.Run("expired", func(t *testing.T) {
		w.run(w.Kenji, w.Town, "/zoom start")
		w.clock.Advance(25 * time.Hour)
		r := w.click(w.Kenji, w.Mattermost.Ephemerals(w.Kenji.ID), "startnew")
		if r.Error == "" && r.Status == http.StatusOK {
			t.Errorf("an expired button worked: %+v", r)
		}
		if n := len(w.Zoom.Meetings()); n != 2 {
			t.Errorf("%d Zoom meetings, want still 2", n)
		}
	})
}

// actionRecorder records the button clicks the Mattermost simulator sends to mmzoom.
type actionRecorder struct {
	base   http.RoundTripper
	mu     sync.Mutex
	bodies [][]byte
}

func (a *actionRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/mattermost/action") && r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		a.mu.Lock()
		a.bodies = append(a.bodies, b)
		a.mu.Unlock()
	}
	return a.base.RoundTrip(r)
}

func (a *actionRecorder) last(t *testing.T) []byte {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.bodies) == 0 {
		t.Fatal("no button click was sent to mmzoom")
	}
	return a.bodies[len(a.bodies)-1]
}

func TestSlowZoomAnswersLater(t *testing.T) {
	w := newWorld(t, meeting.KindS2S, func(s *demoSetup) { s.startBudget = 100 * time.Millisecond })
	w.wire.SlowZoom(600 * time.Millisecond)
	res := w.run(w.Alice, w.Town, "/zoom start")
	if res.Error != "" || res.Response == nil || res.Response.Text == "" {
		t.Fatalf("no immediate answer: %+v", res)
	}
	if res.Response.GotoLocation != "" || len(w.cards(w.Town)) != 0 {
		t.Fatalf("the slow start was expected to finish later: %+v", res.Response)
	}
	w.settle()
	card := w.checkStarted(nil, w.Town, w.Alice)
	join := w.meetingOf(card).JoinURL
	if !strings.Contains(postedText(w.Mattermost.Ephemerals(w.Alice.ID)), join) {
		t.Errorf("the starter never got the link: %+v", w.Mattermost.Ephemerals(w.Alice.ID))
	}
}

func TestZoomTroubleGivesAClearMessage(t *testing.T) {
	cases := []struct {
		name  string
		setup func(w *world)
		want  string
	}{
		{"rate limited", func(w *world) { w.Zoom.SetRateLimited(true, 30*time.Second) }, "limit"},
		{"down", func(w *world) { w.Zoom.SetDown(true) }, "not responding"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, meeting.KindS2S)
			c.setup(w)
			res := w.run(w.Alice, w.Town, "/zoom start")
			if res.Error != "" || !strings.Contains(res.Response.Text, c.want) {
				t.Errorf("reply %+v, want a message containing %q", res, c.want)
			}
			if len(w.cards(w.Town)) != 0 {
				t.Error("a card was posted")
			}
		})
	}
}

func TestDisconnect(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	w.connectUser(w.Alice, w.Alice.Email)
	res := w.run(w.Alice, w.Town, "/zoom disconnect")
	if connectLinkRE.MatchString(res.Response.Text) || res.Response.Text == "" {
		t.Fatalf("disconnect answered %q", res.Response.Text)
	}
	res = w.run(w.Alice, w.Town, "/zoom start")
	connectLink(t, res.Response.Text)
	if len(w.cards(w.Town)) != 0 {
		t.Error("a meeting was started after disconnecting")
	}

	s2s := newWorld(t, meeting.KindS2S)
	res = s2s.run(s2s.Alice, s2s.Town, "/zoom disconnect")
	if res.Response.Text == "" || connectLinkRE.MatchString(res.Response.Text) {
		t.Errorf("s2s disconnect answered %q", res.Response.Text)
	}
}

func TestTokenZoomNoLongerAcceptsOffersAConnectLink(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	w.connectUser(w.Alice, w.Alice.Email)
	zu, ok := w.Zoom.UserByEmail(w.Alice.Email)
	if !ok {
		t.Fatal("no Zoom user")
	}
	w.Zoom.RevokeUser(zu.ID)
	w.clock.Advance(2 * time.Hour)
	res := w.run(w.Alice, w.Town, "/zoom start")
	connectLink(t, res.Response.Text)
	if len(w.cards(w.Town)) != 0 {
		t.Error("a meeting was started with a revoked grant")
	}
}

func TestCardsUnderTheMinimalBotRole(t *testing.T) {
	w := newWorld(t, meeting.KindS2S, func(s *demoSetup) { s.botRole = "system_user" })
	// Public channel: the bot joins it and posts.
	res := w.run(w.Alice, w.Town, "/zoom start")
	w.checkStarted(res, w.Town, w.Alice)
	// Private channel the bot is not in: refused, and the starter is told what the admin can do; the meeting
	// itself was created, so the starter still gets its link.
	res = w.run(w.Alice, w.Private, "/zoom start")
	if len(w.cards(w.Private)) != 0 {
		t.Fatal("a card appeared in a private channel the bot is not in")
	}
	if !strings.Contains(res.Response.Text, "/j/") {
		t.Errorf("the starter did not get the meeting link: %q", res.Response.Text)
	}
	// …and is told how to fix it: add the bot (by its name) or give it system_post_all.
	if !strings.Contains(res.Response.Text, "@"+w.Bot.Username) || !strings.Contains(res.Response.Text, "system_post_all") {
		t.Errorf("the starter was not told how to get cards here: %q", res.Response.Text)
	}
}

func TestZoomWebhookEndpoint(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	ok, err := w.Zoom.ValidateEndpoint(context.Background())
	if err != nil || !ok {
		t.Fatalf("Zoom's endpoint validation failed: %v %v", ok, err)
	}
	w.run(w.Alice, w.Town, "/zoom start")
	card := w.onlyCard(w.Town)
	m := w.meetingOf(card)
	forged := `{"event":"meeting.ended","event_ts":1,"payload":{"object":{"id":"` + strconv.FormatInt(m.ID, 10) + `","uuid":"` + m.UUID + `","end_time":"2026-01-01T00:00:00Z"}}}`
	cases := []struct {
		name    string
		headers map[string]string
	}{
		{"unsigned", nil},
		{"wrong signature", map[string]string{"x-zm-request-timestamp": strconv.FormatInt(w.clock.Now().Unix(), 10), "x-zm-signature": "v0=00"}},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, w.MMZoomURL+"/zoom/webhook", strings.NewReader(forged))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range c.headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, resp.StatusCode)
		}
	}
	if got, _ := w.Mattermost.Post(card.ID); got.Props[meeting.PropStatus] != string(meeting.StatusWaiting) {
		t.Errorf("a forged webhook changed the card: %v", got.Props[meeting.PropStatus])
	}
}

func TestStartInAThreadPostsTheCardThere(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	// A thread to start from: a plain post by kenji.
	thread := w.Mattermost.AddPost(w.Town.ID, w.Kenji.ID, "Shall we talk?").ID
	res, err := w.Mattermost.ExecuteCommand(context.Background(), w.Alice.ID, w.Town.ID, w.Team.ID, thread, "/zoom start")
	if err != nil || res.Error != "" {
		t.Fatal(err, res)
	}
	card := w.onlyCard(w.Town)
	if card.RootID != thread {
		t.Errorf("card root %q, want the thread %q", card.RootID, thread)
	}
}

func TestSettingsChooseThePersonalMeetingID(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	w.run(w.Alice, w.Town, "/zoom settings")
	if r := w.click(w.Alice, w.Mattermost.Ephemerals(w.Alice.ID), "pmipmi"); r.Error != "" {
		t.Fatalf("choosing PMI: %s", r.Error)
	}
	w.run(w.Alice, w.Town, "/zoom start")
	zu, _ := w.Zoom.UserByEmail(w.Alice.Email)
	if m := w.meetingOf(w.onlyCard(w.Town)); m.ID != zu.PMI {
		t.Errorf("meeting %d, want the Personal Meeting ID %d", m.ID, zu.PMI)
	}
	// "Ask each time" asks, and the answer starts the meeting.
	w.run(w.Alice, w.Private, "/zoom settings")
	w.click(w.Alice, w.Mattermost.Ephemerals(w.Alice.ID), "pmiask")
	res := w.run(w.Alice, w.Private, "/zoom start")
	if len(w.cards(w.Private)) != 0 || len(res.Response.Attachments) == 0 {
		t.Fatalf("no PMI question: %+v", res.Response)
	}
	r := w.click(w.Alice, w.Mattermost.Ephemerals(w.Alice.ID), "usenew")
	if r.Error != "" || r.GotoLocation == "" {
		t.Fatalf("answering: %+v", r)
	}
	if m := w.meetingOf(w.onlyCard(w.Private)); m.ID == zu.PMI {
		t.Error("a new meeting ID was asked for, the PMI was used")
	}
}

func TestServesThePluginBundle(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	resp, err := http.Get(w.MMZoomURL + "/plugin/com.mmzoom.meetings.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/gzip" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	gz, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]byte{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		names[h.Name] = b
	}
	var manifest struct {
		ID     string `json:"id"`
		Webapp struct {
			BundlePath string `json:"bundle_path"`
		} `json:"webapp"`
		Server any `json:"server"`
	}
	if err := json.Unmarshal(names["com.mmzoom.meetings/plugin.json"], &manifest); err != nil {
		t.Fatalf("no plugin.json at the bundle root: %v (files %v)", err, len(names))
	}
	if manifest.ID != "com.mmzoom.meetings" || manifest.Webapp.BundlePath != "main.js" || manifest.Server != nil ||
		len(names["com.mmzoom.meetings/main.js"]) == 0 {
		t.Errorf("manifest %+v, main.js %d bytes: want a webapp-only plugin", manifest, len(names["com.mmzoom.meetings/main.js"]))
	}
}
