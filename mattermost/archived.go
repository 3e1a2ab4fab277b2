package mattermost

// Mattermost's answers (400) to a post created, patched or deleted in an archived channel
// (server/channels/app/post.go: CreatePost, PatchPost, DeletePost check the channel's delete_at). The channel
// keeps its posts but nothing in it changes again unless an admin restores it, so for mmzoom the card is gone:
// a retry would only fail again, and the job is kept as a dead letter.
var archivedChannelErrors = map[string]bool{
	"api.post.create_post.can_not_post_to_deleted.error":        true,
	"api.post.patch_post.can_not_update_post_in_deleted.error":  true,
	"api.post.update_post.can_not_update_post_in_deleted.error": true,
	"api.post.delete_post.can_not_delete_post_in_deleted.error": true,
}
