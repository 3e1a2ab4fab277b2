package mmsim

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// File uploads (POST /api/v4/files) and post deletion (DELETE /api/v4/posts/{id}) as Mattermost serves
// them (server/channels/api4/file.go and post.go): a multipart form with channel_id and files (optional
// client_ids, one per file), answered 201 with file_infos and client_ids (both empty when the form holds no
// file); a file over FileSettings.MaxFileSize (100 MB by default) refused with 413; the upload_file permission of the channel, which channel members
// and system admins hold but system_post_all does not give: a bot that is not in the channel is refused
// with 403 even where it may post.

// DefaultMaxFileSize is Mattermost's default FileSettings.MaxFileSize (100 MB).
const DefaultMaxFileSize = 100 << 20

// MaxPostRunes is Mattermost's limit on a post's message (model.PostMessageMaxRunesV2).
const MaxPostRunes = 16383

// maxFilesPerPost is how many files a post may carry (model.PostFileIdsMaxRunes allows about 10 ids).
const maxFilesPerPost = 10

// postFileIDsMaxRunes is model.PostFileidsMaxRunes: Post.IsValid refuses file_ids whose JSON is longer
// (400 model.post.is_valid.file_ids.app_error), which ten 26-character ids fit and eleven do not.
const postFileIDsMaxRunes = 300

// fileIDsTooLong reports whether Post.IsValid refuses ids.
func fileIDsTooLong(ids []string) bool {
	b, _ := json.Marshal(ids)
	return utf8.RuneCount(b) > postFileIDsMaxRunes
}

// UploadedFile is a file uploaded to the simulator.
type UploadedFile struct {
	ID, Name, ChannelID, CreatorID, PostID string
	Content                                []byte
}

// SetMaxFileSize sets FileSettings.MaxFileSize.
func (s *Server) SetMaxFileSize(n int64) {
	s.mu.Lock()
	s.maxFileSize = n
	s.mu.Unlock()
}

// SetFileAttachments sets FileSettings.EnableFileAttachments (on by default).
func (s *Server) SetFileAttachments(on bool) {
	s.mu.Lock()
	s.noAttachments = !on
	s.mu.Unlock()
}

// File returns an uploaded file.
func (s *Server) File(id string) (UploadedFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return UploadedFile{}, false
	}
	return *f, true
}

func (s *Server) canUpload(u *User, ch *Channel) bool {
	return s.isMember(ch, u.ID) || hasRole(u, "system_admin")
}

func fileInfoJSON(f *UploadedFile, now int64) map[string]any {
	ext := strings.TrimPrefix(filepath.Ext(f.Name), ".")
	mt := mime.TypeByExtension("." + ext)
	if mt == "" {
		mt = "application/octet-stream"
	}
	return map[string]any{"id": f.ID, "user_id": f.CreatorID, "channel_id": f.ChannelID, "post_id": f.PostID, "create_at": now,
		"update_at": now, "delete_at": 0, "name": f.Name, "extension": ext, "size": len(f.Content), "mime_type": mt,
		"has_preview_image": false, "mini_preview": nil, "remote_id": "", "archived": false}
}

