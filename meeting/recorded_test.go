package meeting

import (
	"regexp"
	"testing"
)

func TestPendingIDNamesAPostByWhatItIsForAndSays(t *testing.T) {
	base := pendingID("news:7:ended", "Standup has ended")
	if !regexp.MustCompile(`^mmzoom:[a-z2-7]{26}$`).MatchString(base) {
		t.Errorf("pending id %q: want mmzoom: and 26 base32 letters", base)
	}
	tests := []struct {
		name, key, message string
		same               bool
	}{
		{"the same post asked for again", "news:7:ended", "Standup has ended", true},
		{"another card's news saying the same", "news:8:ended", "Standup has ended", false},
		{"the same card's other news", "news:7:started", "Standup has ended", false},
		{"the same key saying something else", "news:7:ended", "Standup has ended (45 minutes)", false},
		{"no ambiguity where key and message meet", "news:7:ende", "dStandup has ended", false},
	}
	for _, tt := range tests {
		if got := pendingID(tt.key, tt.message); (got == base) != tt.same {
			t.Errorf("%s: %q against %q, want same=%v", tt.name, got, base, tt.same)
		}
	}
}
