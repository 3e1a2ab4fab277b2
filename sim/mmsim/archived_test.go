package mmsim

import (
	"net/http"
	"testing"
)

// TestArchivedChannelKeepsItsPosts pins what Mattermost does to posts of an archived channel
// (server/channels/app/post.go, PatchPost and DeletePost, the same from 5.x to 11): a patch is refused with
// 400 api.post.patch_post.can_not_update_post_in_deleted.error and a deletion with 400
// api.post.delete_post.can_not_delete_post_in_deleted.error; the posts stay as they were.
func TestArchivedChannelKeepsItsPosts(t *testing.T) {
	w := newWorld(t)
	_, _, created := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "card"})
	id := obj(t, created)["id"].(string)
	w.sim.ArchiveChannel(w.botChan.ID)

	status, _, body := w.call(w.botToken, "PUT", "/api/v4/posts/"+id+"/patch", map[string]any{"message": "ended"})
	if status != http.StatusBadRequest || obj(t, body)["id"] != "api.post.patch_post.can_not_update_post_in_deleted.error" {
		t.Errorf("patch in an archived channel: %d %v", status, body)
	}
	status, _, body = w.call(w.botToken, "DELETE", "/api/v4/posts/"+id, nil)
	if status != http.StatusBadRequest || obj(t, body)["id"] != "api.post.delete_post.can_not_delete_post_in_deleted.error" {
		t.Errorf("delete in an archived channel: %d %v", status, body)
	}
	if _, _, body := w.call(w.botToken, "GET", "/api/v4/posts/"+id, nil); obj(t, body)["message"] != "card" {
		t.Errorf("the post changed: %v", body)
	}
}

// TestDeletingARootDeletesItsThread pins the store's soft delete (server/channels/store/sqlstore/post_store.go,
// Delete: rows whose id or root_id is the post): replies go with their root.
func TestDeletingARootDeletesItsThread(t *testing.T) {
	w := newWorld(t)
	_, _, root := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "root"})
	rootID := obj(t, root)["id"].(string)
	_, _, reply := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "root_id": rootID, "message": "reply"})
	replyID := obj(t, reply)["id"].(string)
	if status, _, body := w.call(w.botToken, "DELETE", "/api/v4/posts/"+rootID, nil); status != http.StatusOK {
		t.Fatalf("delete root: %d %v", status, body)
	}
	if status, _, _ := w.call(w.botToken, "GET", "/api/v4/posts/"+replyID, nil); status != http.StatusNotFound {
		t.Errorf("a reply of a deleted root is still readable: %d", status)
	}
}

// TestClickInArchivedChannelUpdatesNothing: the click reaches the integration (nothing in
// DoPostActionWithCookie looks at the channel), but its update goes through UpdatePost, which refuses a post
// of an archived channel with 400 api.post.update_post.can_not_update_post_in_deleted.error
// (server/channels/app/integration_action.go and post.go); the ephemeral text is then never shown.
func TestClickInArchivedChannelUpdatesNothing(t *testing.T) {
	w := newWorld(t)
	ig, got := integration(t, 200, "application/json", `{"update":{"message":"Ended"},"ephemeral_text":"You ended it"}`)
	_, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "Started",
		"type": "custom_mmzoom_meeting", "props": buttonCard(ig.URL)})
	id := obj(t, body)["id"].(string)
	w.sim.ArchiveChannel(w.botChan.ID)
	status, _, body := w.call(w.aliceToken, "POST", "/api/v4/posts/"+id+"/actions/join", map[string]any{})
	if status != http.StatusBadRequest || obj(t, body)["id"] != "api.post.update_post.can_not_update_post_in_deleted.error" {
		t.Errorf("click in an archived channel: %d %v", status, body)
	}
	if len(*got) != 1 {
		t.Errorf("the integration was called %d times, want 1", len(*got))
	}
	if p, _ := w.sim.Post(id); p.Message != "Started" {
		t.Errorf("the card changed: %q", p.Message)
	}
}

// TestPatchOfADeletedPostIsForbidden pins api4/post.go patchPost: a post GetSinglePost cannot find (deleted
// or never created) is answered 403 api.context.permissions.app_error (edit_post), not 404, in every version.
func TestPatchOfADeletedPostIsForbidden(t *testing.T) {
	w := newWorld(t)
	_, _, created := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "card"})
	id := obj(t, created)["id"].(string)
	w.sim.DeletePost(id)
	for _, pid := range []string{id, newID()} {
		status, _, body := w.call(w.botToken, "PUT", "/api/v4/posts/"+pid+"/patch", map[string]any{"message": "ended"})
		if status != http.StatusForbidden || obj(t, body)["id"] != "api.context.permissions.app_error" {
			t.Errorf("patch of a post that is not there: %d %v", status, body)
		}
	}
}
