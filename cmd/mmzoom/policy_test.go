package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// The channel policy, end to end: a system admin decides where meetings may start, a channel admin turns
// them off in their channel, archived and read-only channels never have meetings, and a channel with many
// members asks first. Every refusal says why and who can change it, in the user's language.

// shows fails unless the user's newest ephemeral message in ch contains every want.
func (c *mmClient) shows(ch mmsim.Channel, want ...string) string {
	c.w.t.Helper()
	got := c.lastShown(ch).Message
	for _, w := range want {
		if !strings.Contains(got, w) {
			c.w.t.Errorf("%s was shown %q, want it to contain %q", c.user.Username, got, w)
		}
	}
	return got
}

func TestSystemAdminChannelPolicy(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	w.Mattermost.SetRoles(w.Alice.ID, "system_user system_admin")
	alice, kenji := w.signIn(w.Alice), w.signIn(w.Kenji)

	// Only system admins set the policy.
	kenji.command(w.Town, "/zoom admin channel-policy no-public")
	if got := kenji.lastShown(w.Town).Message; !hasJapanese(got) || !strings.Contains(got, "システム管理者") {
		t.Errorf("kenji (not an admin) was shown %q, want a refusal in Japanese", got)
	}
	kenji.command(w.Town, "/zoom start")
	if len(w.cards(w.Town)) != 1 {
		t.Fatal("a refused policy change was applied")
	}

	alice.command(w.Town, "/zoom admin channel-policy no-public")
	alice.shows(w.Town, "saved", "private channels")
	kenji.command(w.Town, "/zoom start")
	got := kenji.shows(w.Town, "/zoom admin channel-policy")
	if !hasJapanese(got) || !strings.Contains(got, "公開チャンネル") {
		t.Errorf("kenji's refusal %q does not say, in Japanese, that public channels are not allowed", got)
	}
	if n := len(w.cards(w.Town)); n != 1 {
		t.Fatalf("%d cards in the public channel, want the one from before the policy", n)
	}
	kenji.command(w.Private, "/zoom start")
	w.onlyCard(w.Private)
	kenji.command(w.DM, "/zoom start")
	w.onlyCard(w.DM)

	// Listed channels: the admin names them with ~mentions; everywhere else is refused.
	alice.command(w.Town, "/zoom admin channel-policy listed ~town-square")
	alice.shows(w.Town, "~town-square")
	alice.command(w.Private, "/zoom start")
	alice.shows(w.Private, "only in some channels", "/zoom admin channel-policy")
	if n := len(w.cards(w.Private)); n != 1 {
		t.Errorf("%d cards in an unlisted channel, want still 1", n)
	}
	alice.command(w.Town, "/zoom admin channel-policy")
	alice.shows(w.Town, "only in these channels: ~town-square")

	alice.command(w.Town, "/zoom admin channel-policy all")
	alice.command(w.GM, "/zoom start")
	w.onlyCard(w.GM)
}

func TestChannelAdminTurnsMeetingsOffAndOn(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	alice, kenji := w.signIn(w.Alice), w.signIn(w.Kenji)
	w.Mattermost.SetChannelAdmin(w.Town.ID, w.Alice.ID)

	kenji.command(w.Town, "/zoom channel off")
	if got := kenji.lastShown(w.Town).Message; !strings.Contains(got, "チャンネル管理者") {
		t.Errorf("kenji (not a channel admin) was shown %q", got)
	}
	alice.command(w.Town, "/zoom channel off")
	alice.shows(w.Town, "turned off", "/zoom channel on")

	kenji.command(w.Town, "/zoom start")
	got := kenji.shows(w.Town, "@alice", "/zoom channel on")
	if !hasJapanese(got) {
		t.Errorf("kenji's refusal is not in Japanese: %q", got)
	}
	if len(w.cards(w.Town)) != 0 {
		t.Fatal("a meeting started in a channel whose admin turned meetings off")
	}
	// Other channels are not affected.
	kenji.command(w.Private, "/zoom start")
	w.onlyCard(w.Private)

	// Direct and group messages have no channel admins.
	alice.command(w.DM, "/zoom channel off")
	alice.shows(w.DM, "no channel admins")

	alice.command(w.Town, "/zoom channel on")
	alice.shows(w.Town, "again")
	kenji.command(w.Town, "/zoom start")
	w.onlyCard(w.Town)
}

