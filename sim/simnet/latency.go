// Package simnet holds what the Zoom and Mattermost simulators share about the network they pretend to be
// behind. Production code never imports it.
package simnet

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"
)

// Latency is a simulated round-trip time, for load tests that must see the time a real, remote service takes.
// A call is answered one round trip after it arrived: the request reaches the simulated service after half of
// it, and the answer is held back until the whole of it has passed. The simulator's own work happens inside
// that time, as a remote service's does: it runs on the load test's CPUs, but a real Zoom or Mattermost does
// not, so it must not lengthen the round trip the client sees (a call whose work takes longer than the round
// trip is answered when the work is done). The zero value adds nothing and runs on real time.
type Latency struct {
	d atomic.Int64

	// Now and Sleep are the clock; nil means real time. Sleep waits d and reports false when ctx ended first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) bool
}

// Set makes every wrapped call take at least d; 0 turns it off.
func (l *Latency) Set(d time.Duration) { l.d.Store(int64(d)) }

// Wrap delays h's requests by the current latency. A request whose client gives up during the first half is
// not handled; one whose client gives up later was handled (as on a real server) and its answer is dropped.
func (l *Latency) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := time.Duration(l.d.Load())
		if d <= 0 {
			h.ServeHTTP(w, r)
			return
		}
		arrived := l.now()
		if !l.sleep(r.Context(), d/2) {
			return
		}
		held := httptest.NewRecorder() // the answer, kept until the round trip is over
		h.ServeHTTP(held, r)
		if rest := d - l.now().Sub(arrived); rest > 0 && !l.sleep(r.Context(), rest) {
			return
		}
		for k, v := range held.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(held.Code)
		_, _ = w.Write(held.Body.Bytes())
	})
}

func (l *Latency) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Latency) sleep(ctx context.Context, d time.Duration) bool {
	if l.Sleep != nil {
		return l.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
