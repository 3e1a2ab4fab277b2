package mmsim

import (
	"context"
	"net/http"
	"testing"
)

// TestChannelPolicyFacts pins what the channel policy reads from Mattermost: member_count in
// /channels/{id}/stats for readers only, delete_at of an archived channel, scheme_admin and channel_admin of a
// channel admin, moderations for system admins only, and commands refused in archived and read-only channels.
func TestChannelPolicyFacts(t *testing.T) {
	w := newWorld(t)
	status, _, body := w.call(w.botToken, "GET", "/api/v4/channels/"+w.public.ID+"/stats", nil)
	if m, _ := body.(map[string]any); status != http.StatusOK || m["member_count"] != 2.0 {
		t.Errorf("public stats: %d %v, want member_count 2", status, body)
	}
	if status, _, _ := w.call(w.botToken, "GET", "/api/v4/channels/"+w.private.ID+"/stats", nil); status != http.StatusForbidden {
		t.Errorf("stats of a private channel the bot is not in: %d, want 403", status)
	}

	w.sim.SetChannelAdmin(w.public.ID, w.alice.ID)
	_, _, body = w.call(w.botToken, "GET", "/api/v4/channels/"+w.public.ID+"/members/"+w.alice.ID, nil)
	if m, _ := body.(map[string]any); m["scheme_admin"] != true || m["roles"] != "channel_user channel_admin" {
		t.Errorf("channel admin member: %v", body)
	}
	_, _, body = w.call(w.botToken, "GET", "/api/v4/channels/"+w.public.ID+"/members/"+w.bob.ID, nil)
	if m, _ := body.(map[string]any); m["scheme_admin"] != false || m["roles"] != "channel_user" {
		t.Errorf("plain member: %v", body)
	}

	if status, _, _ := w.call(w.botToken, "GET", "/api/v4/channels/"+w.public.ID+"/moderations", nil); status != http.StatusForbidden {
		t.Errorf("moderations as a bot: %d, want 403 (manage_system)", status)
	}
	w.sim.SetRoles(w.carol.ID, "system_user system_admin")
	admin := w.sim.Login(w.carol.ID)
	w.sim.SetReadOnly(w.public.ID, true)
	_, _, body = w.call(admin, "GET", "/api/v4/channels/"+w.public.ID+"/moderations", nil)
	mods, _ := body.([]any)
	readOnly := false
	for _, m := range mods {
		mm, _ := m.(map[string]any)
		roles, _ := mm["roles"].(map[string]any)
		members, _ := roles["members"].(map[string]any)
		if mm["name"] == "create_post" && members["value"] == false {
			readOnly = true
		}
	}
	if !readOnly {
		t.Errorf("moderations of a read-only channel: %v", body)
	}

	ctx := context.Background()
	// The command's integration is never reached: these are refused first.
	w.sim.AddCommand(w.team.ID, "zoom", "http://127.0.0.1:1/never")
	if res, err := w.sim.ExecuteCommand(ctx, w.bob.ID, w.public.ID, w.team.ID, "", "/zoom start"); err != nil || res.Status != http.StatusForbidden {
		t.Errorf("a member's command in a read-only channel: %+v %v, want 403", res, err)
	}
	// A read-only Town Square refuses members' posts but not their commands, which need only create_post.
	w.sim.SetReadOnly(w.public.ID, false)
	w.sim.SetClientConfig("ExperimentalTownSquareIsReadOnly", "true")
	status, _, body = w.call(w.aliceToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.public.ID, "message": "hi"})
	if m, _ := body.(map[string]any); status != http.StatusForbidden || m["id"] != "api.post.create_post.town_square_read_only" {
		t.Errorf("a post in a read-only Town Square: %d %v", status, body)
	}
	if res, err := w.sim.ExecuteCommand(ctx, w.bob.ID, w.public.ID, w.team.ID, "", "/zoom start"); err != nil || res.Status == http.StatusForbidden {
		t.Errorf("a member's command in a read-only Town Square was refused: %+v %v", res, err)
	}
	w.sim.ArchiveChannel(w.private.ID)
	_, _, body = w.call(w.aliceToken, "GET", "/api/v4/channels/"+w.private.ID, nil)
	if m, _ := body.(map[string]any); m["delete_at"] == 0.0 {
		t.Errorf("archived channel: delete_at %v", m["delete_at"])
	}
	status, _, body = w.call(w.aliceToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.private.ID, "message": "hi"})
	if m, _ := body.(map[string]any); status != http.StatusBadRequest || m["id"] != "api.post.create_post.can_not_post_to_deleted.error" {
		t.Errorf("a post in an archived channel: %d %v", status, body)
	}
	if res, err := w.sim.ExecuteCommand(ctx, w.alice.ID, w.private.ID, w.team.ID, "", "/zoom start"); err != nil || res.Status != http.StatusBadRequest {
		t.Errorf("a command in an archived channel: %+v %v, want 400", res, err)
	}
}