func TestReadOnlyAndArchivedChannelsNeverHaveMeetings(t *testing.T) {
	t.Run("read-only Town Square", func(t *testing.T) {
		w := newWorld(t, meeting.KindS2S)
		// Mattermost checks a read-only Town Square when a post is made, not for commands: members may still
		// type /zoom there, and mmzoom refuses before creating a meeting nobody could be shown.
		w.Mattermost.SetClientConfig("ExperimentalTownSquareIsReadOnly", "true")
		alice := w.signIn(w.Alice)
		alice.command(w.Town, "/zoom start")
		alice.shows(w.Town, "read-only")
		if len(w.cards(w.Town)) != 0 || len(w.Zoom.Meetings()) != 0 {
			t.Fatal("a meeting started in a read-only channel")
		}
	})
	t.Run("moderated channel, seen by a bot with system_admin", func(t *testing.T) {
		w := newWorld(t, meeting.KindS2S, func(s *demoSetup) { s.botRole = "system_user system_admin" })
		w.Mattermost.SetReadOnly(w.Private.ID, true)
		w.Mattermost.SetChannelAdmin(w.Private.ID, w.Kenji.ID) // channel admins may still type there
		kenji := w.signIn(w.Kenji)
		kenji.command(w.Private, "/zoom start")
		if got := kenji.lastShown(w.Private).Message; !strings.Contains(got, "読み取り専用") {
			t.Errorf("kenji was shown %q, want the read-only refusal", got)
		}
		if len(w.cards(w.Private)) != 0 {
			t.Fatal("a meeting started in a read-only channel")
		}
	})
	t.Run("archived while the question was open", func(t *testing.T) {
		// Mattermost refuses commands in archived channels; a question answered after archiving is mmzoom's to refuse.
		w := newWorld(t, meeting.KindS2S, func(s *demoSetup) { s.configure = func(c *config) { c.BigChannel = 1 } })
		alice := w.signIn(w.Alice)
		alice.command(w.Town, "/zoom start")
		q := alice.question(w.Town, "startbig")
		w.Mattermost.ArchiveChannel(w.Town.ID)
		if got := alice.clickOK(w.Town, q, "startbig"); !strings.Contains(got, "archived") {
			t.Errorf("alice was shown %q, want the archived refusal", got)
		}
		if len(w.Zoom.Meetings()) != 0 || len(w.cards(w.Town)) != 0 {
			t.Fatal("a meeting started in an archived channel")
		}
	})
}

// fillChannel adds n new members to ch.
func (w *world) fillChannel(ch mmsim.Channel, n int) {
	for i := range n {
		u := w.Mattermost.AddUser(mmsim.User{Username: fmt.Sprintf("member%02d", i), Email: fmt.Sprintf("member%02d@example.com", i)}, w.Team.ID)
		w.Mattermost.AddMember(ch.ID, u.ID)
	}
}

func TestBigChannelAsksFirstAndBothAnswersWork(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	w.fillChannel(w.Town, 51) // alice, kenji and 51 more: 53 members, above the default of 50
	kenji := w.signIn(w.Kenji)

	kenji.command(w.Town, "/zoom start Town hall")
	q := kenji.question(w.Town, "cancelbig")
	if !strings.Contains(q.Message, "53") || !hasJapanese(q.Message) {
		t.Errorf("the question %q does not give the member count (53) in Japanese", q.Message)
	}
	if len(w.Zoom.Meetings()) != 0 || len(w.cards(w.Town)) != 0 {
		t.Fatal("a meeting started before the user confirmed")
	}
	// No: nothing starts, and the question takes no second answer.
	if got := kenji.clickOK(w.Town, q, "cancelbig"); !strings.Contains(got, "開始しませんでした") {
		t.Errorf("cancelling showed %q", got)
	}
	if got := kenji.clickOK(w.Town, q, "startbig"); !strings.Contains(got, "回答済み") {
		t.Errorf("starting after cancelling showed %q, want already answered", got)
	}
	if len(w.Zoom.Meetings()) != 0 || len(w.cards(w.Town)) != 0 {
		t.Fatal("a meeting started although the user said no")
	}
	// Yes: the meeting starts with its topic, and the starter gets the host link in the answer's text.
	kenji.command(w.Town, "/zoom start Town hall")
	got := kenji.clickOK(w.Town, kenji.question(w.Town, "startbig"), "startbig")
	card := w.onlyCard(w.Town)
	if card.Props[meeting.PropTopic] != "Town hall" {
		t.Errorf("card topic %v", card.Props[meeting.PropTopic])
	}
	if !strings.Contains(got, hostLink(w.meetingOf(card).StartURL)) {
		t.Errorf("confirming showed %q, want the host start link", got)
	}
	// With that meeting open, the question also offers to join it.
	alice := w.signIn(w.Alice)
	alice.command(w.Town, "/zoom start")
	q = alice.question(w.Town, "joinrecent")
	if !strings.Contains(q.Message, "Town hall") {
		t.Errorf("the question %q does not name the open meeting", q.Message)
	}
	if got := alice.clickOK(w.Town, q, "joinrecent"); !strings.Contains(got, "]("+w.meetingOf(card).JoinURL+")") {
		t.Errorf("joining showed %q, want the join link", got)
	}
	w.onlyCard(w.Town)
	// A small channel asks nothing.
	kenji.command(w.Private, "/zoom start")
	w.onlyCard(w.Private)
}

func TestBigChannelThresholdIsConfigurable(t *testing.T) {
	w := newWorld(t, meeting.KindS2S, func(s *demoSetup) { s.configure = func(c *config) { c.BigChannel = 100 } })
	w.fillChannel(w.Town, 60)
	w.signIn(w.Alice).command(w.Town, "/zoom start")
	w.onlyCard(w.Town)

	w2 := newWorld(t, meeting.KindS2S, func(s *demoSetup) { s.configure = func(c *config) { c.BigChannel = 0 } })
	w2.fillChannel(w2.Town, 60)
	w2.signIn(w2.Alice).command(w2.Town, "/zoom start")
	w2.onlyCard(w2.Town)
}
