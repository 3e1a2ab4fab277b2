package mmsim

import (
	"context"
	"net/http"
	"testing"
)

// TestCommandNeedsCreatePostNotMembership pins api4/command.go executeCommand
// (SessionHasPermissionToChannel create_post, then the channel's delete_at): a system admin who is not a
// member of a channel runs a command there; a plain user who is not a member is refused.
func TestCommandNeedsCreatePostNotMembership(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json", `{"text":"ok"}`)
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL)
	ctx := context.Background()
	if res, err := w.sim.ExecuteCommand(ctx, w.carol.ID, w.public.ID, "", "", "/zoom help"); err != nil || res.Status != http.StatusForbidden {
		t.Errorf("a plain user outside the channel: %+v %v, want 403", res, err)
	}
	w.sim.SetRoles(w.carol.ID, "system_user system_admin")
	if res, err := w.sim.ExecuteCommand(ctx, w.carol.ID, w.public.ID, "", "", "/zoom help"); err != nil || res.Status != http.StatusOK || len(*got) != 1 {
		t.Errorf("a system admin outside the channel: %+v %v (integration called %d times)", res, err, len(*got))
	}
}
