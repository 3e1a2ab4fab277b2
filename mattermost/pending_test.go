package mattermost

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// A post's PendingID travels as Mattermost's pending_post_id: a create repeated with it answers the post
// already made (server/channels/app/post.go, deduplicateCreatePost), so a retried job does not post twice.
func TestCreatePostSendsItsPendingID(t *testing.T) {
	sim := mmsim.New(mmsim.Options{Now: func() time.Time { return time.UnixMilli(1_700_000_000_000) }})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	team := sim.AddTeam(mmsim.Team{Name: "t"})
	alice := sim.AddUser(mmsim.User{Username: "alice"}, team.ID)
	bot, token := sim.AddBot("zoom", "Zoom")
	ch := sim.AddChannel(mmsim.Channel{TeamID: team.ID, Type: "O", Name: "standup"}, alice.ID, bot.ID)
	c := NewClient(ClientConfig{BaseURL: srv.URL, BotToken: token, Signer: NewSigner([]byte("k"), "http://x/action", time.Now)})
	ctx := context.Background()
	post := func(pending string) string {
		t.Helper()
		id, err := c.CreatePost(ctx, &meeting.Post{ChannelID: ch.ID, Message: "Standup has ended", PendingID: pending})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := post("mmzoom:abc")
	if again := post("mmzoom:abc"); again != first || len(sim.Posts(ch.ID)) != 1 {
		t.Errorf("the same pending id again: post %s (first %s), %d posts; want the first post only", again, first, len(sim.Posts(ch.ID)))
	}
	if none := post(""); none == first || len(sim.Posts(ch.ID)) != 2 {
		t.Errorf("without a pending id: post %s, %d posts; want a new post", none, len(sim.Posts(ch.ID)))
	}
}
