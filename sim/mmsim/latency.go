package mmsim

import "time"

// SetLatency makes every call to Mattermost's REST API v4 and response URLs take at least d (a simulated round-trip
// time; 0 turns it off). Pages and the simulator's own controls are not delayed.
func (s *Server) SetLatency(d time.Duration) { s.latency.Set(d) }
