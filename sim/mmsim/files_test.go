package mmsim

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// upload sends POST /api/v4/files as a multipart form, as Mattermost's clients do.
func (w *world) upload(token, channelID string, names []string, clientIDs []string, content string) (int, map[string]any) {
	w.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("channel_id", channelID)
	for _, id := range clientIDs {
		_ = mw.WriteField("client_ids", id)
	}
	for _, n := range names {
		fw, _ := mw.CreateFormFile("files", n)
		_, _ = fw.Write([]byte(content))
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", w.srv.URL+"/api/v4/files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestFileUploadsAsMattermostAnswers(t *testing.T) {
	w := newWorld(t)
	w.sim.SetRoles(w.bot.ID, "system_user system_post_all")
	status, body := w.upload(w.botToken, w.botChan.ID, []string{"transcript.vtt"}, []string{"c1"}, "WEBVTT\n")
	if status != http.StatusCreated {
		t.Fatalf("upload where the bot is a member: %d %v", status, body)
	}
	infos, _ := body["file_infos"].([]any)
	ids, _ := body["client_ids"].([]any)
	if len(infos) != 1 || len(ids) != 1 || ids[0] != "c1" {
		t.Fatalf("answer %v", body)
	}
	info := obj(t, infos[0])
	if info["name"] != "transcript.vtt" || info["size"] != 7.0 || info["extension"] != "vtt" || len(info["id"].(string)) != 26 {
		t.Errorf("file info %v", info)
	}
	fileID := info["id"].(string)

	refused := []struct {
		name, token, channel string
		names, clientIDs     []string
		status               int
		id                   string
	}{
		// system_post_all lets the bot post where it is not a member, but not upload there.
		{"not a member of the private channel", w.botToken, w.private.ID, []string{"a.vtt"}, nil, 403, "api.context.permissions.app_error"},
		{"not a member of the public channel", w.botToken, w.public.ID, []string{"a.vtt"}, nil, 403, "api.context.permissions.app_error"},
		// api4/file.go uploadFileMultipart: a file without its client id is an invalid parameter; client ids
		// left over at the end are counted.
		{"fewer client_ids than files", w.botToken, w.botChan.ID, []string{"a.vtt", "b.vtt"}, []string{"c1"}, 400, "api.context.invalid_param.app_error"},
		{"more client_ids than files", w.botToken, w.botChan.ID, []string{"a.vtt"}, []string{"c1", "c2"}, 400, "api.file.upload_file.incorrect_number_of_client_ids.app_error"},
	}
	for _, c := range refused {
		status, body := w.upload(c.token, c.channel, c.names, c.clientIDs, "x")
		if status != c.status || body["id"] != c.id {
			t.Errorf("%s: %d %v, want %d %s", c.name, status, body, c.status, c.id)
		}
	}
	// A form without a file uploads nothing, successfully (the loop over the parts finds none).
	if status, body := w.upload(w.botToken, w.botChan.ID, nil, nil, ""); status != http.StatusCreated || len(body["file_infos"].([]any)) != 0 {
		t.Errorf("no file: %d %v, want 201 and no file infos", status, body)
	}
	// MaxFileSize bounds each file (app/file.go UploadFileX), not the request with its multipart framing.
	w.sim.SetMaxFileSize(100)
	if status, body := w.upload(w.botToken, w.botChan.ID, []string{"exact.vtt"}, nil, strings.Repeat("x", 100)); status != http.StatusCreated {
		t.Errorf("a file of exactly MaxFileSize: %d %v", status, body)
	}
	if status, body := w.upload(w.botToken, w.botChan.ID, []string{"big.vtt"}, nil, strings.Repeat("x", 101)); status != http.StatusRequestEntityTooLarge ||
		body["id"] != "api.file.upload_file.too_large_detailed.app_error" {
		t.Errorf("a file over MaxFileSize: %d %v", status, body)
	}
	w.sim.SetMaxFileSize(DefaultMaxFileSize)

	// A post carries the files its author uploaded to its channel; other ids are dropped silently.
	aliceStatus, aliceUp := w.upload(w.aliceToken, w.botChan.ID, []string{"alice.txt"}, nil, "mine")
	if aliceStatus != http.StatusCreated {
		t.Fatalf("alice upload %d", aliceStatus)
	}
	aliceFile := obj(t, aliceUp["file_infos"].([]any)[0])["id"].(string)
	status, _, post := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "Transcript",
		"file_ids": []string{fileID, aliceFile, "nosuchfile"}})
	if status != http.StatusCreated {
		t.Fatalf("post with files: %d %v", status, post)
	}
	got := obj(t, post)["file_ids"].([]any)
	if len(got) != 1 || got[0] != fileID {
		t.Errorf("file_ids %v, want only the bot's own file", got)
	}
	if md, _ := obj(t, post)["metadata"].(map[string]any); md == nil || len(md["files"].([]any)) != 1 {
		t.Errorf("metadata.files of the post: %v", obj(t, post)["metadata"])
	}
	if f, ok := w.sim.File(fileID); !ok || string(f.Content) != "WEBVTT\n" || f.PostID != obj(t, post)["id"] {
		t.Errorf("stored file %+v", f)
	}
}

func TestMessageLimitAndDeletion(t *testing.T) {
	w := newWorld(t)
	long := strings.Repeat("あ", MaxPostRunes)
	if status, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": long}); status != http.StatusCreated {
		t.Errorf("a message of exactly %d characters: %d %v", MaxPostRunes, status, body)
	}
	status, _, body := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": long + "x"})
	if status != http.StatusBadRequest || obj(t, body)["id"] != "model.post.is_valid.msg.app_error" {
		t.Errorf("a message over the limit: %d %v", status, body)
	}
	_, _, created := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "bye"})
	id := obj(t, created)["id"].(string)
	if status, _, _ := w.call(w.aliceToken, "DELETE", "/api/v4/posts/"+id, nil); status != http.StatusForbidden {
		t.Errorf("someone else's post deleted by a plain user: %d", status)
	}
	if status, _, body := w.call(w.botToken, "DELETE", "/api/v4/posts/"+id, nil); status != http.StatusOK || obj(t, body)["status"] != "OK" {
		t.Errorf("delete own post: %d %v", status, body)
	}
	if status, _, _ := w.call(w.botToken, "GET", "/api/v4/posts/"+id, nil); status != http.StatusNotFound {
		t.Errorf("deleted post still readable: %d", status)
	}
	// Where the bot is not a member it may not delete even its own post.
	w.sim.SetRoles(w.bot.ID, "system_user system_post_all")
	_, _, created = w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.private.ID, "message": "hi"})
	if status, _, _ := w.call(w.botToken, "DELETE", "/api/v4/posts/"+obj(t, created)["id"].(string), nil); status != http.StatusForbidden {
		t.Errorf("delete outside membership: %d", status)
	}
}
