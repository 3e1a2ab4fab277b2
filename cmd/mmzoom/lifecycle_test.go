package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/zoom"
)

// startedCard starts a meeting in ch as alice and has the host start it at Zoom.
func (w *world) startedCard(ch mmsim.Channel) (mmsim.Post, int64) {
	w.t.Helper()
	w.run(w.Alice, ch, "/zoom start Lifecycle")
	cards := w.cards(ch)
	if len(cards) == 0 {
		w.t.Fatalf("no card in %s", ch.Name)
	}
	card := cards[len(cards)-1]
	id := w.meetingOf(card).ID
	if err := w.Zoom.StartMeeting(context.Background(), id); err != nil {
		w.t.Fatal(err)
	}
	w.settle()
	return card, id
}

func (w *world) status(card mmsim.Post) any {
	p, _ := w.Mattermost.Post(card.ID)
	return p.Props[meeting.PropStatus]
}

// threadReplies lists the bot's replies under a card.
func (w *world) threadReplies(ch mmsim.Channel, card mmsim.Post) []mmsim.Post {
	var out []mmsim.Post
	for _, p := range w.Mattermost.Posts(ch.ID) {
		if p.RootID == card.ID && p.UserID == w.Bot.ID {
			out = append(out, p)
		}
	}
	return out
}

