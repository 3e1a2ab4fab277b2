package meeting

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/i18n"
)

// scheduledGoldenPath is the props contract of scheduled cards, shared with the webapp plugin's tests.
var scheduledGoldenPath = filepath.Join("..", "testdata", "scheduled_card_props.golden.json")

// contractScheduled are the scheduled cards of the contract: a weekly series scheduled from Tokyo, a one-off
// meeting, and a cancelled one.
func contractScheduled() (map[string]*Post, *Service) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	svc := NewService(Config{}, Deps{Text: i18n.MustLoad(), Now: func() time.Time { return now }})
	first := time.Date(2026, 12, 10, 5, 30, 0, 0, time.UTC) // Thursday 14:30 in Tokyo
	series := &Schedule{ID: 7, CardID: 1, MeetingID: 92674392836, ChannelID: "c", CreatorID: "u1xxxxxxxxxxxxxxxxxxxxxxxx",
		CreatorLocale: "ja", Topic: "週次定例", Timezone: "Asia/Tokyo", Duration: 45 * time.Minute,
		Recurrence: &Recurrence{Repeat: RepeatWeekly, Count: 3}}
	for i := range 3 {
		series.Occurrences = append(series.Occurrences, Occurrence{ID: itoa(first.AddDate(0, 0, 7*i).UnixMilli()),
			Start: first.AddDate(0, 0, 7*i), Duration: 45 * time.Minute})
	}
	once := &Schedule{ID: 8, CardID: 2, MeetingID: 92674392837, ChannelID: "c", CreatorID: "u1xxxxxxxxxxxxxxxxxxxxxxxx",
		CreatorLocale: "en", Topic: "Budget review", Timezone: "Europe/Berlin", Duration: 30 * time.Minute,
		Occurrences: []Occurrence{{Start: time.Date(2026, 12, 8, 13, 0, 0, 0, time.UTC), Duration: 30 * time.Minute}}}
	card := func(sc *Schedule, st Status) *Card {
		return &Card{ID: sc.CardID, PostID: "p", ChannelID: "c", CreatorID: sc.CreatorID, CreatorUsername: "alice",
			CreatorLocale: sc.CreatorLocale, MeetingID: sc.MeetingID, Topic: sc.Topic, Status: st, ShowPasscode: true,
			JoinURL: "https://zoom.us/j/" + itoa(sc.MeetingID) + "?pwd=8pEkRweVXPV3Ob2KJYgFTRlDtl1gSn.1", Passcode: "123456",
			CreatedAt: now, Schedule: sc}
	}
	cancelled := *once
	cancelled.Cancelled = true
	return map[string]*Post{
		"scheduled_series": svc.CardPost(card(series, StatusScheduled)),
		"scheduled_once":   svc.CardPost(card(once, StatusScheduled)),
		"cancelled":        svc.CardPost(card(&cancelled, StatusCancelled)),
	}, svc
}

func TestScheduledCardPropsGolden(t *testing.T) {
	posts, _ := contractScheduled()
	examples := map[string]any{}
	for name, p := range posts {
		var actions []map[string]string
		for _, a := range p.Attachments {
			for _, b := range a.Buttons {
				actions = append(actions, map[string]string{"id": b.ID, "name": b.Name, "style": b.Style})
			}
		}
		examples[name] = map[string]any{"props": p.Props, "actions": actions, "message": p.Message}
	}
	b, err := json.MarshalIndent(map[string]any{
		"description": "Props of scheduled and cancelled custom_mmzoom_meeting posts (and the host's buttons of their attachment, which Mattermost does not show beside a plugin's card): the contract between mmzoom and its webapp plugin.",
		"examples":    examples,
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile(scheduledGoldenPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(scheduledGoldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(b) {
		t.Errorf("scheduled card props differ from %s (the webapp plugin depends on them); run go test ./meeting -update if intended\ngot:\n%s", scheduledGoldenPath, b)
	}
}

func TestScheduledCardInWords(t *testing.T) {
	posts, _ := contractScheduled()
	for name, want := range map[string][]string{
		"scheduled_series": {"2026年12月10日(木) 14:30 (UTC+09:00)", "毎週木曜日（3 回）", "45 分", "次回をキャンセル", "シリーズをキャンセル", "日時を変更"},
		"scheduled_once":   {"Tue, Dec 8, 2026 14:00 (UTC+01:00)", "30 min", "Cancel meeting", "Reschedule", "`123456`"},
		"cancelled":        {"was cancelled"},
	} {
		b, _ := json.Marshal(posts[name])
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s does not show %q: %s", name, w, b)
			}
		}
	}
	if b, _ := json.Marshal(posts["cancelled"]); strings.Contains(string(b), "Reschedule") || strings.Contains(string(b), "pwd=") && strings.Contains(string(b), "Join the meeting") {
		t.Errorf("a cancelled card still offers its controls or Join: %s", b)
	}
}
