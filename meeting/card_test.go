package meeting

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/i18n"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenPath is the props contract shared with the webapp plugin's tests.
var goldenPath = filepath.Join("..", "testdata", "card_props.golden.json")

func contractCards() map[string]*Card {
	created := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	base := Card{
		PostID: "p", ChannelID: "c", CreatorID: "u1xxxxxxxxxxxxxxxxxxxxxxxx", CreatorUsername: "alice", CreatorLocale: "en",
		MeetingID: 92674392836, UUID: "aDYlohsHRtCd4ii1uC2+hA==", Topic: "Weekly sync",
		JoinURL: "https://zoom.us/j/92674392836?pwd=8pEkRweVXPV3Ob2KJYgFTRlDtl1gSn.1", Passcode: "123456",
		ShowPasscode: true, Status: StatusWaiting, CreatedAt: created,
	}
	started, ended, hidden := base, base, base
	started.Status, started.StartedAt, started.Participants = StatusStarted, created.Add(2*time.Minute), 3
	ended.Status, ended.StartedAt, ended.EndedAt = StatusEnded, created.Add(2*time.Minute), created.Add(47*time.Minute+30*time.Second)
	hidden.ShowPasscode = false
	inThread := base
	inThread.UpdatesInThread = true
	return map[string]*Card{"waiting": &base, "started": &started, "ended": &ended, "passcode_hidden": &hidden,
		"updates_in_thread": &inThread}
}

// contractReplies are the thread replies of the contract: a card that cannot be edited announces its new
// state in its thread, and the plugin shows the newest one in the card.
func contractReplies() map[string]*Card {
	ended := *contractCards()["ended"]
	ended.PostID, ended.UpdatesInThread = "cardpostidxxxxxxxxxxxxxxxx", true
	return map[string]*Card{"ended_in_thread": &ended}
}

func TestCardPropsGolden(t *testing.T) {
	got, replies := map[string]any{}, map[string]any{}
	for name, c := range contractCards() {
		got[name] = c.Props()
	}
	for name, c := range contractReplies() {
		replies[name] = c.ReplyProps()
	}
	b, err := json.MarshalIndent(map[string]any{
		"description":    "Props of a custom_mmzoom_meeting post: the contract between mmzoom (Go) and its webapp plugin (TypeScript). Both test suites read this file.",
		"post_type":      PostType,
		"examples":       got,
		"reply_examples": replies,
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile(goldenPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (run go test ./meeting -update to create it)", err)
	}
	if string(want) != string(b) {
		t.Errorf("card props differ from %s (the webapp plugin depends on them); if the change is intended, bump PropsSchemaVersion if needed and run go test ./meeting -update\ngot:\n%s", goldenPath, b)
	}
}

func TestCardProps(t *testing.T) {
	cards := contractCards()
	tests := []struct {
		name         string
		card         *Card
		wantPasscode bool
		wantDuration any
	}{
		{"waiting shows passcode", cards["waiting"], true, nil},
		{"ended has whole-second duration by Zoom's times", cards["ended"], true, int64(45*60 + 30)},
		{"hidden passcode with pwd in link", cards["passcode_hidden"], false, nil},
		{"hidden passcode but link without pwd shows it", func() *Card {
			c := *cards["passcode_hidden"]
			c.JoinURL = "https://zoom.us/j/92674392836"
			return &c
		}(), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.card.Props()
			if _, ok := p[PropPasscode]; ok != tt.wantPasscode {
				t.Errorf("passcode shown = %v, want %v", ok, tt.wantPasscode)
			}
			if p[PropDuration] != tt.wantDuration {
				t.Errorf("duration = %v, want %v", p[PropDuration], tt.wantDuration)
			}
			if id, ok := p[PropMeetingID].(string); !ok || id != "92674392836" {
				t.Errorf("meeting id = %#v, want the string 92674392836", p[PropMeetingID])
			}
		})
	}
}

func TestCardAdvanceOnlyForward(t *testing.T) {
	tests := []struct {
		from, to Status
		want     bool
	}{
		{StatusWaiting, StatusStarted, true},
		{StatusWaiting, StatusEnded, true},
		{StatusStarted, StatusEnded, true},
		{StatusEnded, StatusStarted, false},
		{StatusEnded, StatusWaiting, false},
		{StatusStarted, StatusStarted, false},
	}
	for _, tt := range tests {
		c := &Card{Status: tt.from}
		if got := c.Advance(tt.to); got != tt.want {
			t.Errorf("%s → %s: changed = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestCardPostFallback(t *testing.T) {
	s := NewService(Config{}, Deps{Text: i18n.MustLoad(), Escape: strings.ToUpper, Now: time.Now})
	tests := []struct {
		name, card, locale string
		wantInMessage      string // the message is what readers without the plugin see: Markdown
		joinLink           bool   // a clickable Join link while the meeting can be joined
		wantInText         string
	}{
		{"waiting en", "waiting", "en", "**WEEKLY SYNC** · Zoom meeting created by alice, waiting for the host.", true, "Waiting for the host"},
		{"started en", "started", "en", "**WEEKLY SYNC** · Zoom meeting in progress.", true, "In progress"},
		{"ended en with duration", "ended", "en", "**WEEKLY SYNC** · This Zoom meeting has ended. It lasted 46 min.", false, "This meeting has ended."},
		{"ended ja", "ended", "ja", "**WEEKLY SYNC** · この Zoom ミーティングは終了しました。", false, "このミーティングは終了しました。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := *contractCards()[tt.card]
			c.CreatorLocale = tt.locale
			p := s.CardPost(&c)
			if p.Type != PostType || !strings.HasPrefix(p.Message, tt.wantInMessage) {
				t.Errorf("type %q message %q, want it to start %q", p.Type, p.Message, tt.wantInMessage)
			}
			if has := strings.Contains(p.Message, "]("+c.JoinURL+")"); has != tt.joinLink {
				t.Errorf("message %q: clickable join link %v, want %v", p.Message, has, tt.joinLink)
			}
			a := p.Attachments[0]
			if a.Title != "WEEKLY SYNC" {
				t.Errorf("title %q: topic not escaped", a.Title)
			}
			if !strings.Contains(a.Text, tt.wantInText) {
				t.Errorf("text %q lacks %q", a.Text, tt.wantInText)
			}
			if !strings.Contains(a.Fallback, c.JoinURL) {
				t.Errorf("fallback %q lacks the join link", a.Fallback)
			}
			if tt.card == "ended" {
				if a.TitleLink != "" {
					t.Errorf("an ended card still links to the meeting")
				}
				found := false
				for _, f := range a.Fields {
					found = found || f.Value == map[string]string{"en": "46 min", "ja": "46 分"}[tt.locale]
				}
				if !found {
					t.Errorf("no duration field in %+v", a.Fields)
				}
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	text := i18n.MustLoad()
	tests := []struct {
		d      time.Duration
		en, ja string
	}{
		{20 * time.Second, "less than a minute", "1 分未満"},
		{45*time.Minute + 29*time.Second, "45 min", "45 分"},
		{time.Hour, "1 h", "1 時間"},
		{time.Hour + 5*time.Minute, "1 h 5 min", "1 時間 5 分"},
	}
	for _, tt := range tests {
		if got := FormatDuration(text, "en", tt.d); got != tt.en {
			t.Errorf("en %v = %q, want %q", tt.d, got, tt.en)
		}
		if got := FormatDuration(text, "ja", tt.d); got != tt.ja {
			t.Errorf("ja %v = %q, want %q", tt.d, got, tt.ja)
		}
	}
}