// postWebhook sends body to mmzoom's webhook endpoint signed with the app's secret at timestamp ts.
func (w *world) postWebhook(body []byte, ts time.Time, secret string) int {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.MMZoomURL+"/zoom/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	stamp := strconv.FormatInt(ts.Unix(), 10)
	req.Header.Set("x-zm-request-timestamp", stamp)
	req.Header.Set("x-zm-signature", zoom.Signature(secret, stamp, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRefusedWebhooksChangeNothing(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.startedCard(w.Town)
	m, _ := w.Zoom.Meeting(id)
	ended := []byte(`{"event":"meeting.ended","event_ts":1,"payload":{"account_id":"a","object":{"id":"` + strconv.FormatInt(id, 10) +
		`","uuid":"` + m.UUID + `","start_time":"2026-01-01T00:00:00Z","end_time":"2026-01-01T01:00:00Z"}}}`)
	secret := w.Config.WebhookSecret
	now := w.clock.Now()
	cases := []struct {
		name string
		send func() int
		want int
	}{
		{"signed with another secret", func() int { return w.postWebhook(ended, now, "not-the-secret") }, http.StatusUnauthorized},
		{"stale timestamp", func() int { return w.postWebhook(ended, now.Add(-6*time.Minute), secret) }, http.StatusUnauthorized},
		{"timestamp from the future", func() int { return w.postWebhook(ended, now.Add(6*time.Minute), secret) }, http.StatusUnauthorized},
		{"oversized", func() int {
			return w.postWebhook(append(append([]byte(nil), ended[:len(ended)-1]...), []byte(`,"pad":"`+strings.Repeat("x", zoom.MaxWebhookBody)+`"}`)...), now, secret)
		}, http.StatusRequestEntityTooLarge},
		{"malformed", func() int { return w.postWebhook([]byte(`{"event":`), now, secret) }, http.StatusBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.send(); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
			w.settle()
			if st := w.status(card); st != string(meeting.StatusStarted) {
				t.Errorf("a refused webhook changed the card to %v", st)
			}
		})
	}
	t.Run("replayed", func(t *testing.T) {
		req := func() int {
			r, _ := http.NewRequest(http.MethodPost, w.MMZoomURL+"/zoom/webhook", bytes.NewReader(ended))
			stamp := strconv.FormatInt(now.Unix(), 10)
			r.Header.Set("x-zm-request-timestamp", stamp)
			r.Header.Set("x-zm-signature", zoom.Signature(secret, stamp, ended))
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := req(); got != http.StatusOK {
			t.Fatalf("first delivery: %d", got)
		}
		if got := req(); got != http.StatusConflict {
			t.Errorf("the same signed request again: %d, want 409", got)
		}
	})
}

func TestRepeatedDeliveriesApplyOnce(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	// In a private channel the bot cannot edit its card: every applied change is a visible thread reply.
	card, id := w.startedCard(w.Private)
	ctx := context.Background()
	w.Zoom.Redeliver(ctx)
	w.settle()
	w.clock.Advance(20 * time.Minute)
	if err := w.Zoom.EndMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.settle()
	for range 2 {
		w.Zoom.Redeliver(ctx)
		w.settle()
	}
	replies := w.threadReplies(w.Private, card)
	if len(replies) != 2 {
		t.Fatalf("%d thread replies, want 2 (started, ended): %+v", len(replies), replies)
	}
	if !strings.Contains(replies[1].Message, "20 min") {
		t.Errorf("the ended reply does not say how long it lasted: %q", replies[1].Message)
	}
}

func TestMeetingsOnOnePersonalMeetingIDKeepTheirOwnCards(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	ctx := context.Background()
	w.run(w.Alice, w.Town, "/zoom settings")
	w.click(w.Alice, w.Mattermost.Ephemerals(w.Alice.ID), "pmipmi")

	first, pmi := w.startedCard(w.Town)
	w.clock.Advance(30 * time.Minute)
	if err := w.Zoom.EndMeeting(ctx, pmi); err != nil {
		t.Fatal(err)
	}
	w.settle()
	firstEnded, _ := w.Mattermost.Post(first.ID)

	second, pmi2 := w.startedCard(w.Town) // the first one ended: no "join it?" question
	if pmi2 != pmi {
		t.Fatalf("the second meeting is not on the same PMI: %d vs %d", pmi2, pmi)
	}
	if st := w.status(second); st != string(meeting.StatusStarted) {
		t.Errorf("second card %v, want started", st)
	}
	w.clock.Advance(5 * time.Minute)
	if err := w.Zoom.EndMeeting(ctx, pmi); err != nil {
		t.Fatal(err)
	}
	w.settle()
	after, _ := w.Mattermost.Post(first.ID)
	if after.Props[meeting.PropDuration] != firstEnded.Props[meeting.PropDuration] || after.Props[meeting.PropEndedAt] != firstEnded.Props[meeting.PropEndedAt] {
		t.Errorf("the second meeting changed the first card: %v → %v", firstEnded.Props, after.Props)
	}
	if d, _ := after.Props[meeting.PropDuration].(float64); d != 30*60 {
		t.Errorf("first card duration %v, want 1800", after.Props[meeting.PropDuration])
	}
	secondEnded, _ := w.Mattermost.Post(second.ID)
	if d, _ := secondEnded.Props[meeting.PropDuration].(float64); secondEnded.Props[meeting.PropStatus] != "ended" || d != 5*60 {
		t.Errorf("second card %v", secondEnded.Props)
	}
}

func TestParticipantsAreCountedAndEditsCoalesced(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.startedCard(w.Town)
	ctx := context.Background()
	w.Mattermost.ResetRequests()
	var ids []string
	for _, name := range []string{"Ana", "Ben", "Chie"} {
		pid, err := w.Zoom.JoinMeeting(ctx, id, name)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, pid)
		w.clock.Advance(time.Second)
	}
	if err := w.Zoom.LeaveMeeting(ctx, id, ids[1]); err != nil {
		t.Fatal(err)
	}
	w.Zoom.Redeliver(ctx) // a repeated leave changes nothing
	w.settle()
	w.clock.Advance(5 * time.Second)
	w.settle()
	got, _ := w.Mattermost.Post(card.ID)
	// The host (Zoom reports the host joining too), Ana and Chie.
	if n, _ := got.Props[meeting.PropParticipants].(float64); n != 3 {
		t.Errorf("participant count %v, want 3", got.Props[meeting.PropParticipants])
	}
	patches := 0
	for _, r := range w.Mattermost.Requests() {
		if r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/patch") {
			patches++
		}
	}
	if patches != 1 {
		t.Errorf("%d card edits for a burst of 4 participant events, want 1", patches)
	}
}

func TestRecordingIsAnnouncedInTheThread(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.startedCard(w.Town)
	ctx := context.Background()
	_ = w.Zoom.EndMeeting(ctx, id)
	w.settle()
	if err := w.Zoom.RecordingCompleted(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.settle()
	replies := w.threadReplies(w.Town, card)
	if len(replies) != 1 || !strings.Contains(replies[0].Message, w.ZoomURL+"/rec/share/") {
		t.Fatalf("recording replies %+v", replies)
	}
	if strings.Contains(strings.ToLower(replies[0].Message), "passcode") {
		t.Error("the recording passcode was posted although the admin did not allow it")
	}
	got, _ := w.Mattermost.Post(card.ID)
	if u, _ := got.Props[meeting.PropRecording].(string); !strings.HasPrefix(u, w.ZoomURL+"/rec/share/") {
		t.Errorf("card recording link %v", got.Props[meeting.PropRecording])
	}
}

func TestDeauthorizationForgetsTheUser(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	ctx := context.Background()
	w.connectUser(w.Alice, w.Alice.Email)
	w.connectUser(w.Kenji, w.Kenji.Email)
	// Kenji disconnects himself first: no notice for him when Zoom confirms the removal.
	w.run(w.Kenji, w.Town, "/zoom disconnect")
	for _, u := range []mmsim.User{w.Alice, w.Kenji} {
		zu, _ := w.Zoom.UserByEmail(u.Email)
		w.Zoom.Deauthorize(ctx, zu.ID)
	}
	w.settle()
	if dm := postedText(w.Mattermost.Posts(w.dm(w.Alice).ID)); !strings.Contains(dm, "/zoom connect") {
		t.Errorf("alice was not told: %s", dm)
	}
	for _, p := range w.Mattermost.Posts(w.dm(w.Kenji).ID) {
		if strings.Contains(p.Message, "Zoom 側で") {
			t.Errorf("kenji, who disconnected himself, was told again: %q", p.Message)
		}
	}
	res := w.run(w.Alice, w.Town, "/zoom start")
	connectLink(t, res.Response.Text)
}

func TestUpdatesWaitForMattermostAndAreNeverLost(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.startedCard(w.Town)
	ctx := context.Background()
	w.Mattermost.SetDown(true)
	w.clock.Advance(15 * time.Minute)
	if err := w.Zoom.EndMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.settle()
	for range 3 { // Mattermost stays down through several retries
		w.clock.Advance(time.Minute)
		w.settle()
	}
	if st := w.status(card); st != string(meeting.StatusStarted) {
		t.Fatalf("card %v while Mattermost was down", st)
	}
	w.Mattermost.SetDown(false)
	w.clock.Advance(10 * time.Minute)
	w.settle()
	if st := w.status(card); st != string(meeting.StatusEnded) {
		t.Errorf("card %v after Mattermost came back, want ended", st)
	}
	if dead, _ := w.app.store.DeadLetters(ctx, 10); len(dead) != 0 {
		t.Errorf("dead letters: %+v", dead)
	}
}

func TestUpdatesThatCanNeverLandBecomeDeadLetters(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	card, id := w.startedCard(w.Town)
	w.Mattermost.DeletePost(card.ID)
	ctx := context.Background()
	if err := w.Zoom.EndMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.settle()
	dead, err := w.app.store.DeadLetters(ctx, 10)
	if err != nil || len(dead) != 1 || dead[0].Kind != meeting.JobRefresh {
		t.Fatalf("dead letters %+v %v", dead, err)
	}
	w.clock.Advance(time.Hour)
	if n, _ := w.app.queue.RunOnce(ctx); n != 0 {
		t.Errorf("a dead letter was retried")
	}
	// The admin sees it.
	var out, errOut bytes.Buffer
	env := map[string]string{"MMZOOM_DATABASE": w.Config.Database, "MMZOOM_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(w.Config.EncryptionKey.Bytes())}
	if code := run(ctx, []string{"dead-letters"}, func(k string) string { return env[k] }, &out, &errOut); code != 0 {
		t.Fatalf("dead-letters exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "refresh:") || !strings.Contains(out.String(), "not_found") {
		t.Errorf("dead-letters printed:\n%s", out.String())
	}
}

func TestCardsZoomNeverFinishedAreCheckedWithZoom(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	ctx := context.Background()
	lost, id := w.startedCard(w.Town)
	w.run(w.Alice, w.Private, "/zoom start Never started")
	unstarted := w.onlyCard(w.Private)
	// Zoom stops sending events (a subscription disabled after failed revalidations); the meeting ends.
	w.Zoom.SetWebhooksDisabled(true)
	w.clock.Advance(50 * time.Minute)
	if err := w.Zoom.EndMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(3 * time.Hour)
	if n, err := w.app.svc.Reconcile(ctx); err != nil || n != 1 {
		t.Fatalf("reconcile ended %d cards (%v), want 1", n, err)
	}
	w.settle()
	got, _ := w.Mattermost.Post(lost.ID)
	if got.Props[meeting.PropStatus] != string(meeting.StatusEnded) || got.Props[meeting.PropDuration] != float64(50*60) {
		t.Errorf("card %v lasting %v, want ended after 50 minutes (Zoom's own times)", got.Props[meeting.PropStatus], got.Props[meeting.PropDuration])
	}
	// The meeting nobody started ends after a day.
	w.clock.Advance(22 * time.Hour)
	if n, _ := w.app.svc.Reconcile(ctx); n != 1 {
		t.Errorf("reconcile ended %d cards, want the unstarted one", n)
	}
	w.settle()
	if replies := w.threadReplies(w.Private, unstarted); len(replies) != 1 || !strings.Contains(replies[0].Message, "never started") {
		t.Errorf("the private channel was not told: %+v", replies)
	}
}
