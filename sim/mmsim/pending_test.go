package mmsim

import (
	"net/http"
	"testing"
	"time"
)

// TestPendingPostIDMakesCreatingAPostIdempotent pins Mattermost's deduplication of post creation
// (server/channels/app/post.go, deduplicateCreatePost and CreatePost's defer, the same from 5.x to 11): a
// create with a pending_post_id seen in the last 30 seconds answers 201 with the post already made; after
// 30 seconds, or with another key, or without one, a new post is made; a key whose post was deleted is
// answered 500 api.post.deduplicate_create_post.failed_to_get; a create that failed leaves no key behind.
func TestPendingPostIDMakesCreatingAPostIdempotent(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	w := newWorldAt(t, func() time.Time { return now })
	create := func(pending string) (int, string, map[string]any) {
		t.Helper()
		body := map[string]any{"channel_id": w.botChan.ID, "message": "Meeting ended"}
		if pending != "" {
			body["pending_post_id"] = pending
		}
		status, _, got := w.call(w.botToken, "POST", "/api/v4/posts", body)
		m := obj(t, got)
		id, _ := m["id"].(string)
		return status, id, m
	}
	posts := func() int { return len(w.sim.Posts(w.botChan.ID)) }

	status, first, m := create("k1")
	if status != http.StatusCreated || m["pending_post_id"] != "k1" {
		t.Fatalf("first create: %d, pending_post_id %v; want 201 echoing k1", status, m["pending_post_id"])
	}
	now = now.Add(29 * time.Second)
	if status, again, m := create("k1"); status != http.StatusCreated || again != first || posts() != 1 || m["pending_post_id"] != "" {
		t.Errorf("the same key 29 s later: %d, post %s (first %s), %d posts, pending_post_id %v; want 201 with the first post, read back from the store (no pending_post_id), and no other post",
			status, again, first, posts(), m["pending_post_id"])
	}
	if status, other, _ := create("k2"); status != http.StatusCreated || other == first || posts() != 2 {
		t.Errorf("another key: %d, post %s, %d posts; want a new post", status, other, posts())
	}
	if _, none, _ := create(""); none == first || posts() != 3 {
		t.Errorf("no key: post %s, %d posts; want a new post", none, posts())
	}
	now = now.Add(time.Second) // 30 s after the first
	if status, late, _ := create("k1"); status != http.StatusCreated || late == first || posts() != 4 {
		t.Errorf("the same key 30 s later: %d, post %s, %d posts; want a new post (the key is forgotten)", status, late, posts())
	}

	// A key whose post was deleted.
	_, gone, _ := create("k3")
	if status, _, _ := w.call(w.botToken, "DELETE", "/api/v4/posts/"+gone, nil); status != http.StatusOK {
		t.Fatalf("delete: %d", status)
	}
	if status, _, m := create("k3"); status != http.StatusInternalServerError || m["id"] != "api.post.deduplicate_create_post.failed_to_get" {
		t.Errorf("the key of a deleted post: %d %v", status, m)
	}

	// A create refused (here: in a channel the bot is not in) leaves the key free for the retry.
	if status, _, _ := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.public.ID, "message": "x", "pending_post_id": "k4"}); status != http.StatusForbidden {
		t.Fatalf("create in a channel the bot is not in: %d", status)
	}
	if status, _, _ := create("k4"); status != http.StatusCreated {
		t.Errorf("the key of a refused create: %d, want a new post", status)
	}
}

// A create that Mattermost made but whose answer was lost (the caller heard 500) is answered, when retried
// with the same pending_post_id, with the post it made: no second post.
func TestPendingPostIDAfterAnAnswerLost(t *testing.T) {
	w := newWorld(t)
	w.sim.SetFailureRate(1, true, 3)
	var lost string
	for range 20 { // the injected failures come before or after the change, at random (seeded)
		status, _, _ := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "Meeting ended", "pending_post_id": "retry-1"})
		if status != http.StatusInternalServerError {
			t.Fatalf("with every call failing: %d", status)
		}
		if len(w.sim.FailedAfterCommit()) > 0 {
			lost = w.sim.FailedAfterCommit()[0].ID
			break
		}
	}
	if lost == "" {
		t.Fatal("no failure after the change in 20 calls")
	}
	w.sim.SetFailureRate(0, false, 3)
	status, _, got := w.call(w.botToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.botChan.ID, "message": "Meeting ended", "pending_post_id": "retry-1"})
	if status != http.StatusCreated || obj(t, got)["id"] != lost || len(w.sim.Posts(w.botChan.ID)) != 1 {
		t.Errorf("the retry: %d %v, %d posts; want the post made by the call whose answer was lost (%s), and no other", status, got, len(w.sim.Posts(w.botChan.ID)), lost)
	}
}