// uploadFiles serves POST /api/v4/files (the multipart form).
func (s *Server) uploadFiles(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	maxSize, disabled := s.maxFileSize, s.noAttachments
	s.mu.Unlock()
	if disabled {
		appError(w, http.StatusForbidden, "api.file.attachments.disabled.app_error", "File attachments have been disabled on this server.")
		return
	}
	if r.ContentLength == 0 {
		appError(w, http.StatusBadRequest, "api.file.upload_file.read_request.app_error", "Unable to upload file(s). Error reading or parsing request data.")
		return
	}
	// MaxFileSize bounds each file, not the request (app/file.go UploadFileX: 413 once a file's bytes pass
	// it); the simulator still bounds what it holds in memory.
	r.Body = http.MaxBytesReader(w, r.Body, maxFilesPerPost*(maxSize+1<<20))
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		appError(w, http.StatusBadRequest, "api.file.upload_file.read_request.app_error", "Unable to read the request body.")
		return
	}
	channelID := r.FormValue("channel_id")
	headers := r.MultipartForm.File["files"]
	clientIDs := r.MultipartForm.Value["client_ids"]
	switch {
	case len(channelID) != 26:
		appError(w, http.StatusBadRequest, "api.context.invalid_param.app_error", "Invalid channel_id parameter.")
		return
	case len(clientIDs) > 0 && len(clientIDs) < len(headers):
		// Streaming mode (channel_id first) takes one client id per file as the files come: a file without
		// one is an invalid client_ids parameter.
		appError(w, http.StatusBadRequest, "api.context.invalid_param.app_error", "Invalid or missing client_ids parameter in request URL.")
		return
	case len(clientIDs) > len(headers):
		appError(w, http.StatusBadRequest, "api.file.upload_file.incorrect_number_of_client_ids.app_error",
			"Unable to upload file(s). Have "+strconv.Itoa(len(clientIDs))+" client_ids for "+strconv.Itoa(len(headers))+" files.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ch := userOf(r), s.channels[channelID]
	if ch == nil || !s.canUpload(u, ch) {
		forbidden(w)
		return
	}
	infos := []any{}
	now := s.opts.Now().UnixMilli()
	for _, h := range headers {
		if h.Size > maxSize {
			appError(w, http.StatusRequestEntityTooLarge, "api.file.upload_file.too_large_detailed.app_error", "Unable to upload file. File is too large.")
			return
		}
		f, err := h.Open()
		if err != nil {
			appError(w, http.StatusBadRequest, "api.file.upload_file.read_request.app_error", "Unable to read the request body.")
			return
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			appError(w, http.StatusBadRequest, "api.file.upload_file.read_request.app_error", "Unable to read the request body.")
			return
		}
		uf := &UploadedFile{ID: newID(), Name: filepath.Base(h.Filename), ChannelID: ch.ID, CreatorID: u.ID, Content: b}
		s.files[uf.ID] = uf
		infos = append(infos, fileInfoJSON(uf, now))
	}
	if clientIDs == nil {
		clientIDs = []string{}
	}
	writeJSON(w, http.StatusCreated, map[string]any{"file_infos": infos, "client_ids": clientIDs})
}

// attachFiles keeps the file ids a new post may carry, as Mattermost does (app/post.go attachFilesToPost,
// store FileInfo.AttachToPost): files the poster uploaded that no post holds yet, wherever they were
// uploaded (the file moves to the post's channel); others are dropped without an error. Called with s.mu held.
func (s *Server) attachFiles(p *Post, ids []string) {
	for _, id := range ids {
		f := s.files[id]
		if f == nil || f.CreatorID != p.UserID || f.PostID != "" {
			continue
		}
		f.PostID, f.ChannelID = p.ID, p.ChannelID
		p.FileIDs = append(p.FileIDs, id)
		p.files = append(p.files, fileInfoJSON(f, p.CreateAt))
	}
}

// messageTooLong reports whether a message exceeds Mattermost's limit.
func messageTooLong(m string) bool { return utf8.RuneCountInString(m) > MaxPostRunes }

// deletePost serves DELETE /api/v4/posts/{id}: the author (delete_post, a channel member's permission) or a
// system admin (delete_others_posts). The post, its thread's replies when it is a root, and their files
// disappear; later reads answer 404. In an archived channel nothing is deleted (400).
func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.posts[r.PathValue("id")]
	if p == nil {
		notFound(w, "post")
		return
	}
	u, ch := userOf(r), s.channels[p.ChannelID]
	if !hasRole(u, "system_admin") && !(p.UserID == u.ID && s.isMember(ch, u.ID)) {
		forbidden(w)
		return
	}
	if s.archived[p.ChannelID] != 0 {
		// app/post.go DeletePost: nothing is deleted in an archived channel.
		appError(w, http.StatusBadRequest, "api.post.delete_post.can_not_delete_post_in_deleted.error", "Can not delete a post in a deleted channel.")
		return
	}
	// The store deletes the post and every reply whose root_id is the post (a deleted root takes its thread).
	for _, id := range append([]string(nil), s.order...) {
		if q := s.posts[id]; q != nil && q.RootID == p.ID {
			s.removePost(id)
		}
	}
	s.removePost(p.ID)
	writeJSON(w, http.StatusOK, map[string]string{"status": "OK"})
}

// removePost deletes a post and its files. Called with s.mu held.
func (s *Server) removePost(id string) {
	for _, fid := range s.posts[id].FileIDs {
		delete(s.files, fid)
	}
	delete(s.posts, id)
	for i, pid := range s.order {
		if pid == id {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
}
