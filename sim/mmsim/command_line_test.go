package mmsim

import "testing"

// TestCommandTextAsDelivered pins the text a command's URL gets for what a user typed: the clients trim what
// follows the first space and split on a space only (webapp actions/command.ts executeCommand), the server
// splits on the first whitespace of any kind and keeps the rest as it is (server/channels/app/command.go
// ExecuteCommand).
func TestCommandTextAsDelivered(t *testing.T) {
	for _, c := range []struct{ typed, trigger, text string }{
		{"/zoom start weekly sync", "zoom", "start weekly sync"},
		{"/Zoom   start  ", "zoom", "start"},
		{"/zoom", "zoom", ""},
		{"/zoom schedule\nWeekly sync", "zoom", "schedule\nWeekly sync"},
		{"/zoom\nschedule", "zoom", "schedule "},
		{"/zoom start ~town-square @bob", "zoom", "start ~town-square @bob"},
	} {
		trigger, text := splitCommand(webappCommandLine(c.typed))
		if trigger != c.trigger || text != c.text {
			t.Errorf("%q: trigger %q text %q, want %q %q", c.typed, trigger, text, c.trigger, c.text)
		}
	}
}
