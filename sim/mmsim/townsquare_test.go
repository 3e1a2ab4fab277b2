package mmsim

import (
	"net/http"
	"testing"
)

// TestReadOnlyTownSquareNeedsALicense pins app/post.go CreatePost (License() != nil &&
// ExperimentalTownSquareIsReadOnly && the channel is town-square) and config/client.go (the option is
// among those that require a license: without one the client config shows "false").
func TestReadOnlyTownSquareNeedsALicense(t *testing.T) {
	w := newWorld(t)
	w.sim.SetClientConfig("ExperimentalTownSquareIsReadOnly", "true")
	w.sim.SetClientConfig("IsLicensed", "false")
	if status, _, body := w.call(w.aliceToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.public.ID, "message": "hi"}); status != http.StatusCreated {
		t.Errorf("a post in Town Square of an unlicensed server: %d %v", status, body)
	}
	_, _, body := w.call(w.botToken, "GET", "/api/v4/config/client?format=old", nil)
	if v := obj(t, body)["ExperimentalTownSquareIsReadOnly"]; v != "false" {
		t.Errorf("client config of an unlicensed server shows ExperimentalTownSquareIsReadOnly %v", v)
	}
	w.sim.SetClientConfig("IsLicensed", "true")
	status, _, body := w.call(w.aliceToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.public.ID, "message": "hi"})
	if status != http.StatusForbidden || obj(t, body)["id"] != "api.post.create_post.town_square_read_only" {
		t.Errorf("a post in a read-only Town Square of a licensed server: %d %v", status, body)
	}
}
