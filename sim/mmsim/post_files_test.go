package mmsim

import (
	"net/http"
	"testing"
)

// TestPostFilesAsTheStoreAttachesThem pins app/post.go attachFilesToPost and the store's
// FileInfo.AttachToPost (id, no post yet, same creator; the file takes the post's channel) and Post.IsValid's
// file_ids limit (model.PostFileidsMaxRunes: 300 runes of JSON, ten ids).
func TestPostFilesAsTheStoreAttachesThem(t *testing.T) {
	w := newWorld(t)
	other := w.sim.AddChannel(Channel{TeamID: w.team.ID, Type: "P", Name: "bots2"}, w.bot.ID)
	status, up := w.upload(w.botToken, other.ID, []string{"t.vtt"}, nil, "WEBVTT\n")
	if status != http.StatusCreated {
		t.Fatalf("upload: %d %v", status, up)
	}
	fileID := obj(t, up["file_infos"].([]any)[0])["id"].(string)
	_, _, post := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "x", "file_ids": []string{fileID}})
	if got := obj(t, post)["file_ids"].([]any); len(got) != 1 {
		t.Errorf("a file uploaded to another channel was dropped: %v", got)
	}
	if f, _ := w.sim.File(fileID); f.ChannelID != w.botChan.ID {
		t.Errorf("the file stayed in channel %s", f.ChannelID)
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = newID()
	}
	status, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "x", "file_ids": eleven})
	if status != http.StatusBadRequest || obj(t, body)["id"] != "model.post.is_valid.file_ids.app_error" {
		t.Errorf("eleven file ids: %d %v", status, body)
	}
	if status, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "x", "file_ids": eleven[:10]}); status != http.StatusCreated {
		t.Errorf("ten file ids (none of them real): %d %v", status, body)
	}
}
