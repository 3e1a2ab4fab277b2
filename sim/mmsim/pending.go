package mmsim

import "time"

// Mattermost makes creating a post idempotent within a short window: a post created with a pending_post_id
// is remembered for 30 seconds, and a create with the same pending_post_id in that window answers the post
// already made instead of making another (server/channels/app/post.go: deduplicateCreatePost, and the defer
// in CreatePost that records the new post's id, or forgets the key when the create failed). Its webapp sends
// one with every message so that a retried send does not post twice. (Mattermost also has a middle state,
// another request still creating the post, answered 500; the simulator makes a post under one lock, so that
// state never shows.)

// pendingPostTTL is how long a pending_post_id is remembered (app/post.go: pendingPostIDsCacheTTL).
const pendingPostTTL = 30 * time.Second

// pendingPost is a remembered pending_post_id: the post it made, until when.
type pendingPost struct {
	postID  string
	expires time.Time
}

// pendingPostFor returns the post made with pendingID within the window (nil, false when none was); found
// reports whether the key is remembered at all, which with a post that is gone is Mattermost's 500. Called
// with s.mu held.
func (s *Server) pendingPostFor(pendingID string, now time.Time) (p *Post, found bool) {
	pp, ok := s.pendingPosts[pendingID]
	if !ok || !now.Before(pp.expires) {
		return nil, false
	}
	return s.posts[pp.postID], true
}

// rememberPending records the post made with pendingID, forgetting the keys whose window has passed. Called
// with s.mu held.
func (s *Server) rememberPending(pendingID, postID string, now time.Time) {
	if pendingID == "" {
		return
	}
	for k, pp := range s.pendingPosts {
		if !now.Before(pp.expires) {
			delete(s.pendingPosts, k)
		}
	}
	s.pendingPosts[pendingID] = pendingPost{postID: postID, expires: now.Add(pendingPostTTL)}
}
