// Package simnet holds what the Zoom and Mattermost simulators share about the network they pretend to be
// behind. Production code never imports it.
package simnet

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Latency is a simulated network and server round-trip time, for load tests that must see the time a real
// service takes: each call waits that long before it is handled. The zero value adds nothing.
type Latency struct{ d atomic.Int64 }

// Set makes every wrapped call take at least d; 0 turns it off.
func (l *Latency) Set(d time.Duration) { l.d.Store(int64(d)) }

// Wrap delays h's requests by the current latency; a request whose client gives up stops waiting.
func (l *Latency) Wrap(h http.Handler) http.Handler {
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
