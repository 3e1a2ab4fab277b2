package meeting

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// postRecorded posts p and records it with record. The job that posts it runs again if mmzoom dies between
// the post and its record, or if Mattermost made the post but its answer was lost; it then posts again.
// Mattermost's only idempotency for posts is short-lived: a create with a pending_post_id seen in the last
// 30 seconds answers the post already made. So p carries one derived from key, which names what the post is
// for (a card's news of a status, a part of its summary), and from its message (pendingID): a retry within
// 30 seconds (the queue's first retries, a SQLite replica's restart) finds the post instead of making
// another. Beyond that window a duplicate cannot be prevented; one post at a time per process between post
// and record keeps it to one per process killed, as when jobs were applied one at a time. Such posts are
// rare (a meeting starts or ends, a summary or a transcript arrives): the participant events that make up a
// burst never wait here.
func (s *Service) postRecorded(ctx context.Context, key string, p *Post, record func(id string) error) (string, error) {
	p.PendingID = pendingID(key, p.Message)
	s.replyMu.Lock()
	defer s.replyMu.Unlock()
	id, err := s.Chat.CreatePost(ctx, p)
	if err != nil {
		return "", err
	}
	return id, record(id)
}

// pendingID is the pending_post_id of the post key names, saying message: the same post asked for again
// gets the same id, a changed message another.
func pendingID(key, message string) string {
	h := sha256.New()
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(message))
	return "mmzoom:" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil))[:26])
}
