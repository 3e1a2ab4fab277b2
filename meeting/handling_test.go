package meeting

import (
	"log/slog"
	"testing"
)

// Every kind has its row in the one table, and the rows say what users and operators rely on: a card that
// is gone or a refused bot becomes a dead letter at once, an outage is retried and only warned about, what
// users cause is logged at info.
func TestEveryKindHasItsHandling(t *testing.T) {
	for _, k := range Kinds() {
		if _, ok := handling(k); !ok {
			t.Errorf("kind %s has no row", k)
		}
	}
	cases := []struct {
		kind   Kind
		status int
		level  slog.Level
		retry  bool
	}{
		{KindNotFound, 404, slog.LevelWarn, false},
		{KindForbidden, 502, slog.LevelError, false},
		{KindChatUnavailable, 503, slog.LevelWarn, true},
		{KindZoomUnavailable, 502, slog.LevelWarn, true},
		{KindInternal, 500, slog.LevelError, true},
		{KindActionInvalid, 409, slog.LevelInfo, false},
		{KindLinkInvalid, 403, slog.LevelInfo, false},
		{KindNotConnected, 403, slog.LevelInfo, true},
		{Kind("no such kind"), 500, slog.LevelError, true},
	}
	for _, c := range cases {
		if h := HandlingOf(c.kind); h.Status != c.status || h.Level != c.level || h.Retry != c.retry {
			t.Errorf("%s: %+v, want status %d level %s retry %v", c.kind, h, c.status, c.level, c.retry)
		}
	}
}
