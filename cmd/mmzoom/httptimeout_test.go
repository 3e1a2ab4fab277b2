package main

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rtFunc is a RoundTripper made of a function.
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var _ http.RoundTripper = rtFunc(nil)

// A call to Zoom or Mattermost carries its deadline in its context while the answer is read, and the
// deadline is released when the body is closed; a failed call releases it at once.
func TestDeadlineTransportBoundsTheCallUntilTheBodyIsClosed(t *testing.T) {
	var seen *http.Request
	ok := rtFunc(func(r *http.Request) (*http.Response, error) {
		seen = r
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}"))}, nil
	})
	req, _ := http.NewRequest(http.MethodGet, "http://zoom.invalid/v2/users/me", nil)
	before := time.Now()
	resp, err := withDeadline(ok, 30*time.Second).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	dl, has := seen.Context().Deadline()
	if !has || dl.Before(before.Add(30*time.Second)) {
		t.Fatalf("the call's deadline is %v (set: %v), want 30 s from the call", dl, has)
	}
	if seen.Context().Err() != nil {
		t.Fatal("the deadline ended before the body was read")
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "{}" {
		t.Fatalf("body %q", b)
	}
	resp.Body.Close()
	if seen.Context().Err() == nil {
		t.Fatal("closing the body did not release the call's deadline")
	}

	failing := rtFunc(func(r *http.Request) (*http.Response, error) { seen = r; return nil, errors.New("refused") })
	if _, err := withDeadline(failing, time.Minute).RoundTrip(req); err == nil {
		t.Fatal("a failed call reported no error")
	}
	if seen.Context().Err() == nil {
		t.Fatal("a failed call kept its deadline running")
	}
	if got := withDeadline(ok, 0); got == nil {
		t.Fatal("no transport without a timeout")
	} else if _, wrapped := got.(*deadlineTransport); wrapped {
		t.Fatal("a zero timeout still wrapped the transport")
	}
}
