package mattermost

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// TestArchivedChannelIsGoneForGood: Mattermost answers 400 to a card's update, a reply and a deletion in an
// archived channel (server/channels/app/post.go); the client reports them as not found, so that the durable
// queue keeps the job as a dead letter instead of retrying it for days.
func TestArchivedChannelIsGoneForGood(t *testing.T) {
	sim := mmsim.New(mmsim.Options{Now: func() time.Time { return time.UnixMilli(1_700_000_000_000) }})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	team := sim.AddTeam(mmsim.Team{Name: "t"})
	alice := sim.AddUser(mmsim.User{Username: "alice"}, team.ID)
	bot, token := sim.AddBot("zoom", "Zoom")
	ch := sim.AddChannel(mmsim.Channel{TeamID: team.ID, Type: "O", Name: "standup"}, alice.ID, bot.ID)
	c := NewClient(ClientConfig{BaseURL: srv.URL, BotToken: token, Signer: NewSigner([]byte("k"), "http://x/action", time.Now)})
	ctx := context.Background()
	card, err := c.CreatePost(ctx, &meeting.Post{ChannelID: ch.ID, Message: "Meeting started"})
	if err != nil {
		t.Fatal(err)
	}
	sim.ArchiveChannel(ch.ID)
	if err := c.PatchPost(ctx, card, &meeting.Post{ChannelID: ch.ID, Message: "Meeting ended"}); !errors.Is(err, meeting.ErrNotFound) {
		t.Errorf("patching a card in an archived channel: %v, want not found", err)
	}
	if _, err := c.CreatePost(ctx, &meeting.Post{ChannelID: ch.ID, RootID: card, Message: "Recording"}); !errors.Is(err, meeting.ErrNotFound) {
		t.Errorf("a reply in an archived channel: %v, want not found", err)
	}
	if err := c.DeletePost(ctx, card); !errors.Is(err, meeting.ErrNotFound) {
		t.Errorf("deleting in an archived channel: %v, want not found", err)
	}
	if p, _ := sim.Post(card); p.Message != "Meeting started" {
		t.Errorf("the card changed: %q", p.Message)
	}
}
