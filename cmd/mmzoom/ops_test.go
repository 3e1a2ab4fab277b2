package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/postgres/pgtest"
)

// onEachStore runs test on a world on SQLite and on one on PostgreSQL (skipped, with the reason, where no
// test PostgreSQL runs): /readyz and /metrics read the queue from either store.
func onEachStore(t *testing.T, test func(t *testing.T, db func(*demoSetup))) {
	t.Run("sqlite", func(t *testing.T) { test(t, func(*demoSetup) {}) })
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		test(t, func(s *demoSetup) { s.database = dsn })
	})
}

// scrape returns mmzoom's /metrics page.
func (w *world) scrape() string {
	w.t.Helper()
	resp, err := http.Get(w.MMZoomURL + "/metrics")
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		w.t.Fatalf("/metrics answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

// metricValue finds one series (name and labels exactly as exposed, labels in alphabetical order).
func metricValue(page, series string) (string, bool) {
	for _, line := range strings.Split(page, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v, true
		}
	}
	return "", false
}

// An operator sees each request by route and status, the upstream calls by endpoint template, refused
// webhooks by reason and the queue; never a token, secret, id or e-mail.
func TestMetricsShowRequestsRefusalsAndNoSecrets(t *testing.T) {
	onEachStore(t, testMetricsShowRequestsRefusalsAndNoSecrets)
}

func testMetricsShowRequestsRefusalsAndNoSecrets(t *testing.T, db func(*demoSetup)) {
	w := newWorld(t, meeting.KindS2S, db)
	_, id := w.startedCard(w.Town)
	m, _ := w.Zoom.Meeting(id)
	body := []byte(`{"event":"meeting.ended","event_ts":1,"payload":{"account_id":"a","object":{"id":"1","uuid":"x"}}}`)
	if got := w.postWebhook(body, w.clock.Now(), "not-the-secret"); got != http.StatusUnauthorized {
		t.Fatalf("forged webhook: %d", got)
	}
	page := w.scrape()
	for _, want := range []struct{ series, value string }{
		{`mmzoom_http_requests_total{code="200",route="POST /mattermost/command"}`, "1"},
		{`mmzoom_http_requests_total{code="200",route="POST /zoom/webhook"}`, "2"}, // meeting.started, the host joined
		{`mmzoom_http_requests_total{code="401",route="POST /zoom/webhook"}`, "1"},
		{`mmzoom_webhook_refused_total{reason="bad_signature"}`, "1"},
		{`mmzoom_upstream_request_duration_seconds_count{endpoint="POST /v2/users/{id}/meetings",upstream="zoom"}`, "1"},
		{`mmzoom_upstream_request_duration_seconds_count{endpoint="POST /api/v4/posts",upstream="mattermost"}`, "1"},
		{`mmzoom_zoom_token_requests_total{grant="account_credentials",result="ok"}`, "1"},
		{`mmzoom_queue_depth`, "0"},
		{`mmzoom_queue_dead_letters`, "0"},
		{`mmzoom_queue_stats_up`, "1"},
		{`mmzoom_failures_total{kind="not_found",level="WARN",retryable="false",where="queue"}`, "0"},
	} {
		if got, ok := metricValue(page, want.series); !ok || got != want.value {
			t.Errorf("%s = %q (present %v), want %s", want.series, got, ok, want.value)
		}
	}
	if !regexp.MustCompile(`mmzoom_upstream_request_duration_seconds_count\{endpoint="PUT /api/v4/posts/\{id\}/patch",upstream="mattermost"\} [1-9]`).MatchString(page) {
		t.Error("the card's update is not counted under its endpoint template")
	}
	secrets := append(w.wire.Secrets(), w.Config.BotToken, w.Config.WebhookSecret, w.Config.ClientSecret, w.Config.CommandTokens[0],
		w.Alice.ID, w.Alice.Email, w.Town.ID, m.UUID, "81") // 81…: Zoom meeting ids
	for _, s := range secrets {
		if s == "81" {
			if regexp.MustCompile(`\{[^}]*81\d{6,}`).MatchString(page) {
				t.Error("a meeting id appears in a label")
			}
			continue
		}
		if s != "" && strings.Contains(page, s) {
			t.Errorf("/metrics shows %q", s)
		}
	}
}

// /readyz says what a load balancer and an operator need: the database answers, and the queue's state; it
// fails when the database does not answer.
func TestReadyzReportsTheQueueAndFailsWithoutTheDatabase(t *testing.T) {
	onEachStore(t, testReadyzReportsTheQueueAndFailsWithoutTheDatabase)
}

func testReadyzReportsTheQueueAndFailsWithoutTheDatabase(t *testing.T, db func(*demoSetup)) {
	w := newWorld(t, meeting.KindS2S, db)
	w.startedCard(w.Town)
	get := func() (int, map[string]any) {
		resp, err := http.Get(w.MMZoomURL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("/readyz is not JSON: %v", err)
		}
		return resp.StatusCode, out
	}
	code, out := get()
	q, _ := out["queue"].(map[string]any)
	if code != http.StatusOK || out["status"] != "ok" || out["database"] != "ok" || q == nil || q["depth"] != float64(0) || q["dead_letters"] != float64(0) {
		t.Fatalf("/readyz with a healthy database: %d %v", code, out)
	}
	if _, ok := q["oldest_due_age_seconds"]; !ok {
		t.Errorf("/readyz does not say how old the oldest due job is: %v", q)
	}
	_ = w.app.store.Close() // the database is gone
	code, out = get()
	if code != http.StatusServiceUnavailable || out["status"] != "unavailable" || out["database"] != "unreachable" {
		t.Errorf("/readyz without a database: %d %v, want 503 unavailable", code, out)
	}
	if page := w.scrape(); !strings.Contains(page, "mmzoom_queue_stats_up 0") {
		t.Error("/metrics does not say the queue could not be read")
	}
}
