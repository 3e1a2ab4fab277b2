package meeting

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/mmzoom/mmzoom/i18n"
)

// summaryGoldenPath is the summary reply contract shared with the webapp plugin's tests.
var summaryGoldenPath = filepath.Join("..", "testdata", "summary_reply.golden.json")

func TestSummaryReplyGolden(t *testing.T) {
	s := NewService(Config{}, Deps{Text: i18n.MustLoad(), Escape: func(s string) string { return s }})
	examples := map[string]any{}
	for _, c := range []struct {
		name, locale string
		sum          Summary
	}{
		{"en", "en", Summary{Title: "Release plan", Overview: "The team agreed to ship on Friday.",
			Details:   []SummaryDetail{{Label: "Schedule", Summary: "Two bugs block the release."}},
			NextSteps: []string{"Alice fixes the two bugs"}, DocURL: "https://docs.zoom.us/doc/abc"}},
		{"ja", "ja", Summary{Title: "定例会議のまとめ", Overview: "金曜日にリリースすることで合意しました。",
			Details:   []SummaryDetail{{Label: "スケジュール", Summary: "健二さんが翻訳を終える。"}},
			NextSteps: []string{"リリースノートを翻訳する"}, DocURL: "https://docs.zoom.us/doc/def"}},
	} {
		posts := s.summaryPosts(&Card{PostID: "cardpostid0000000000000000", ChannelID: "c", CreatorLocale: c.locale}, &c.sum)
		if len(posts) != 1 {
			t.Fatalf("%s: %d parts", c.name, len(posts))
		}
		examples[c.name] = map[string]any{"type": posts[0].Type, "message": posts[0].Message, "props": posts[0].Props}
	}
	b, err := json.MarshalIndent(map[string]any{"post_type": PostTypeSummary, "examples": examples}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile(summaryGoldenPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(summaryGoldenPath)
	if err != nil {
		t.Fatalf("%v (run go test ./meeting -update to write it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("summary replies differ from %s (the webapp plugin depends on them); run go test ./meeting -update if intended\ngot:\n%s", summaryGoldenPath, b)
	}
}
