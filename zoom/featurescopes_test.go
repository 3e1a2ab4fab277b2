package zoom

import (
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
)

func TestFeatureScopesFollowTheEnabledFeatures(t *testing.T) {
	const base = "user:read:user:admin meeting:write:meeting:admin meeting:read:meeting:admin meeting:read:past_meeting:admin"
	all := Features{Summaries: true, Transcripts: true}
	for _, c := range []struct {
		name    string
		kind    meeting.AppKind
		f       Features
		granted string
		missing []string // the first scope of each missing need
	}{
		{"every feature off needs only the base", meeting.KindS2S, Features{}, base, nil},
		{"summaries and transcripts on, granular", meeting.KindS2S, all, base + " meeting:read:summary:admin cloud_recording:read:recording:admin", nil},
		{"summaries and transcripts on, classic", meeting.KindAccount, all, "user:read:admin meeting:write:admin meeting:read:admin meeting_summary:read:admin recording:read:admin", nil},
		{"summaries on without their scope", meeting.KindS2S, Features{Summaries: true}, base, []string{"meeting:read:summary:admin"}},
		{"chat alone needs the recording scope", meeting.KindS2S, Features{Chat: true}, base, []string{"cloud_recording:read:recording:admin"}},
		{"user-managed apps take the user forms", meeting.KindUser, all, "user:read:user meeting:write:meeting meeting:read:meeting meeting:read:past_meeting meeting:read:summary:admin",
			[]string{"meeting:read:summary", "cloud_recording:read:recording"}},
		{"base needs come first", meeting.KindS2S, all, "meeting:read:summary:admin cloud_recording:read:recording:admin", []string{"user:read:user:admin",
			"meeting:write:meeting:admin", "meeting:read:meeting:admin", "meeting:read:past_meeting:admin"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, n := range MissingFeatureScopes(c.kind, c.f, c.granted) {
				got = append(got, n.AnyOf[0])
			}
			if strings.Join(got, " ") != strings.Join(c.missing, " ") {
				t.Errorf("missing %v, want %v", got, c.missing)
			}
		})
	}
}
