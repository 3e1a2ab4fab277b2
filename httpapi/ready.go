package httpapi

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds /readyz's questions to the database: a load balancer asks often and must get an
// answer even when the database hangs.
const readyTimeout = 2 * time.Second

// readiness is /readyz's answer.
type readiness struct {
	Status   string      `json:"status"` // "ok" or "unavailable"
	Database string      `json:"database"`
	Queue    *queueReady `json:"queue,omitempty"`
}

type queueReady struct {
	Depth            int     `json:"depth"`
	Due              int     `json:"due"`
	OldestDueSeconds float64 `json:"oldest_due_age_seconds"`
	DeadLetters      int     `json:"dead_letters"`
}

// ready serves GET /readyz: 200 when the database answers, 503 when it does not, with the queue's state in
// both cases when it can be read. A backlog does not make a replica unready (taking it out of the load
// balancer would not drain the queue faster): alert on the queue metrics instead. The database's own error
// goes to the log, not to the answer, which anyone who can reach mmzoom may read.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	out := readiness{Status: "ok", Database: "ok"}
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness: database unreachable", "err", err)
		out.Status, out.Database = "unavailable", "unreachable"
		writeJSON(w, http.StatusServiceUnavailable, out)
		return
	}
	if s.queue != nil {
		now := s.now()
		st, err := s.queue.QueueStats(ctx, now)
		if err != nil {
			s.log.WarnContext(ctx, "readiness: reading the queue failed", "err", err)
			out.Status, out.Database = "unavailable", "unreachable"
			writeJSON(w, http.StatusServiceUnavailable, out)
			return
		}
		out.Queue = &queueReady{Depth: st.Depth, Due: st.Due, OldestDueSeconds: st.OldestDueAge(now).Seconds(), DeadLetters: st.DeadLetters}
	}
	writeJSON(w, http.StatusOK, out)
}
