package httpapi

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/i18n"
	"github.com/mmzoom/mmzoom/meeting"
)

// Every error kind a user can meet has its own message in both languages, and nothing internal leaks.
func TestUserMessageForEveryKind(t *testing.T) {
	text, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{}, Deps{Text: text})
	kinds := []meeting.Kind{
		meeting.KindInternal, meeting.KindNotConnected, meeting.KindAccountNotSetUp, meeting.KindCredentialsRefused, meeting.KindNotConfirmed,
		meeting.KindZoomUserNotFound, meeting.KindEmailUntrusted, meeting.KindNoEmail, meeting.KindNotAdmin,
		meeting.KindZoomUnavailable, meeting.KindZoomRateLimited, meeting.KindZoomRejected, meeting.KindChatUnavailable,
		meeting.KindForbidden, meeting.KindNotFound, meeting.KindLinkInvalid, meeting.KindActionInvalid,
		meeting.KindNothingToDo,
	}
	for _, loc := range []string{"en", "ja"} {
		seen := map[string]meeting.Kind{}
		for _, k := range kinds {
			cause := errors.New("db at /var/lib/secret-path failed")
			msg := s.userMessage(loc, fmt.Errorf("starting: %w", &meeting.Error{Kind: k, Email: "alice@example.com", Message: "Invalid meeting", Err: cause}))
			if msg == "" || strings.HasPrefix(msg, "error.") || strings.Contains(msg, "secret-path") || strings.Contains(msg, "{") {
				t.Errorf("%s/%s: bad message %q", loc, k, msg)
			}
			if other, dup := seen[msg]; dup && k != meeting.KindZoomRejected {
				t.Errorf("%s: %s and %s share a message", loc, k, other)
			}
			seen[msg] = k
			if (k == meeting.KindZoomUserNotFound || k == meeting.KindEmailUntrusted) && !strings.Contains(msg, "alice@example.com") {
				t.Errorf("%s/%s does not say which e-mail was tried: %q", loc, k, msg)
			}
		}
		if msg := s.userMessage(loc, errors.New("plain failure")); msg != s.userMessage(loc, &meeting.Error{Kind: meeting.KindInternal}) {
			t.Errorf("%s: an unclassified error is not shown as internal: %q", loc, msg)
		}
	}
}

// Text copied from a request into a log line or a reply is cut to 64 characters, at a character boundary.
func TestClip(t *testing.T) {
	long := strings.Repeat("a", 64)
	cases := []struct{ in, want string }{
		{"", ""},
		{"q8mz1gh5ij8tppkb8e6rwsk3ky", "q8mz1gh5ij8tppkb8e6rwsk3ky"},
		{long, long},
		{long + "b", long + "…"},
		{strings.Repeat("会", 64), strings.Repeat("会", 64)},
		{strings.Repeat("会", 65), strings.Repeat("会", 64) + "…"},
		{strings.Repeat("a", 1<<16), long + "…"},
	}
	for _, c := range cases {
		if got := clip(c.in); got != c.want {
			t.Errorf("clip(%d bytes) = %q, want %q", len(c.in), got, c.want)
		}
	}
}
