package mmsim

import (
	"context"
	"net/url"
	"reflect"
	"testing"
)

// TestCommandMentionsAreTheTeamsPublicChannelsAndMembers pins server/channels/app/command.go
// (MentionsToPublicChannels: GetChannelByName without deleted channels, then IsOpen; MentionsToTeamMembers:
// GetTeamMember): a private channel is not resolved even for its members, an archived one is not, and a
// user who is not in the command's team is not; a name's trailing '.' is tried away (trimUsernameSpecialChar);
// each is sent once (the mentions are maps); the text reaches the command as typed.
func TestCommandMentionsAreTheTeamsPublicChannelsAndMembers(t *testing.T) {
	w := newWorld(t)
	other := w.sim.AddTeam(Team{Name: "other"})
	w.sim.AddUser(User{Username: "dave"}, other.ID)
	old := w.sim.AddChannel(Channel{TeamID: w.team.ID, Type: "O", Name: "old"}, w.alice.ID)
	w.sim.ArchiveChannel(old.ID)
	ig, got := integration(t, 200, "application/json", `{"text":"ok"}`)
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL)
	text := "start ~town-square ~secret ~old @bob @dave @bob. ~town-square"
	if _, err := w.sim.ExecuteCommand(context.Background(), w.alice.ID, w.public.ID, "", "", "/zoom "+text); err != nil {
		t.Fatal(err)
	}
	if len(*got) != 1 {
		t.Fatalf("integration called %d times", len(*got))
	}
	form, err := url.ParseQuery(string((*got)[0].body))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string][]string{
		"text":             {text},
		"channel_mentions": {"town-square"}, "channel_mentions_ids": {w.public.ID},
		"user_mentions": {"bob"}, "user_mentions_ids": {w.bob.ID},
	} {
		if !reflect.DeepEqual(form[k], want) {
			t.Errorf("%s = %q, want %q", k, form[k], want)
		}
	}
}
