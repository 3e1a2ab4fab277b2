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

// TestCommandInADirectMessageNeedsTheUsersTeam pins api4/command.go executeCommand for direct and group
// messages, as observed on Mattermost 5.36 (reference section 8): the body's team_id names the team whose
// command runs; without it, or with a team the user is not in, a user is refused with 403. A system admin
// passes the check and finds no command without a team.
func TestCommandInADirectMessageNeedsTheUsersTeam(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json", `{"text":"ok"}`)
	w.sim.AddCommand(w.team.ID, "zoom", ig.URL)
	other := w.sim.AddTeam(Team{Name: "other", DisplayName: "Other"})
	ctx := context.Background()
	for _, c := range []struct {
		name            string
		channel, teamID string
		admin           bool
		want            int
	}{
		{"DM without team_id", w.dm.ID, "", false, http.StatusForbidden},
		{"DM with a team the user is not in", w.dm.ID, other.ID, false, http.StatusForbidden},
		{"group message without team_id", w.gm.ID, "", false, http.StatusForbidden},
		{"DM with the user's team", w.dm.ID, w.team.ID, false, http.StatusOK},
		{"group message with the user's team", w.gm.ID, w.team.ID, false, http.StatusOK},
		{"system admin in a DM without team_id", w.dm.ID, "", true, http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			roles := "system_user"
			if c.admin {
				roles = "system_user system_admin"
			}
			w.sim.SetRoles(w.alice.ID, roles)
			before := len(*got)
			res, err := w.sim.ExecuteCommand(ctx, w.alice.ID, c.channel, c.teamID, "", "/zoom help")
			if err != nil || res.Status != c.want {
				t.Fatalf("got %+v %v, want %d", res, err, c.want)
			}
			if called := len(*got) > before; called != (c.want == http.StatusOK) {
				t.Errorf("integration called: %v, want only for 200", called)
			}
		})
	}
}
