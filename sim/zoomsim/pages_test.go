package zoomsim

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The home page's after-meeting buttons need an ended meeting, as Zoom does; clicked too early, the page
// says so instead of silently doing nothing.
func TestHomePageAfterMeetingButtonsSayWhyNothingCame(t *testing.T) {
	rec, hook := newRecorder(t)
	e := newEnv(t, hook)
	tok := e.s2sToken(t)
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"topic":"Plan"}`)
	id := strconv.FormatInt(int64(m["id"].(float64)), 10)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	click := func(op string) (int, string) {
		t.Helper()
		resp, err := noRedirect.Post(e.srv.URL+"/sim/meetings/"+id+"/"+op, "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, op := range []string{"summary", "transcript", "record"} {
		st, body := click(op)
		if st != http.StatusConflict || !strings.Contains(body, "“Plan” has not ended yet") || !strings.Contains(body, "Start it and end it first.") {
			t.Errorf("%s before the meeting ended: %d\n%s", op, st, body)
		}
		if !strings.Contains(body, `action="/sim/meetings/`+id+`/start"`) {
			t.Errorf("%s: the page lost the meetings list", op)
		}
	}
	_ = e.sim.WaitDeliveries(context.Background())
	rec.mu.Lock()
	n := len(rec.bodies)
	rec.mu.Unlock()
	if n != 0 {
		t.Errorf("events sent for a meeting that never ended: %v", rec.bodies)
	}
	for _, op := range []string{"start", "end", "summary"} {
		if st, body := click(op); st != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", op, st, body)
		}
	}
	_ = e.sim.WaitDeliveries(context.Background())
	rec.last(t, EventSummaryCompleted)
}
