package meeting

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// postFile posts a meeting's transcript (kind ReplyTranscript) or chat (ReplyChat) in its card's thread: the
// file is downloaded with the event's download token (bounded in size), uploaded to Mattermost and posted
// with a short excerpt. Where the bot may not upload, or the file is too large, the reply links to the
// recording in Zoom instead. It is posted once: the reply's id is kept.
func (s *Service) postFile(ctx context.Context, c *Card, ev Event, kind string) (bool, error) {
	on, fileType := s.cfg.After.Transcripts, FileTranscript
	if kind == ReplyChat {
		on, fileType = s.cfg.After.Chat, FileChat
	}
	a := s.After
	if !on || a.Replies == nil || a.Files == nil || a.Downloads == nil {
		return false, nil
	}
	var file *RecordingFile
	for i, f := range ev.Files {
		if f.Type == fileType && (strings.HasPrefix(f.DownloadURL, "https://") || strings.HasPrefix(f.DownloadURL, "http://")) {
			file = &ev.Files[i]
			break
		}
	}
	if file == nil {
		return false, nil
	}
	ids, err := a.Replies.ReplyPosts(ctx, c.ID, kind)
	if err != nil || len(ids) > 0 {
		return false, err // posted already
	}
	limit := s.cfg.After.MaxFileBytes
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	t := func(key string, args ...any) string { return s.Text.T(c.CreatorLocale, key, args...) }
	topic := s.Escape(c.Topic)
	data, err := a.Downloads.Download(ctx, file.DownloadURL, ev.DownloadToken, limit)
	var note string // why the file itself is not posted
	switch {
	case err == nil:
	case errors.Is(err, ErrTooLarge):
		note = t(kind+".too_large", "Topic", topic, "Limit", strconv.FormatInt(limit>>20, 10))
	case refused(err) || KindOf(err) == KindNotConnected:
		// The token expired (Zoom's last an hour) or the file is gone: this will not get better.
		s.Logger.WarnContext(ctx, "downloading a recording file failed", "card_id", c.ID, "kind", kind, "err", err)
		note = t(kind+".unavailable", "Topic", topic)
	default:
		return false, err // Zoom down: retried
	}
	post := &Post{ChannelID: c.ChannelID, RootID: c.threadRoot()}
	if note == "" {
		name := "zoom-" + kind + "-" + c.MeetingIDString() + "." + fileExt(file.Extension, kind)
		id, err := s.uploadFile(ctx, c, name, data)
		switch {
		case err == nil:
			post.FileIDs = []string{id}
			post.Message = t(kind+".posted", "Topic", topic)
			if ex := s.excerpt(data, kind); ex != "" {
				post.Message += "\n" + ex
			}
		case errors.Is(err, ErrTooLarge):
			note = t(kind+".too_large", "Topic", topic, "Limit", strconv.FormatInt(limit>>20, 10))
		case errors.Is(err, ErrForbidden):
			note = t(kind+".no_upload", "Topic", topic)
		default:
			return false, err
		}
	}
	if note != "" {
		post.Message = note
		if link := recordingLink(ev); link != "" {
			post.Message += "\n" + t("aftermeeting.open_in_zoom", "URL", link)
		}
	}
	id, err := s.postRecorded(ctx, kind+":"+itoa(c.ID), post, func(id string) error { return s.saveReplies(ctx, c, kind, []string{id}) })
	return id != "", err
}

// uploadFile uploads a file into the card's channel. Mattermost lets only channel members upload (posting
// rights from system_post_all are not enough), so in a public channel the bot joins and tries again.
func (s *Service) uploadFile(ctx context.Context, c *Card, name string, data []byte) (string, error) {
	id, err := s.After.Files.UploadFile(ctx, c.ChannelID, name, data)
	if !errors.Is(err, ErrForbidden) {
		return id, err
	}
	ch, cerr := s.Chat.Channel(ctx, c.ChannelID)
	if cerr != nil || ch.Type != ChannelOpen {
		return "", err
	}
	if jerr := s.Chat.JoinChannel(ctx, c.ChannelID); jerr != nil {
		if refused(jerr) {
			return "", err
		}
		return "", jerr
	}
	return s.After.Files.UploadFile(ctx, c.ChannelID, name, data)
}

// recordingLink is where people can open the recording (and its transcript and chat) in Zoom.
func recordingLink(ev Event) string {
	if ev.Recording == nil {
		return ""
	}
	for _, u := range append([]string{ev.Recording.ShareURL}, ev.Recording.PlayURLs...) {
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			return u
		}
	}
	return ""
}

// fileExt is the file name extension of a recording file.
func fileExt(ext, kind string) string {
	ext = strings.ToLower(ext)
	valid := ext != "" && len(ext) <= 8 && strings.IndexFunc(ext, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) < 0
	switch {
	case valid:
		return ext
	case kind == ReplyTranscript:
		return "vtt"
	}
	return "txt"
}

// Excerpt bounds: a few lines, each short, so the thread stays readable; the file holds the rest.
const (
	excerptLines     = 4
	excerptLineRunes = 160
)

// excerpt is the first few things said (a WebVTT transcript's cue texts, or a chat's first messages), as an
// escaped Markdown quote.
func (s *Service) excerpt(data []byte, kind string) string {
	if !utf8.Valid(data) {
		return ""
	}
	var out []string
	inHeader := kind == ReplyTranscript
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if kind == ReplyTranscript {
			switch {
			case line == "":
				inHeader = false
				continue
			case inHeader, strings.Contains(line, "-->"), strings.HasPrefix(line, "NOTE"), isDigits(line):
				continue
			}
		} else if line == "" {
			continue
		}
		if r := []rune(line); len(r) > excerptLineRunes {
			line = string(r[:excerptLineRunes]) + "…"
		}
		out = append(out, "> "+s.Escape(line))
		if len(out) == excerptLines {
			out = append(out, "> …")
			break
		}
	}
	return strings.Join(out, "\n")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
