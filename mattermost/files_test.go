package mattermost

import (
	"context"
	"errors"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

func TestFilesAgainstTheSimulator(t *testing.T) {
	w := newSimBot(t)
	sim, c := w.sim, w.client
	sim.SetRoles(w.bot.ID, "system_user system_post_all")
	member := sim.AddChannel(mmsim.Channel{TeamID: w.team.ID, Type: "P", Name: "with-bot"}, w.alice.ID, w.bot.ID)
	outside := sim.AddChannel(mmsim.Channel{TeamID: w.team.ID, Type: "P", Name: "without-bot"}, w.alice.ID)
	ctx := context.Background()

	id, err := c.UploadFile(ctx, member.ID, "zoom-transcript-1.vtt", []byte("WEBVTT\n"))
	if err != nil {
		t.Fatal(err)
	}
	card, err := c.CreatePost(ctx, &meeting.Post{ChannelID: member.ID, Message: "card"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := c.CreatePost(ctx, &meeting.Post{ChannelID: member.ID, RootID: card, Message: "Transcript", FileIDs: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := sim.Post(reply); len(p.FileIDs) != 1 || p.FileIDs[0] != id {
		t.Errorf("reply files %v", p.FileIDs)
	}
	if f, _ := sim.File(id); f.Name != "zoom-transcript-1.vtt" || string(f.Content) != "WEBVTT\n" {
		t.Errorf("uploaded %+v", f)
	}
	if _, err := c.UploadFile(ctx, outside.ID, "a.vtt", []byte("x")); !errors.Is(err, meeting.ErrForbidden) {
		t.Errorf("upload where the bot is not a member: %v, want forbidden", err)
	}
	sim.SetMaxFileSize(10)
	if _, err := c.UploadFile(ctx, member.ID, "a.vtt", []byte("0123456789abcdef")); !errors.Is(err, meeting.ErrTooLarge) {
		t.Errorf("upload over MaxFileSize: %v, want too large", err)
	}
	if err := c.DeletePost(ctx, reply); err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePost(ctx, reply); !errors.Is(err, meeting.ErrNotFound) {
		t.Errorf("deleting again: %v", err)
	}
	sim.DeletePost(card)
	if _, err := c.CreatePost(ctx, &meeting.Post{ChannelID: member.ID, RootID: card, Message: "late"}); !errors.Is(err, meeting.ErrNotFound) {
		t.Errorf("a reply to a deleted card: %v, want not found (it can never land)", err)
	}
}
