package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/mmzoom/mmzoom/meeting"
)

// roundTrip answers with the status the test sets for each request.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(code int) roundTrip {
	return func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: code, Body: io.NopCloser(strings.NewReader("{}")), Request: r, Header: http.Header{}}, nil
	}
}

// Token refreshes and their failures are counted by grant and result, and every call by its endpoint
// template, never its URL.
func TestTransportCountsTokenRequestsAndErrors(t *testing.T) {
	cases := []struct {
		name, grant string
		code        int
		result      string
		class       string
	}{
		{"refresh accepted", "refresh_token", 200, "ok", ""},
		{"refresh refused (grant spent)", "refresh_token", 400, "refused", "4xx"},
		{"token endpoint down", "account_credentials", 503, "error", "5xx"},
		{"rate limited", "refresh_token", 429, "error", "429"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := New(nil, nil, nil)
			client := &http.Client{Transport: m.Transport("zoom", func(method, path string) string { return method + " " + path }, answer(c.code))}
			form := url.Values{"grant_type": {c.grant}, "refresh_token": {"SECRET-REFRESH"}}
			resp, err := client.Post("https://zoom.example/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := testutil.ToFloat64(m.tokens.WithLabelValues(c.grant, c.result)); got != 1 {
				t.Errorf("token requests {%s %s} = %v, want 1", c.grant, c.result, got)
			}
			if c.class != "" {
				if got := testutil.ToFloat64(m.upstreamErrors.WithLabelValues("zoom", "POST /oauth/token", c.class)); got != 1 {
					t.Errorf("errors {%s} = %v, want 1", c.class, got)
				}
			}
			page := scrape(t, m)
			if strings.Contains(page, "SECRET-REFRESH") {
				t.Error("the refresh token appears in /metrics")
			}
		})
	}
}

// Requests are counted by the route pattern that served them; a path no route matches is "unmatched",
// whatever it was.
func TestMiddlewareCountsByRoutePattern(t *testing.T) {
	m := New(nil, nil, nil)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := m.Middleware(mux)
	for _, path := range []string{"/items/1", "/items/2", "/secret-token-in-path"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("GET /items/{id}", "418")); got != 2 {
		t.Errorf("GET /items/{id} 418 = %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("unmatched", "404")); got != 1 {
		t.Errorf("unmatched 404 = %v, want 1", got)
	}
	if page := scrape(t, m); strings.Contains(page, "secret-token-in-path") || strings.Contains(page, "/items/1") {
		t.Error("a request path appears in /metrics")
	}
}

// Failures carry their kind's level and retryability from the one table.
func TestFailuresUseTheHandlingTable(t *testing.T) {
	m := New(nil, nil, nil)
	m.Failure("queue", meeting.KindNotFound)
	m.Failure("command", meeting.KindChatUnavailable)
	if got := testutil.ToFloat64(m.failures.WithLabelValues("queue", "not_found", "WARN", "false")); got != 1 {
		t.Errorf("queue not_found = %v", got)
	}
	if got := testutil.ToFloat64(m.failures.WithLabelValues("command", "chat_unavailable", "WARN", "true")); got != 1 {
		t.Errorf("command chat_unavailable = %v", got)
	}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

// The start gauges show what the service reports at the moment of the scrape.
func TestStartGaugesReadTheServiceAtEachScrape(t *testing.T) {
	m := New(nil, nil, nil)
	running, waiting := 3, 7
	m.WatchStarts(func() (int, int) { return running, waiting })
	want := func(r, w int) string {
		return "# HELP mmzoom_starts_running Meeting starts in progress (each holds calls to Zoom and Mattermost).\n" +
			"# TYPE mmzoom_starts_running gauge\nmmzoom_starts_running " + strconv.Itoa(r) + "\n" +
			"# HELP mmzoom_starts_waiting Meeting starts waiting for one of the slots that bound the starts in progress.\n" +
			"# TYPE mmzoom_starts_waiting gauge\nmmzoom_starts_waiting " + strconv.Itoa(w) + "\n"
	}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want(3, 7)), "mmzoom_starts_running", "mmzoom_starts_waiting"); err != nil {
		t.Error(err)
	}
	running, waiting = 256, 0
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want(256, 0)), "mmzoom_starts_running", "mmzoom_starts_waiting"); err != nil {
		t.Error(err)
	}
}
