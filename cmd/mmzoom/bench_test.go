package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
)

// benchWorld starts a world for benchmarks: the real clock, and no recent-meeting question, so that every
// start in the same channel creates a meeting instead of asking about the previous one.
func benchWorld(b *testing.B) *demoWorld {
	b.Helper()
	w, err := startWorld(context.Background(), demoSetup{
		kind: meeting.KindS2S, dir: b.TempDir(), logger: slog.New(slog.DiscardHandler),
		recentWindow: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	w.Zoom.SetDailyLimit(-1) // Zoom allows 100 creates a day per host; a benchmark makes thousands
	return w
}

func (w *demoWorld) postCalls() int {
	n := 0
	for _, r := range w.Mattermost.Requests() {
		if r.Method == http.MethodPost && r.Path == "/api/v4/posts" {
			n++
		}
	}
	return n
}

// BenchmarkStart measures `/zoom start` through mmzoom's HTTP handler against the simulators on loopback:
// the slash command request in, one Zoom call and one Mattermost post out, the card stored.
func BenchmarkStart(b *testing.B) {
	w := benchWorld(b)
	form := url.Values{"token": {w.Command.Token}, "team_id": {w.Team.ID}, "team_domain": {w.Team.Name},
		"channel_id": {w.Town.ID}, "channel_name": {w.Town.Name}, "user_id": {w.Alice.ID}, "user_name": {"alice"},
		"command": {"/zoom"}, "text": {"start Benchmark"}, "response_url": {w.MMURL + "/hooks/commands/abc"}}.Encode()
	start := func() {
		req := httptest.NewRequest(http.MethodPost, "/mattermost/command", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		w.app.handler.ServeHTTP(rec, req)
		var resp struct {
			GotoLocation string `json:"goto_location"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || resp.GotoLocation == "" {
			b.Fatalf("start failed: %d %s", rec.Code, rec.Body.String())
		}
	}
	start() // warm up: the Server-to-Server token, the user and channel caches
	zoomBefore := w.Zoom.Stats().APICalls
	w.Mattermost.ResetRequests()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start()
	}
	b.StopTimer()
	b.ReportMetric(float64(w.Zoom.Stats().APICalls-zoomBefore)/float64(b.N), "zoom-calls/op")
	b.ReportMetric(float64(w.postCalls())/float64(b.N), "mm-posts/op")
	b.ReportMetric(float64(len(w.Mattermost.Requests()))/float64(b.N), "mm-calls/op")
}

// BenchmarkRoundTrips is the floor under BenchmarkStart: the two calls no start can avoid (create the Zoom
// meeting, post the card), made directly against the same simulators. The difference is mmzoom's own work.
func BenchmarkRoundTrips(b *testing.B) {
	w := benchWorld(b)
	ctx := context.Background()
	zoomToken := s2sToken(b, w)
	client := &http.Client{}
	do := func(method, u, token string, body any) {
		buf, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(buf))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("%s %s: %d", method, u, resp.StatusCode)
		}
	}
	w.Mattermost.AddMember(w.Town.ID, w.Bot.ID)
	botToken := w.Config.BotToken
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		do(http.MethodPost, w.ZoomURL+"/v2/users/"+url.PathEscape(w.Alice.Email)+"/meetings", zoomToken, map[string]any{"topic": "Benchmark", "type": 1})
		do(http.MethodPost, w.MMURL+"/api/v4/posts?set_online=false", botToken, map[string]any{"channel_id": w.Town.ID, "message": "Benchmark", "type": meeting.PostType})
	}
}

// s2sToken fetches a Server-to-Server token from the Zoom simulator the way Zoom documents it.
func s2sToken(b *testing.B, w *demoWorld) string {
	b.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.ZoomURL+"/oauth/token?grant_type=account_credentials&account_id="+w.Config.AccountID, nil)
	req.SetBasicAuth(w.Config.ClientID, w.Config.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		b.Fatalf("no token: %v", err)
	}
	return tok.AccessToken
}
