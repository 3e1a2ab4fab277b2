package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sim/zoomsim"
)

// After the meeting: Zoom's AI Companion summary, the transcript and the meeting chat arrive in the card's
// thread, through the durable queue, from the simulators' events.

// endedCard starts a meeting in ch as user, has the host start and end it at Zoom, and returns its card.
func (w *world) endedCard(user mmsim.User, ch mmsim.Channel, topic string) (mmsim.Post, int64) {
	w.t.Helper()
	w.run(user, ch, "/zoom start "+topic)
	cards := w.cards(ch)
	if len(cards) == 0 {
		w.t.Fatalf("no card in %s", ch.Name)
	}
	card := cards[len(cards)-1]
	id := w.meetingOf(card).ID
	ctx := context.Background()
	if err := w.Zoom.StartMeeting(ctx, id); err != nil {
		w.t.Fatal(err)
	}
	w.clock.Advance(25 * time.Minute)
	if err := w.Zoom.EndMeeting(ctx, id); err != nil {
		w.t.Fatal(err)
	}
	w.settle()
	return card, id
}

// summaryReplies lists the summary replies under a card.
func (w *world) summaryReplies(ch mmsim.Channel, card mmsim.Post) []mmsim.Post {
	var out []mmsim.Post
	for _, p := range w.threadReplies(ch, card) {
		if p.Type == meeting.PostTypeSummary {
			out = append(out, p)
		}
	}
	return out
}

var planSummary = zoomsim.Summary{
	Title:    "Release plan",
	Overview: "The team agreed to ship on Friday. <script>alert(1)</script> @channel",
	Details: []zoomsim.SummaryDetail{
		{Label: "Schedule", Summary: "Two bugs block the release.\nAlice fixes them by Thursday."},
		{Label: "Docs [link](https://evil.example)", Summary: "Kenji reviews the wording."},
	},
	NextSteps: []string{"Alice fixes the two bugs", "Kenji translates the release notes"},
}

