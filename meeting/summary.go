package meeting

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// applySummary posts a meeting's AI Companion summary in its card's thread, edits that reply when Zoom
// updates the summary, and removes it when Zoom trashes or deletes it. It runs under the meeting's lock, from
// the durable queue: a failure is retried, and a retry continues with the parts not posted yet.
func (s *Service) applySummary(ctx context.Context, c *Card, ev Event) (bool, error) {
	if !s.cfg.After.Summaries || s.After.Replies == nil || s.After.Files == nil {
		return false, nil
	}
	ids, err := s.After.Replies.ReplyPosts(ctx, c.ID, ReplySummary)
	if err != nil {
		return false, err
	}
	if ev.Type == EventSummaryTrashed || ev.Type == EventSummaryDeleted {
		return s.removeSummary(ctx, c, ids)
	}
	sum, err := s.fullSummary(ctx, c, ev)
	if err != nil || sum == nil {
		return false, err
	}
	posts := s.summaryPosts(c, sum)
	if ev.Type == EventSummaryCompleted && len(ids) >= len(posts) {
		return false, nil // posted already (this guards a job run again after it posted)
	}
	// A completed summary only adds the parts still missing; an updated or recovered one rewrites them all.
	return true, s.syncReplies(ctx, c, ReplySummary, ids, posts, ev.Type != EventSummaryCompleted)
}

// summaryPosts are the replies that show a summary under card c: one per part, each saying which part it is
// (the props contract shared with the webapp plugin: testdata/summary_reply.golden.json).
func (s *Service) summaryPosts(c *Card, sum *Summary) []*Post {
	parts := s.renderSummary(c, sum)
	posts := make([]*Post, len(parts))
	for i, m := range parts {
		posts[i] = &Post{ChannelID: c.ChannelID, RootID: c.threadRoot(), Type: PostTypeSummary, Message: m,
			Props: map[string]any{PropSummary: map[string]any{"card_post_id": c.PostID, "part": i + 1, "parts": len(parts)}}}
	}
	return posts
}

// fullSummary is the event's summary, completed from Zoom's meeting_summary endpoint when the event carries
// only part of it (its metadata, as trashed and recovered events do, or no details). nil means there is
// nothing to show.
func (s *Service) fullSummary(ctx context.Context, c *Card, ev Event) (*Summary, error) {
	var sum Summary
	if ev.Summary != nil {
		sum = *ev.Summary
	}
	if sum.hasContent() && ev.Type != EventSummaryRecovered {
		return &sum, nil
	}
	if s.After.Summaries == nil {
		return nil, nil
	}
	uuid := ev.UUID
	if uuid == "" {
		uuid = c.UUID
	}
	got, err := s.After.Summaries.MeetingSummary(ctx, s.zoomOwner(c), uuid)
	switch {
	case err == nil:
	case KindOf(err) == KindNotFound, KindOf(err) == KindNotConnected, KindOf(err) == KindZoomRejected:
		// No summary at Zoom (any more), or no credential allowed to read it: show what the event had.
		s.Logger.WarnContext(ctx, "fetching a meeting summary from Zoom failed", "card_id", c.ID, "err", err)
		if !sum.hasContent() && sum.Overview == "" {
			return nil, nil
		}
		return &sum, nil
	default:
		return nil, err // Zoom down or rate limiting: retried
	}
	if got.Title == "" {
		got.Title = sum.Title
	}
	if got.DocURL == "" {
		got.DocURL = sum.DocURL
	}
	if !got.hasContent() && got.Overview == "" {
		return nil, nil
	}
	return got, nil
}

// renderSummary writes the summary as readable Markdown in the language of the card's starter: a heading
// with the title, the overview, one sub-heading per topic, the next steps as a checklist, and a link to the
// full summary in Zoom. Every text from Zoom is escaped as user input is everywhere else. A summary longer
// than a post may be is split into parts, each within Mattermost's limit.
func (s *Service) renderSummary(c *Card, sum *Summary) []string {
	t := func(key string, args ...any) string { return s.Text.T(c.CreatorLocale, key, args...) }
	title := headingTitle(sum.Title)
	if title == "" {
		title = c.Topic
	}
	blocks := []string{t("summary.heading", "Title", s.Escape(title))}
	if sum.EditedDetails == "" && len(sum.Details) == 0 && strings.TrimSpace(sum.Content) != "" {
		// Only summary_content holds the text: it has the overview and the next steps too.
		blocks = append(blocks, s.contentLines(sum.Content))
		return s.finishSummary(c, sum, blocks)
	}
	if sum.Overview != "" {
		blocks = append(blocks, t("summary.overview")+"\n"+s.escapeLines(sum.Overview))
	}
	if sum.EditedDetails != "" {
		blocks = append(blocks, t("summary.details")+"\n"+s.escapeLines(sum.EditedDetails))
	} else {
		for _, d := range sum.Details {
			label := strings.TrimSpace(d.Label)
			if label == "" {
				label = t("summary.topic")
			}
			blocks = append(blocks, "##### "+s.Escape(label)+"\n"+s.escapeLines(d.Summary))
		}
	}
	if len(sum.NextSteps) > 0 {
		var b strings.Builder
		b.WriteString(t("summary.next_steps"))
		for _, step := range sum.NextSteps {
			if step = strings.TrimSpace(step); step != "" {
				b.WriteString("\n- [ ] " + s.Escape(step))
			}
		}
		blocks = append(blocks, b.String())
	}
	return s.finishSummary(c, sum, blocks)
}

