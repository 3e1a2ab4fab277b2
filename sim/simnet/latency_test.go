package simnet

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// The simulated round trip is what the client sees: the simulator's own work happens inside it, not on top
// of it, and the answer is the handler's, unchanged.
func TestLatencyHoldsTheAnswerForOneRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rtt, work time.Duration
		giveUp    int // the client gives up during this wait (1 or 2; 0: never)
		waits     []time.Duration
		handled   bool
		answered  bool
	}{
		{name: "off", rtt: 0, work: 5 * time.Millisecond, handled: true, answered: true},
		{name: "instant work", rtt: 150 * time.Millisecond, waits: []time.Duration{75 * time.Millisecond, 75 * time.Millisecond}, handled: true, answered: true},
		{name: "work inside the round trip", rtt: 150 * time.Millisecond, work: 30 * time.Millisecond,
			waits: []time.Duration{75 * time.Millisecond, 45 * time.Millisecond}, handled: true, answered: true},
		{name: "work longer than the round trip", rtt: 20 * time.Millisecond, work: 40 * time.Millisecond,
			waits: []time.Duration{10 * time.Millisecond}, handled: true, answered: true},
		{name: "client gone before the request arrived", rtt: 150 * time.Millisecond, giveUp: 1,
			waits: []time.Duration{75 * time.Millisecond}},
		{name: "client gone while the answer travels", rtt: 150 * time.Millisecond, giveUp: 2,
			waits: []time.Duration{75 * time.Millisecond, 75 * time.Millisecond}, handled: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
			var waits []time.Duration
			l := &Latency{
				Now: func() time.Time { return clock },
				Sleep: func(_ context.Context, d time.Duration) bool {
					waits = append(waits, d)
					clock = clock.Add(d)
					return len(waits) != tc.giveUp
				},
			}
			l.Set(tc.rtt)
			handled := false
			h := l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				handled = true
				clock = clock.Add(tc.work)
				w.Header().Set("X-Request-Id", "r1")
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, `{"id":"p1"}`)
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v4/posts", nil))
			if !slices.Equal(waits, tc.waits) {
				t.Errorf("waited %v, want %v", waits, tc.waits)
			}
			if handled != tc.handled {
				t.Errorf("handled %v, want %v", handled, tc.handled)
			}
			answered := rec.Body.Len() > 0
			if answered != tc.answered {
				t.Fatalf("answered %v (%d %q), want %v", answered, rec.Code, rec.Body, tc.answered)
			}
			if answered && (rec.Code != http.StatusCreated || rec.Body.String() != `{"id":"p1"}` || rec.Header().Get("X-Request-Id") != "r1") {
				t.Errorf("answer %d %q %v, want the handler's 201", rec.Code, rec.Body, rec.Header())
			}
		})
	}
}

// A handler that writes a body without a status answers 200, as net/http does.
func TestLatencyKeepsTheImplicitStatus(t *testing.T) {
	l := &Latency{Sleep: func(context.Context, time.Duration) bool { return true }}
	l.Set(time.Millisecond)
	rec := httptest.NewRecorder()
	l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "ok" {
		t.Errorf("got %d %q, want 200 ok", rec.Code, rec.Body)
	}
}