func TestSummaryIsPostedOnceInTheCardsThread(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.endedCard(w.Alice, w.Town, "Release")
	other, _ := w.endedCard(w.Alice, w.Private, "Elsewhere")
	ctx := context.Background()
	if err := w.Zoom.SummaryCompleted(ctx, id, planSummary, zoomsim.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	w.settle()
	w.Zoom.Redeliver(ctx) // Zoom delivers the same event again
	w.settle()
	replies := w.summaryReplies(w.Town, card)
	if len(replies) != 1 {
		t.Fatalf("%d summary replies, want 1: %+v", len(replies), w.threadReplies(w.Town, card))
	}
	msg := replies[0].Message
	for _, want := range []string{
		"#### Meeting summary: Release plan", "**Overview**", "The team agreed to ship on Friday.", "##### Schedule",
		"Two bugs block the release.\nAlice fixes them by Thursday.", "**Next steps**", "- [ ] Alice fixes the two bugs",
		"- [ ] Kenji translates the release notes", "[Open the full summary in Zoom](" + w.ZoomURL + "/doc/",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the summary lacks %q:\n%s", want, msg)
		}
	}
	// Zoom's text is user-provided: inert like every other text mmzoom posts.
	for _, bad := range []string{"<script>", "@channel", "[link](https://evil.example)"} {
		if strings.Contains(msg, bad) {
			t.Errorf("the summary carries %q unescaped:\n%s", bad, msg)
		}
	}
	if got, _ := replies[0].Props[meeting.PropSummary].(map[string]any); got["card_post_id"] != card.ID || got["parts"] != 1.0 {
		t.Errorf("summary props %v", replies[0].Props)
	}
	if n := len(w.summaryReplies(w.Private, other)); n != 0 {
		t.Errorf("another meeting's thread got %d replies", n)
	}
	// Nothing of a summary is logged.
	for _, s := range []string{"ship on Friday", "Two bugs", "translates the release notes"} {
		if strings.Contains(w.logs.String(), s) {
			t.Errorf("the log holds summary text %q", s)
		}
	}

	// The host edits the summary in Zoom: the reply is edited, not repeated.
	edited := planSummary
	edited.Details = []zoomsim.SummaryDetail{{Label: "Schedule", Summary: "We ship on Monday instead."}}
	edited.NextSteps = []string{"Everyone rests"}
	w.clock.Advance(time.Hour)
	if err := w.Zoom.SummaryUpdated(ctx, id, edited); err != nil {
		t.Fatal(err)
	}
	w.settle()
	replies = w.summaryReplies(w.Town, card)
	if len(replies) != 1 || !strings.Contains(replies[0].Message, "We ship on Monday instead.") ||
		!strings.Contains(replies[0].Message, "- [ ] Everyone rests") || strings.Contains(replies[0].Message, "Two bugs") {
		t.Fatalf("after the update: %+v", replies)
	}
	if replies[0].EditAt == 0 {
		t.Error("the update was not an edit of the reply")
	}
	// Trashed in Zoom: the reply goes; recovered: it comes back; deleted: it goes for good.
	w.clock.Advance(time.Minute)
	if err := w.Zoom.SummaryTrashed(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.settle()
	if n := len(w.summaryReplies(w.Town, card)); n != 0 {
		t.Fatalf("%d summary replies after Zoom trashed the summary", n)
	}
	w.clock.Advance(time.Minute)
	if err := w.Zoom.SummaryRecovered(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.settle()
	if r := w.summaryReplies(w.Town, card); len(r) != 1 || !strings.Contains(r[0].Message, "We ship on Monday instead.") {
		t.Fatalf("after recovery: %+v", r)
	}
	w.clock.Advance(time.Minute)
	if err := w.Zoom.SummaryDeleted(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.settle()
	if n := len(w.summaryReplies(w.Town, card)); n != 0 {
		t.Errorf("%d summary replies after Zoom deleted the summary", n)
	}
	if dead, _ := w.app.store.DeadLetters(ctx, 10); len(dead) != 0 {
		t.Errorf("dead letters: %+v", dead)
	}
}

func TestPartialSummaryIsFetchedFromZoom(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.endedCard(w.Alice, w.Town, "Partial")
	if err := w.Zoom.SummaryCompleted(context.Background(), id, planSummary, zoomsim.SummaryOptions{Partial: true}); err != nil {
		t.Fatal(err)
	}
	w.settle()
	replies := w.summaryReplies(w.Town, card)
	if len(replies) != 1 || !strings.Contains(replies[0].Message, "##### Schedule") || !strings.Contains(replies[0].Message, "- [ ] Alice fixes") {
		t.Fatalf("replies %+v", replies)
	}
	if n := w.Zoom.Stats().APICallsByRoute["GET /meetings/{meetingId}/meeting_summary"]; n != 1 {
		t.Errorf("the summary endpoint was called %d times, want 1", n)
	}
}

func TestSummaryForAMeetingNeverCardedChangesNothing(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	before := w.Zoom.Stats().APICalls
	body, _ := json.Marshal(map[string]any{"event": "meeting.summary_completed", "event_ts": w.clock.Now().UnixMilli(),
		"payload": map[string]any{"account_id": "simAccount", "object": map[string]any{"meeting_id": 99999999999, "meeting_uuid": "unknown==",
			"meeting_topic": "Not ours", "summary_title": "Secret plans", "summary_details": []map[string]string{{"label": "x", "summary": "y"}},
			"next_steps": []string{"z"}}}})
	if st := w.postWebhook(body, w.clock.Now(), "demoWebhookSecret"); st != http.StatusOK {
		t.Fatalf("webhook answered %d", st)
	}
	w.settle()
	for _, ch := range []mmsim.Channel{w.Town, w.Private, w.DM, w.GM} {
		if n := len(w.Mattermost.Posts(ch.ID)); n != 0 {
			t.Errorf("%s got %d posts", ch.Name, n)
		}
	}
	if w.Zoom.Stats().APICalls != before {
		t.Error("Zoom was asked about a meeting mmzoom never carded")
	}
}

func TestSummaryWaitsForMattermost(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.endedCard(w.Alice, w.Town, "Outage")
	w.Mattermost.SetDown(true)
	if err := w.Zoom.SummaryCompleted(context.Background(), id, planSummary, zoomsim.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	w.settle()
	for range 3 {
		w.clock.Advance(time.Minute)
		w.settle()
	}
	w.Mattermost.SetDown(false)
	if n := len(w.summaryReplies(w.Town, card)); n != 0 {
		t.Fatalf("%d replies while Mattermost was down", n)
	}
	w.clock.Advance(10 * time.Minute)
	w.settle()
	w.clock.Advance(10 * time.Minute)
	w.settle()
	if n := len(w.summaryReplies(w.Town, card)); n != 1 {
		t.Errorf("%d summary replies after Mattermost came back, want 1", n)
	}
}

func TestSummaryForADeletedCardBecomesADeadLetter(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.endedCard(w.Alice, w.Town, "Gone")
	w.Mattermost.DeletePost(card.ID)
	if err := w.Zoom.SummaryCompleted(context.Background(), id, planSummary, zoomsim.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	w.settle()
	dead, err := w.app.store.DeadLetters(context.Background(), 10)
	if err != nil || len(dead) != 1 || !strings.HasPrefix(dead[0].Key, meeting.EventSummaryCompleted) {
		t.Fatalf("dead letters %+v %v", dead, err)
	}
	if strings.Contains(dead[0].LastError, "Friday") {
		t.Error("the dead letter's error holds summary text")
	}
}

func TestJapaneseSummaryPassesThroughIntact(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.endedCard(w.Kenji, w.Town, "定例会議")
	sum := zoomsim.Summary{
		Title:     "定例会議のまとめ",
		Overview:  "金曜日にリリースすることで合意しました。絵文字も🎉そのまま。",
		Details:   []zoomsim.SummaryDetail{{Label: "スケジュール", Summary: "健二さんが木曜日までに翻訳を終える。\n次回は月曜日。"}},
		NextSteps: []string{"リリースノートを翻訳する（健二）"},
	}
	if err := w.Zoom.SummaryCompleted(context.Background(), id, sum, zoomsim.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	w.settle()
	replies := w.summaryReplies(w.Town, card)
	if len(replies) != 1 {
		t.Fatalf("replies %+v", w.threadReplies(w.Town, card))
	}
	msg := replies[0].Message
	for _, want := range []string{"#### ミーティングの要約: 定例会議のまとめ", "**概要**", sum.Overview, "##### スケジュール",
		"健二さんが木曜日までに翻訳を終える。\n次回は月曜日。", "**次のステップ**", "- [ ] リリースノートを翻訳する（健二）", "Zoom で要約の全文を開く"} {
		if !strings.Contains(msg, want) {
			t.Errorf("lacks %q:\n%s", want, msg)
		}
	}
}

func TestLongSummaryIsSplitWithinTheMessageLimit(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.endedCard(w.Alice, w.Town, "Marathon")
	sum := zoomsim.Summary{Title: "Marathon", Overview: "A long day."}
	for i := range 40 {
		sum.Details = append(sum.Details, zoomsim.SummaryDetail{Label: fmt.Sprintf("Topic %d", i+1), Summary: strings.Repeat("議論した内容。", 150)})
	}
	sum.NextSteps = []string{"Rest"}
	if err := w.Zoom.SummaryCompleted(context.Background(), id, sum, zoomsim.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	w.settle()
	replies := w.summaryReplies(w.Town, card)
	if len(replies) < 3 {
		t.Fatalf("%d parts for a summary of about 42,000 characters", len(replies))
	}
	var all strings.Builder
	for i, r := range replies {
		if n := utf8.RuneCountInString(r.Message); n > mmsim.MaxPostRunes {
			t.Errorf("part %d has %d characters", i+1, n)
		}
		if i > 0 && !strings.Contains(r.Message, fmt.Sprintf("part %d of %d", i+1, len(replies))) {
			t.Errorf("part %d does not say it continues: %.80q", i+1, r.Message)
		}
		all.WriteString(r.Message)
	}
	for _, want := range []string{"##### Topic 1\n", "##### Topic 40\n", "- [ ] Rest"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the parts lack %q", want)
		}
	}
}

func TestTranscriptIsUploadedWithTheDownloadToken(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.endedCard(w.Alice, w.Town, "Standup")
	if err := w.Zoom.TranscriptCompleted(context.Background(), id, zoomsim.DemoTranscript); err != nil {
		t.Fatal(err)
	}
	w.settle()
	w.Zoom.Redeliver(context.Background())
	w.settle()
	replies := w.threadReplies(w.Town, card)
	if len(replies) != 1 || len(replies[0].FileIDs) != 1 {
		t.Fatalf("replies %+v", replies)
	}
	f, ok := w.Mattermost.File(replies[0].FileIDs[0])
	if !ok || string(f.Content) != zoomsim.DemoTranscript || !strings.HasSuffix(f.Name, ".vtt") {
		t.Errorf("uploaded file %+v", f)
	}
	msg := replies[0].Message
	if !strings.Contains(msg, "The transcript of **Standup** is ready:") || !strings.Contains(msg, "> Alice: Good morning, everyone.") ||
		!strings.Contains(msg, "> 健二: おはようございます。") || strings.Contains(msg, "-->") || strings.Contains(msg, "WEBVTT") {
		t.Errorf("excerpt:\n%s", msg)
	}
	downloads := w.Zoom.Downloads()
	if len(downloads) != 1 || !downloads[0].Bearer || downloads[0].Status != http.StatusOK {
		t.Errorf("downloads %+v: one, with the token as a Bearer header", downloads)
	}
	if strings.Contains(w.logs.String(), "Good morning") {
		t.Error("the log holds transcript text")
	}
}

func TestTranscriptOverTheLimitIsRefusedCleanly(t *testing.T) {
	w := newWorld(t, meeting.KindS2S, func(s *demoSetup) {
		s.configure = func(c *config) { c.MaxDownloadBytes = 64 }
	})
	card, id := w.endedCard(w.Alice, w.Town, "Huge")
	if err := w.Zoom.TranscriptCompleted(context.Background(), id, zoomsim.DemoTranscript); err != nil {
		t.Fatal(err)
	}
	w.settle()
	replies := w.threadReplies(w.Town, card)
	if len(replies) != 1 || len(replies[0].FileIDs) != 0 || !strings.Contains(replies[0].Message, "larger than 0 MB") &&
		!strings.Contains(replies[0].Message, "is larger than") {
		t.Fatalf("replies %+v", replies)
	}
	if !strings.Contains(replies[0].Message, w.ZoomURL+"/rec/share/") {
		t.Errorf("no link to the recording: %s", replies[0].Message)
	}
	if dead, _ := w.app.store.DeadLetters(context.Background(), 10); len(dead) != 0 {
		t.Errorf("dead letters %+v", dead)
	}
	w.clock.Advance(time.Hour)
	if n, _ := w.app.queue.RunOnce(context.Background()); n != 0 {
		t.Errorf("%d jobs still running: the refusal must be final", n)
	}
}

func TestTranscriptWhereTheBotMayNotUploadIsLinked(t *testing.T) {
	w := newWorld(t, meeting.KindS2S) // system_post_all: it posts in the private channel without being in it
	card, id := w.endedCard(w.Alice, w.Private, "Private")
	if err := w.Zoom.TranscriptCompleted(context.Background(), id, zoomsim.DemoTranscript); err != nil {
		t.Fatal(err)
	}
	w.settle()
	var reply *mmsim.Post
	for _, p := range w.threadReplies(w.Private, card) {
		if strings.Contains(p.Message, "transcript") {
			reply = &p
		}
	}
	if reply == nil || len(reply.FileIDs) != 0 || !strings.Contains(reply.Message, "may not upload") ||
		!strings.Contains(reply.Message, w.ZoomURL+"/rec/share/") {
		t.Fatalf("reply %+v", reply)
	}
}

func TestMeetingChatIsOffByDefaultAndPostedWhenOn(t *testing.T) {
	const chat = "09:00:01\t From  Alice to Everyone: the secret is 42\n09:00:05\t From  健二 to Everyone: 了解です\n"
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprint("chat ", on), func(t *testing.T) {
			w := newWorld(t, meeting.KindS2S, func(s *demoSetup) {
				if on {
					s.configure = func(c *config) { c.PostChat = true }
				}
			})
			card, id := w.endedCard(w.Alice, w.Town, "Chatty")
			w.Zoom.SetMeetingChat(id, chat)
			if err := w.Zoom.RecordingCompleted(context.Background(), id); err != nil {
				t.Fatal(err)
			}
			w.settle()
			var files []string
			for _, p := range w.threadReplies(w.Town, card) {
				files = append(files, p.FileIDs...)
			}
			if !on {
				if len(files) != 0 || len(w.Zoom.Downloads()) != 0 || strings.Contains(postedText(w.Mattermost.Posts(w.Town.ID)), "secret is 42") {
					t.Errorf("chat posted although off: files %v downloads %+v", files, w.Zoom.Downloads())
				}
				return
			}
			if len(files) != 1 {
				t.Fatalf("files %v", files)
			}
			if f, _ := w.Mattermost.File(files[0]); string(f.Content) != chat {
				t.Errorf("chat file %q", f.Content)
			}
			if d := w.Zoom.Downloads(); len(d) != 1 || !d[0].Bearer {
				t.Errorf("downloads %+v", d)
			}
			// The recording is still announced.
			if !strings.Contains(postedText(w.threadReplies(w.Town, card)), w.ZoomURL+"/rec/share/") {
				t.Error("the recording was not announced")
			}
		})
	}
}

func TestSummariesAndTranscriptsCanBeTurnedOff(t *testing.T) {
	w := newWorld(t, meeting.KindS2S, func(s *demoSetup) {
		s.configure = func(c *config) { c.PostSummaries, c.PostTranscripts = false, false }
	})
	card, id := w.endedCard(w.Alice, w.Town, "Quiet")
	ctx := context.Background()
	if err := w.Zoom.SummaryCompleted(ctx, id, planSummary, zoomsim.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := w.Zoom.TranscriptCompleted(ctx, id, zoomsim.DemoTranscript); err != nil {
		t.Fatal(err)
	}
	w.settle()
	if r := w.threadReplies(w.Town, card); len(r) != 0 || len(w.Zoom.Downloads()) != 0 {
		t.Errorf("replies %+v downloads %+v", r, w.Zoom.Downloads())
	}
}

func TestSummaryWhereTheBotMayNotEditOrDelete(t *testing.T) {
	w := newWorld(t, meeting.KindS2S) // system_post_all: the bot posts in the private channel without being in it
	card, id := w.endedCard(w.Alice, w.Private, "Private")
	ctx := context.Background()
	if err := w.Zoom.SummaryCompleted(ctx, id, planSummary, zoomsim.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	w.settle()
	if n := len(w.summaryReplies(w.Private, card)); n != 1 {
		t.Fatalf("%d summary replies", n)
	}
	// An edit cannot be made in place: the updated summary follows as a new reply.
	edited := planSummary
	edited.Details = []zoomsim.SummaryDetail{{Label: "Schedule", Summary: "We ship on Monday instead."}}
	w.clock.Advance(time.Minute)
	if err := w.Zoom.SummaryUpdated(ctx, id, edited); err != nil {
		t.Fatal(err)
	}
	w.settle()
	replies := w.summaryReplies(w.Private, card)
	if len(replies) != 2 || !strings.Contains(replies[1].Message, "We ship on Monday instead.") {
		t.Fatalf("after the update: %+v", replies)
	}
	// Nor can it be deleted: the thread is told it was removed in Zoom.
	w.clock.Advance(time.Minute)
	if err := w.Zoom.SummaryDeleted(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.settle()
	if !strings.Contains(postedText(w.threadReplies(w.Private, card)), "The meeting summary was removed in Zoom.") {
		t.Errorf("the thread was not told: %s", postedText(w.threadReplies(w.Private, card)))
	}
	if dead, _ := w.app.store.DeadLetters(ctx, 10); len(dead) != 0 {
		t.Errorf("dead letters %+v", dead)
	}
}
