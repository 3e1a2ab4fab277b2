package mmsim

import (
	"net/http"
	"sync/atomic"
	"time"
)

// latency is a simulated network and server round-trip time, for load tests that must see the time a real
// service takes: each call waits that long before it is handled. Zero (the default) adds nothing.
type latency struct{ d atomic.Int64 }

// wrap delays h's requests by the current latency; a request whose client gives up stops waiting.
func (l *latency) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Duration(l.d.Load()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// SetLatency makes every call to Mattermost's REST API v4 and response URLs take at least d (a simulated round-trip
// time; 0 turns it off). Pages and the simulator's own controls are not delayed.
func (s *Server) SetLatency(d time.Duration) { s.latency.d.Store(int64(d)) }
