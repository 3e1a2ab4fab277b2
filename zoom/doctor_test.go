package zoom

import (
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
)

func TestMissingScopesAcceptGranularOrClassic(t *testing.T) {
	for _, c := range []struct {
		kind    meeting.AppKind
		granted string
		missing int
	}{
		{meeting.KindUser, "user:read:user meeting:write:meeting meeting:read:meeting meeting:read:past_meeting", 0},
		{meeting.KindUser, "user:read meeting:write meeting:read", 0}, // classic: meeting:read covers past meetings
		{meeting.KindUser, "user:read:user meeting:write:meeting", 2},
		{meeting.KindS2S, "user:read:user meeting:write:meeting meeting:read:meeting meeting:read:past_meeting", 4}, // not the :admin forms
		{meeting.KindS2S, "user:read:user:admin meeting:write:meeting:admin meeting:read:meeting:admin meeting:read:past_meeting:admin", 0},
		{meeting.KindAccount, "user:read:admin meeting:write:admin meeting:read:admin", 0},
		{meeting.KindAccount, "", 4},
	} {
		if got := MissingScopes(c.kind, c.granted); len(got) != c.missing {
			t.Errorf("%s %q: missing %v, want %d", c.kind, c.granted, got, c.missing)
		}
	}
}
