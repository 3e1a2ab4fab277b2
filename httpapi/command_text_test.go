package httpapi

import "testing"

func TestSplitSubcommand(t *testing.T) {
	for _, c := range []struct{ text, sub, rest string }{
		{"start weekly sync", "start", "weekly sync"},
		{"schedule\nWeekly sync", "schedule", "Weekly sync"},
		{"schedule ", "schedule", ""},
		{"  list\tmine ", "list", "mine"},
		{"", "", ""},
		{"スケジュール　全角", "スケジュール", "全角"},
	} {
		if sub, rest := splitSubcommand(c.text); sub != c.sub || rest != c.rest {
			t.Errorf("%q: %q %q, want %q %q", c.text, sub, rest, c.sub, c.rest)
		}
	}
}