// finishSummary adds the link to the full summary in Zoom and splits the reply into parts within
// Mattermost's limit.
func (s *Service) finishSummary(c *Card, sum *Summary, blocks []string) []string {
	t := func(key string, args ...any) string { return s.Text.T(c.CreatorLocale, key, args...) }
	if strings.HasPrefix(sum.DocURL, "https://") || strings.HasPrefix(sum.DocURL, "http://") {
		blocks = append(blocks, t("summary.link", "URL", sum.DocURL))
	}
	parts := splitMessage(strings.Join(blocks, "\n\n"), MaxPostRunes-partHeaderRoom)
	if len(parts) > 1 {
		for i := 1; i < len(parts); i++ {
			parts[i] = t("summary.continued", "Part", i+1, "Parts", len(parts)) + "\n\n" + parts[i]
		}
	}
	return parts
}

// zoomTitlePrefix is how Zoom begins an English summary_title ("Meeting Summary for Weekly sync"); the
// heading says "Meeting summary:" itself, in the reader's language, so the title loses it.
const zoomTitlePrefix = "meeting summary for "

// headingTitle is a summary's title for the reply's heading, without Zoom's own "Meeting Summary for".
func headingTitle(title string) string {
	title = strings.TrimSpace(title)
	if len(title) > len(zoomTitlePrefix) && strings.EqualFold(title[:len(zoomTitlePrefix)], zoomTitlePrefix) {
		return strings.TrimSpace(title[len(zoomTitlePrefix):])
	}
	return title
}

// partHeaderRoom is what a part's "continued" line may take, kept free in every part.
const partHeaderRoom = 200

// splitMessage cuts text into pieces of at most limit runes, at line breaks where it can (a single line
// longer than limit is cut within the line, never within a character).
func splitMessage(text string, limit int) []string {
	if utf8.RuneCountInString(text) <= limit {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	n := 0
	flush := func() {
		if p := strings.Trim(cur.String(), "\n"); p != "" {
			parts = append(parts, p)
		}
		cur.Reset()
		n = 0
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		ln := utf8.RuneCountInString(line)
		if n+ln > limit {
			flush()
		}
		for ln > limit { // one line longer than a post: cut it
			r := []rune(line)
			parts = append(parts, string(r[:limit]))
			line, ln = string(r[limit:]), ln-limit
		}
		cur.WriteString(line)
		n += ln
	}
	flush()
	return parts
}

// syncReplies makes the thread show posts as the replies of kind, given the ids of those already there:
// missing ones are posted (their ids saved one by one, so that a retry continues rather than posts again),
// existing ones edited when edit is set, and surplus ones deleted. A reply the bot can no longer edit (it
// left the channel) or that someone deleted is posted anew.
func (s *Service) syncReplies(ctx context.Context, c *Card, kind string, ids []string, posts []*Post, edit bool) error {
	ids = append([]string(nil), ids...)
	for i, p := range posts {
		if i < len(ids) {
			if !edit {
				continue
			}
			err := s.Chat.PatchPost(ctx, ids[i], p)
			if err == nil {
				continue
			}
			if !refused(err) {
				return err
			}
		}
		_, err := s.postRecorded(ctx, kind+":"+itoa(c.ID)+":"+strconv.Itoa(i), p, func(id string) error {
			if i < len(ids) {
				ids[i] = id
			} else {
				ids = append(ids, id)
			}
			return s.saveReplies(ctx, c, kind, ids)
		})
		if err != nil {
			return err
		}
	}
	if len(ids) <= len(posts) {
		return s.saveReplies(ctx, c, kind, ids)
	}
	for _, id := range ids[len(posts):] {
		if err := s.After.Files.DeletePost(ctx, id); err != nil && !refused(err) {
			return err
		}
	}
	return s.saveReplies(ctx, c, kind, ids[:len(posts)])
}

// removeSummary deletes the summary's replies after Zoom trashed or deleted the summary. Where the bot may
// not delete them (it is not a member of the channel), the thread is told instead.
func (s *Service) removeSummary(ctx context.Context, c *Card, ids []string) (bool, error) {
	if len(ids) == 0 {
		return false, nil
	}
	kept := false
	for _, id := range ids {
		err := s.After.Files.DeletePost(ctx, id)
		switch {
		case err == nil, errors.Is(err, ErrNotFound):
		case errors.Is(err, ErrForbidden):
			kept = true
		default:
			return false, err
		}
	}
	if kept {
		note := &Post{ChannelID: c.ChannelID, RootID: c.threadRoot(), Message: s.Text.T(c.CreatorLocale, "summary.removed")}
		if _, err := s.Chat.CreatePost(ctx, note); err != nil {
			return false, err
		}
	}
	return true, s.After.Replies.DeleteReplyPosts(ctx, c.ID, ReplySummary)
}
