package mattermost

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// TestArchivedChannelIsGoneForGood: Mattermost answers 400 to a card's update, a reply and a deletion in an
// archived channel (server/channels/app/post.go); the client reports them as not found, so that the durable
// queue keeps the job as a dead letter instead of retrying it for days.
func TestArchivedChannelIsGoneForGood(t *testing.T) {
	w := newSimBot(t)
	sim, c := w.sim, w.client
	ch := sim.AddChannel(mmsim.Channel{TeamID: w.team.ID, Type: "O", Name: "standup"}, w.alice.ID, w.bot.ID)
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

// TestUploadsOffAreForbiddenWhateverTheStatus: api4/file.go refuses uploads when FileSettings.
// EnableFileAttachments is off with api.file.attachments.disabled.app_error, 501 on older servers and 403 on
// current ones; both are a refusal for good (the transcript is then linked, not retried for days).
func TestUploadsOffAreForbiddenWhateverTheStatus(t *testing.T) {
	for _, status := range []int{http.StatusNotImplemented, http.StatusForbidden} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"id":"api.file.attachments.disabled.app_error","message":"File attachments have been disabled on this server.","status_code":`+strconv.Itoa(status)+`}`)
		}))
		c := NewClient(ClientConfig{BaseURL: srv.URL, BotToken: "t", Signer: NewSigner([]byte("k"), "http://x/action", time.Now)})
		if _, err := c.UploadFile(context.Background(), "c1", "t.vtt", []byte("WEBVTT\n")); !errors.Is(err, meeting.ErrForbidden) {
			t.Errorf("status %d: %v, want forbidden", status, err)
		}
		srv.Close()
	}
}
