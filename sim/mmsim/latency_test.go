package mmsim

import (
	"net/http"
	"testing"
	"time"
)

// With a simulated round-trip time, every REST call takes at least that long and still answers as
// Mattermost does.
func TestLatencyDelaysRESTCalls(t *testing.T) {
	w := newWorld(t)
	w.sim.SetLatency(80 * time.Millisecond)
	start := time.Now()
	req, _ := http.NewRequest(http.MethodGet, w.srv.URL+"/api/v4/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+w.botToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(start); took < 80*time.Millisecond || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /users/me: %d after %v, want 200 after at least 80 ms", resp.StatusCode, took)
	}
	w.sim.SetLatency(0)
}
