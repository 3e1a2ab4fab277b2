package zoomsim

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// With a simulated round-trip time, every API and token call takes at least that long and still answers as
// Zoom does; the home page is not delayed.
func TestLatencyDelaysAPICalls(t *testing.T) {
	e := newEnv(t, "")
	e.sim.SetLatency(80 * time.Millisecond)
	start := time.Now()
	code, body := e.tokenReq(t, url.Values{"grant_type": {"account_credentials"}, "account_id": {"acct"}}, true)
	if took := time.Since(start); took < 80*time.Millisecond {
		t.Errorf("token call took %v with an 80 ms round-trip time", took)
	}
	if code != http.StatusOK || body["access_token"] == nil {
		t.Fatalf("token call answered %d %v", code, body)
	}
	start = time.Now()
	resp, err := http.Get(e.srv.URL + "/v2/users/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(start); took < 80*time.Millisecond || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unauthenticated API call: %d after %v, want 401 after at least 80 ms", resp.StatusCode, took)
	}
}
