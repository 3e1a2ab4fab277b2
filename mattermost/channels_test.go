package mattermost

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// TestChannelInspector reads the channel policy's facts from the Mattermost simulator as the bot: archived,
// read-only (Town Square setting; moderation only as a system admin bot, asked once while refused), member
// counts and channel admins.
func TestChannelInspector(t *testing.T) {
	now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	sim := mmsim.New(mmsim.Options{Now: clock})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	team := sim.AddTeam(mmsim.Team{Name: "t"})
	alice := sim.AddUser(mmsim.User{Username: "alice"}, team.ID)
	bob := sim.AddUser(mmsim.User{Username: "bob"}, team.ID)
	bot, token := sim.AddBot("zoom", "Zoom")
	sim.AddTeamMember(team.ID, bot.ID)
	sim.SetRoles(bot.ID, "system_user system_post_all")
	town := sim.AddChannel(mmsim.Channel{TeamID: team.ID, Type: "O", Name: "town-square"}, alice.ID, bob.ID)
	open := sim.AddChannel(mmsim.Channel{TeamID: team.ID, Type: "O", Name: "open"}, alice.ID, bob.ID, bot.ID)
	secret := sim.AddChannel(mmsim.Channel{TeamID: team.ID, Type: "P", Name: "secret"}, alice.ID)
	c := NewClient(ClientConfig{BaseURL: srv.URL, BotToken: token, HTTPClient: &http.Client{Timeout: 10 * time.Second}, Now: clock})
	ctx := context.Background()

	if n, err := c.MemberCount(ctx, open.ID); err != nil || n != 3 {
		t.Errorf("member count %d %v, want 3", n, err)
	}
	if _, err := c.MemberCount(ctx, secret.ID); err == nil {
		t.Error("the bot read the member count of a private channel it is not in")
	}
	sim.SetChannelAdmin(open.ID, alice.ID)
	if ok, err := c.IsChannelAdmin(ctx, open.ID, alice.ID); err != nil || !ok {
		t.Errorf("alice channel admin: %v %v", ok, err)
	}
	if ok, err := c.IsChannelAdmin(ctx, open.ID, "nobody"); err != nil || ok {
		t.Errorf("a non-member is not an admin: %v %v", ok, err)
	}

	sim.SetReadOnly(open.ID, true)
	sim.ResetRequests()
	for range 2 {
		if info, err := c.ChannelInfo(ctx, open.ID, true); err != nil || info.ReadOnly || info.Archived {
			t.Errorf("moderated channel seen by a bot without manage_system: %+v %v (it cannot tell)", info, err)
		}
	}
	moderationCalls := 0
	for _, r := range sim.Requests() {
		if r.Path == "/api/v4/channels/"+open.ID+"/moderations" {
			moderationCalls++
		}
	}
	if moderationCalls != 1 {
		t.Errorf("moderations asked %d times while refused, want once", moderationCalls)
	}
	sim.SetClientConfig("ExperimentalTownSquareIsReadOnly", "true")
	if info, err := c.ChannelInfo(ctx, town.ID, false); err != nil || !info.ReadOnly {
		t.Errorf("read-only Town Square: %+v %v", info, err)
	}

	sim.SetRoles(bot.ID, "system_user system_admin")
	admin := NewClient(ClientConfig{BaseURL: srv.URL, BotToken: token, HTTPClient: &http.Client{Timeout: 10 * time.Second}, Now: clock})
	if info, err := admin.ChannelInfo(ctx, open.ID, true); err != nil || !info.ReadOnly {
		t.Errorf("moderated channel seen by a system admin bot: %+v %v", info, err)
	}
	// Without a license there is no moderation: the start is not stopped by the refusal.
	sim.SetClientConfig("IsLicensed", "false")
	unlicensed := NewClient(ClientConfig{BaseURL: srv.URL, BotToken: token, HTTPClient: &http.Client{Timeout: 10 * time.Second}, Now: clock})
	if info, err := unlicensed.ChannelInfo(ctx, open.ID, true); err != nil || info.ReadOnly {
		t.Errorf("unlicensed server: %+v %v", info, err)
	}
	sim.SetClientConfig("IsLicensed", "true")
	sim.ArchiveChannel(open.ID)
	if info, err := admin.ChannelInfo(ctx, open.ID, true); err != nil || !info.Archived {
		t.Errorf("archived channel: %+v %v", info, err)
	}
}
