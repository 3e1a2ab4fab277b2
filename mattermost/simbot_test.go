package mattermost

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// simBot is a Mattermost simulator with a team, a user (alice) and a bot, and a client acting as the bot.
type simBot struct {
	sim        *mmsim.Server
	client     *Client
	team       mmsim.Team
	alice, bot mmsim.User
}

func newSimBot(t *testing.T) *simBot {
	t.Helper()
	sim := mmsim.New(mmsim.Options{Now: func() time.Time { return time.UnixMilli(1_700_000_000_000) }})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	team := sim.AddTeam(mmsim.Team{Name: "t"})
	alice := sim.AddUser(mmsim.User{Username: "alice"}, team.ID)
	bot, token := sim.AddBot("zoom", "Zoom")
	c := NewClient(ClientConfig{BaseURL: srv.URL, BotToken: token, Signer: NewSigner([]byte("k"), "http://x/action", time.Now)})
	return &simBot{sim: sim, client: c, team: team, alice: alice, bot: bot}
}
