package mattermost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/mmzoom/mmzoom/meeting"
)

// uploadsOff are Mattermost's refusals of an upload by a server that takes no files: FileSettings.
// EnableFileAttachments off (api4/file.go: 501 on older servers, 403 on current ones) or no file storage
// driver (app/file.go UploadFileX: 501).
var uploadsOff = map[string]bool{
	"api.file.attachments.disabled.app_error": true,
	"api.file.upload_file.storage.app_error":  true,
}

// errRootGone is Mattermost's answer (400) to a reply whose thread root was deleted: for mmzoom, the card
// is gone, which no retry brings back.
const errRootGone = "api.post.create_post.root_id.app_error"

var _ meeting.Files = (*Client)(nil)

// UploadFile uploads a file into a channel (POST /api/v4/files, multipart: channel_id and files) and returns
// its id for a post's file_ids. Mattermost lets channel members (and system admins) upload: a bot that may
// post in a channel without being in it is refused (KindForbidden). A file over the server's MaxFileSize
// (413) is meeting.ErrTooLarge.
// https://developers.mattermost.com/api-documentation/#/operations/UploadFile
func (c *Client) UploadFile(ctx context.Context, channelID, name string, content []byte) (string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("channel_id", channelID); err != nil {
		return "", err
	}
	fw, err := mw.CreateFormFile("files", name)
	if err != nil {
		return "", err
	}
	if _, err := fw.Write(content); err != nil {
		return "", err
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	u, err := c.BaseURL.Parse("api/v4/files")
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), &body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out struct {
		FileInfos []struct {
			ID string `json:"id"`
		} `json:"file_infos"`
	}
	_, err = c.Do(req, &out)
	var mmErr *Error
	if errors.As(err, &mmErr) && mmErr.StatusCode == http.StatusRequestEntityTooLarge {
		return "", fmt.Errorf("%w: %v", meeting.ErrTooLarge, err)
	}
	if errors.As(err, &mmErr) && uploadsOff[mmErr.ID] {
		// A server that takes no files refuses for good; older servers say so with 501, which would
		// otherwise read as Mattermost being down and be retried for days.
		return "", &meeting.Error{Kind: meeting.KindForbidden, Err: err}
	}
	if err != nil {
		return "", err
	}
	if len(out.FileInfos) != 1 || out.FileInfos[0].ID == "" {
		return "", &meeting.Error{Kind: meeting.KindInternal, Err: errors.New("mattermost: an upload answered without one file info")}
	}
	return out.FileInfos[0].ID, nil
}

// DeletePost deletes one of the bot's posts (DELETE /api/v4/posts/{id}): allowed where the bot is a member
// of the channel (or a system admin).
func (c *Client) DeletePost(ctx context.Context, postID string) error {
	return c.call(ctx, http.MethodDelete, "api/v4/posts/"+url.PathEscape(postID), nil, nil)
}
