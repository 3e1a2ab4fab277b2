package meeting

import (
	"context"
	"errors"
	"strings"
	"time"
)

// After the meeting, Zoom makes what was said and decided available: the AI Companion summary, the audio
// transcript and the meeting chat. mmzoom posts them in the card's thread, in the channel where the meeting
// was started, and nowhere else. This file declares what that needs; summary.go and transcript.go do it.

// Zoom event types about what a meeting left behind. The summary events are the ones Zoom documents
// (changelogs of 2023-11-20 and 2024-05-20; the Rivet SDK's MeetingSummaryUpdatedEvent for updates).
const (
	EventSummaryCompleted    = "meeting.summary_completed"
	EventSummaryUpdated      = "meeting.summary_updated"
	EventSummaryRecovered    = "meeting.summary_recovered" // restored from Zoom's trash
	EventSummaryTrashed      = "meeting.summary_trashed"
	EventSummaryDeleted      = "meeting.summary_deleted"
	EventTranscriptCompleted = "recording.transcript_completed"
)

// isSummaryEvent reports whether t is one of the summary events.
func isSummaryEvent(t string) bool {
	switch t {
	case EventSummaryCompleted, EventSummaryUpdated, EventSummaryRecovered, EventSummaryTrashed, EventSummaryDeleted:
		return true
	}
	return false
}

// Summary is a meeting's AI Companion summary, as an event or Zoom's meeting_summary endpoint gives it.
type Summary struct {
	Title     string
	Overview  string
	Details   []SummaryDetail
	NextSteps []string
	// EditedDetails is the host's edit of the details in Zoom (edited_summary.summary_details, plain text);
	// when set it replaces Details.
	EditedDetails string
	// Content is summary_content, the whole summary as Zoom's Markdown; a summary made from an AI Companion
	// template has no other text (its details and next steps are empty). Shown when there are no details.
	Content string
	// DocURL is the full summary in Zoom (summary_doc_url).
	DocURL   string
	Modified time.Time // summary_last_modified_time
}

// SummaryDetail is one topic of a summary.
type SummaryDetail struct {
	Label   string
	Summary string
}

// hasContent reports whether the summary says what was discussed (an event may carry only its metadata).
func (s *Summary) hasContent() bool {
	return len(s.Details) > 0 || s.EditedDetails != "" || strings.TrimSpace(s.Content) != ""
}

// Recording file types mmzoom downloads.
const (
	FileTranscript = "TRANSCRIPT" // WebVTT audio transcript
	FileChat       = "CHAT"       // the meeting's chat, plain text
)

// RecordingFile is a file of a recording event that mmzoom may download with the event's download token.
type RecordingFile struct {
	Type        string // FileTranscript, FileChat, …
	Extension   string // "VTT", "TXT", …
	DownloadURL string
	Size        int64
}

// Kinds of posts mmzoom makes in a card's thread after the meeting.
const (
	ReplySummary    = "summary"
	ReplyTranscript = "transcript"
	ReplyChat       = "chat"
)

// ReplyStore remembers the posts mmzoom made in a card's thread after the meeting, by kind, so that each is
// posted once (a job run again continues where it stopped) and a summary Zoom later updates, trashes or
// deletes edits or removes its own posts. Only post ids are kept: nothing of a summary or transcript.
// Packages sqlite and postgres implement it.
type ReplyStore interface {
	// ReplyPosts lists the posts of kind made for a card, in order; none is an empty list, not an error.
	ReplyPosts(ctx context.Context, cardID int64, kind string) ([]string, error)
	// SaveReplyPosts replaces the posts of kind made for a card.
	SaveReplyPosts(ctx context.Context, cardID int64, kind string, postIDs []string, at time.Time) error
	// DeleteReplyPosts forgets the posts of kind made for a card.
	DeleteReplyPosts(ctx context.Context, cardID int64, kind string) error
}

// SummaryZoom fetches a meeting's summary from Zoom (GET /meetings/{uuid}/meeting_summary); package zoom
// implements it. Errors are *Error values as for Zoom: KindNotFound when there is no summary (or no longer).
type SummaryZoom interface {
	MeetingSummary(ctx context.Context, owner Owner, uuid string) (*Summary, error)
}

// Files is Mattermost's side of posting files and taking posts back, as the bot; package mattermost
// implements it.
type Files interface {
	// UploadFile uploads a file into a channel and returns its id, for Post.FileIDs. KindForbidden: the bot
	// may not upload there; ErrTooLarge: over the server's MaxFileSize.
	UploadFile(ctx context.Context, channelID, name string, content []byte) (string, error)
	// DeletePost deletes one of the bot's posts (KindNotFound when it is gone already).
	DeletePost(ctx context.Context, postID string) error
}

// Downloader fetches a recording file with an event's download token (sent as a Bearer header); package
// zoom implements it. It reads at most limit bytes: a larger file is ErrTooLarge. KindNotFound: the file is
// gone or the token no longer opens it.
type Downloader interface {
	Download(ctx context.Context, url, token string, limit int64) ([]byte, error)
}

// ErrTooLarge is a file larger than mmzoom (or Mattermost) takes.
var ErrTooLarge = errors.New("meeting: the file is too large")

// AfterMeetingConfig are the admin's choices about what is posted after a meeting.
type AfterMeetingConfig struct {
	Summaries   bool // AI Companion summaries (on by default)
	Transcripts bool // audio transcripts (on by default)
	// Chat posts the meeting chat. Off by default: people say things in a meeting's chat that they did not
	// mean for the channel.
	Chat bool
	// MaxFileBytes bounds a transcript or chat file mmzoom downloads; larger ones are linked, not posted.
	MaxFileBytes int64
}

// DefaultMaxFileBytes is the default bound on a transcript or chat file (a day-long meeting's transcript is
// a few megabytes).
const DefaultMaxFileBytes = 20 << 20

// AfterMeetingDeps are the collaborators of posting what a meeting left behind. Without them (nil), nothing
// is posted.
type AfterMeetingDeps struct {
	Replies   ReplyStore
	Summaries SummaryZoom
	Files     Files
	Downloads Downloader
}

// MaxPostRunes is Mattermost's limit on a post's message, in characters (runes): longer posts are split.
const MaxPostRunes = 16383

// PostTypeSummary is the post type of a summary reply: the webapp plugin shows it as a compact, collapsible
// section; mobile apps and servers without the plugin show its Markdown message as it is.
const PostTypeSummary = "custom_mmzoom_summary"

// PropSummary holds, on a summary reply, which card it belongs to and which part of the summary it is:
// {"card_post_id": "...", "part": 1, "parts": 2}.
const PropSummary = "mmzoom_summary"

// zoomOwner is whose Zoom credential asks Zoom about a card's meeting.
func (s *Service) zoomOwner(c *Card) Owner {
	if s.cfg.Kind == KindUser {
		return UserOwner(c.CreatorID)
	}
	return AccountOwner
}

// escapeLines makes multi-line user text inert line by line, keeping its line breaks.
func (s *Service) escapeLines(text string) string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = s.Escape(strings.TrimSpace(l))
	}
	return strings.Join(lines, "\n")
}

// saveReplies records the posts of kind made for card c.
func (s *Service) saveReplies(ctx context.Context, c *Card, kind string, ids []string) error {
	return s.After.Replies.SaveReplyPosts(ctx, c.ID, kind, ids, s.Now())
}
