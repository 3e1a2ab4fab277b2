package main

import (
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
)

func TestAfterMeetingSettings(t *testing.T) {
	cases := []struct {
		name, file string
		problem    string
		sum, tr    bool
		chat       bool
		maxBytes   int64
	}{
		{name: "defaults: summaries and transcripts on, chat off", sum: true, tr: true, maxBytes: meeting.DefaultMaxFileBytes},
		{name: "all set", file: `{"post_summaries": false, "post_transcripts": false, "post_meeting_chat": true, "max_download_mb": 5}`,
			chat: true, maxBytes: 5 << 20},
		{name: "chat on only", file: `{"post_meeting_chat": true}`, sum: true, tr: true, chat: true, maxBytes: meeting.DefaultMaxFileBytes},
		{name: "a download limit out of range", file: `{"max_download_mb": 0}`, problem: "max_download_mb"},
		{name: "a setting of the wrong type", file: `{"post_meeting_chat": "yes"}`, problem: "MMZOOM_CONFIG"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := validEnv("s2s")
			read := noFile
			if c.file != "" {
				env["MMZOOM_CONFIG"] = "/etc/mmzoom.json"
				read = func(string) ([]byte, error) { return []byte(c.file), nil }
			}
			cfg, problems := loadConfig(func(k string) string { return env[k] }, read)
			if c.problem != "" {
				if len(problems) != 1 || !strings.Contains(problems[0], c.problem) {
					t.Errorf("problems %q, want one naming %s", problems, c.problem)
				}
				return
			}
			if len(problems) != 0 {
				t.Fatalf("problems %q", problems)
			}
			if cfg.PostSummaries != c.sum || cfg.PostTranscripts != c.tr || cfg.PostChat != c.chat || cfg.MaxDownloadBytes != c.maxBytes {
				t.Errorf("summaries %v transcripts %v chat %v max %d", cfg.PostSummaries, cfg.PostTranscripts, cfg.PostChat, cfg.MaxDownloadBytes)
			}
		})
	}
}
