package meeting

import (
	"context"
	"strings"
	"testing"
	"time"
)

// fakeReplies is a ReplyStore in memory.
type fakeReplies struct{ ids map[string][]string }

var (
	_ ReplyStore = (*fakeReplies)(nil)
	_ Files      = (*fakeFiles)(nil)
	_ Chat       = (*flakyChat)(nil)
)

func replyKey(cardID int64, kind string) string { return itoa(cardID) + "/" + kind }

func (r *fakeReplies) ReplyPosts(_ context.Context, cardID int64, kind string) ([]string, error) {
	return append([]string{}, r.ids[replyKey(cardID, kind)]...), nil
}

func (r *fakeReplies) SaveReplyPosts(_ context.Context, cardID int64, kind string, ids []string, _ time.Time) error {
	r.ids[replyKey(cardID, kind)] = append([]string(nil), ids...)
	return nil
}

func (r *fakeReplies) DeleteReplyPosts(_ context.Context, cardID int64, kind string) error {
	delete(r.ids, replyKey(cardID, kind))
	return nil
}

// fakeFiles deletes posts from a fakeChat; it takes no uploads.
type fakeFiles struct {
	chat      *fakeChat
	deleteErr error
}

func (f *fakeFiles) UploadFile(context.Context, string, string, []byte) (string, error) {
	return "", &Error{Kind: KindForbidden}
}

func (f *fakeFiles) DeletePost(_ context.Context, id string) error {
	if f.deleteErr != nil {
		return f.deleteErr
	}
	f.chat.mu.Lock()
	defer f.chat.mu.Unlock()
	if _, ok := f.chat.posts[id]; !ok {
		return &Error{Kind: KindNotFound}
	}
	delete(f.chat.posts, id)
	for i, o := range f.chat.order {
		if o == id {
			f.chat.order = append(f.chat.order[:i:i], f.chat.order[i+1:]...)
			break
		}
	}
	return nil
}

// flakyChat is a fakeChat whose posting fails after a number of posts, as a Mattermost going down does.
type flakyChat struct {
	*fakeChat
	left int // posts that succeed before the failure; negative: never fail
}

func (c *flakyChat) CreatePost(ctx context.Context, p *Post) (string, error) {
	if c.left == 0 {
		return "", &Error{Kind: KindChatUnavailable}
	}
	c.left--
	return c.fakeChat.CreatePost(ctx, p)
}

func longSummary() *Summary {
	sum := &Summary{Title: "Long"}
	for range 5 {
		sum.Details = append(sum.Details, SummaryDetail{Label: "T", Summary: strings.Repeat("長い議論。", 2000)})
	}
	return sum
}

func TestSummaryPartsAreNeverPostedTwice(t *testing.T) {
	chat := &flakyChat{fakeChat: newFakeChat(), left: 1}
	replies := &fakeReplies{ids: map[string][]string{}}
	s := NewService(Config{After: AfterMeetingConfig{Summaries: true}}, Deps{Chat: chat, Text: keyText{},
		Now: func() time.Time { return time.Unix(0, 0) }, After: AfterMeetingDeps{Replies: replies, Files: &fakeFiles{chat: chat.fakeChat}}})
	c := &Card{ID: 7, PostID: "card", ChannelID: "ch", CreatorLocale: "en", UUID: "u"}
	ev := Event{Type: EventSummaryCompleted, UUID: "u", Summary: longSummary()}
	parts := len(s.renderSummary(c, ev.Summary))
	if parts < 3 {
		t.Fatalf("%d parts; the test needs at least 3", parts)
	}
	if _, err := s.applySummary(context.Background(), c, ev); KindOf(err) != KindChatUnavailable {
		t.Fatalf("first run: %v, want Mattermost unavailable", err)
	}
	if got := replies.ids[replyKey(7, ReplySummary)]; len(got) != 1 {
		t.Fatalf("after a failure on part 2, %d parts recorded, want 1", len(got))
	}
	chat.left = -1
	for range 2 { // the retry, then a repeated delivery
		if _, err := s.applySummary(context.Background(), c, ev); err != nil {
			t.Fatal(err)
		}
	}
	posts := chat.postsIn("ch")
	if len(posts) != parts {
		t.Fatalf("%d posts for %d parts", len(posts), parts)
	}
	for i, p := range posts {
		info, _ := p.Props[PropSummary].(map[string]any)
		if p.RootID != "card" || p.Type != PostTypeSummary || info["part"] != i+1 || info["parts"] != parts {
			t.Errorf("post %d: root %q type %q props %v", i, p.RootID, p.Type, p.Props)
		}
	}

	// Zoom deletes the summary: every part goes; a failure to delete is retried.
	files := s.After.Files.(*fakeFiles)
	files.deleteErr = &Error{Kind: KindChatUnavailable}
	del := Event{Type: EventSummaryDeleted, UUID: "u", Summary: &Summary{}}
	if _, err := s.applySummary(context.Background(), c, del); KindOf(err) != KindChatUnavailable {
		t.Fatalf("delete while Mattermost is down: %v", err)
	}
	files.deleteErr = nil
	if _, err := s.applySummary(context.Background(), c, del); err != nil {
		t.Fatal(err)
	}
	if n := len(chat.postsIn("ch")); n != 0 {
		t.Errorf("%d posts left after deletion", n)
	}
	if _, ok := replies.ids[replyKey(7, ReplySummary)]; ok {
		t.Error("the reply ids are still kept")
	}
}

func TestSummariesOffChangeNothing(t *testing.T) {
	chat := &flakyChat{fakeChat: newFakeChat(), left: -1}
	s := NewService(Config{}, Deps{Chat: chat, Text: keyText{}, After: AfterMeetingDeps{Replies: &fakeReplies{ids: map[string][]string{}},
		Files: &fakeFiles{chat: chat.fakeChat}}})
	changed, err := s.applySummary(context.Background(), &Card{ID: 1, ChannelID: "ch"}, Event{Type: EventSummaryCompleted, Summary: longSummary()})
	if changed || err != nil || len(chat.postsIn("ch")) != 0 {
		t.Errorf("summaries off: changed %v err %v posts %d", changed, err, len(chat.postsIn("ch")))
	}
}
