package mattermost

import (
	"context"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// A post's PendingID travels as Mattermost's pending_post_id: a create repeated with it answers the post
// already made (server/channels/app/post.go, deduplicateCreatePost), so a retried job does not post twice.
func TestCreatePostSendsItsPendingID(t *testing.T) {
	w := newSimBot(t)
	sim, c := w.sim, w.client
	ch := sim.AddChannel(mmsim.Channel{TeamID: w.team.ID, Type: "O", Name: "standup"}, w.alice.ID, w.bot.ID)
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
