package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// A sub-command mmzoom does not have is named (inert, cut short) before the help, in the user's language;
// plain /zoom and /zoom help show the help alone.
func TestUnknownSubcommandIsNamed(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	long := strings.Repeat("x", 200)
	cases := []struct {
		name     string
		user     mmsim.User
		line     string
		want     []string
		dontWant []string
	}{
		{name: "typo", user: w.Alice, line: "/zoom strat", want: []string{"Unknown command: /zoom strat\n\n**Zoom commands**"}},
		{name: "typo in Japanese", user: w.Kenji, line: "/zoom strat", want: []string{"不明なコマンドです: /zoom strat\n\n**Zoom コマンド**"}},
		{name: "a mention stays inert", user: w.Alice, line: "/zoom @channel", want: []string{"/zoom @\u200bchannel"}, dontWant: []string{"@channel"}},
		{name: "a link stays inert", user: w.Alice, line: "/zoom [prize](http://evil.example)", dontWant: []string{"[prize](", "http://evil"}},
		{name: "a long word is cut short", user: w.Alice, line: "/zoom " + long, want: []string{strings.Repeat("x", 64) + "…"},
			dontWant: []string{strings.Repeat("x", 65)}},
		{name: "help", user: w.Alice, line: "/zoom help", want: []string{"**Zoom commands**"}, dontWant: []string{"Unknown command"}},
		{name: "no sub-command", user: w.Alice, line: "/zoom", want: []string{"**Zoom commands**"}, dontWant: []string{"Unknown command"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := w.run(c.user, w.Town, c.line)
			if res.Response == nil {
				t.Fatalf("no answer: %+v", res)
			}
			text := res.Response.Text
			for _, s := range c.want {
				if !strings.Contains(text, s) {
					t.Errorf("answer lacks %q:\n%s", s, text)
				}
			}
			for _, s := range c.dontWant {
				if strings.Contains(text, s) {
					t.Errorf("answer contains %q:\n%s", s, text)
				}
			}
		})
	}
}

// Fields of requests nobody has authenticated yet (a forged slash command, a click with a forged context)
// are logged cut to 64 characters, so such requests cannot fill the log or add lines of their own to it.
func TestForgedRequestFieldsAreClippedInLogs(t *testing.T) {
	w := newWorld(t, meeting.KindS2S)
	huge := strings.Repeat("A", 20000)
	forgedLine := "\n{\"level\":\"ERROR\",\"msg\":\"forged\"}\n"
	post := func(path, contentType string, body []byte) {
		resp, err := http.Post(w.MMZoomURL+path, contentType, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("%s accepted a forged request: %d", path, resp.StatusCode)
		}
	}
	form := url.Values{"token": {"forged"}, "team_id": {huge + forgedLine}, "channel_id": {w.Town.ID},
		"user_id": {forgedLine + huge}, "command": {"/zoom"}, "text": {"start"}}
	post("/mattermost/command", "application/x-www-form-urlencoded", []byte(form.Encode()))
	click, _ := json.Marshal(map[string]any{"user_id": huge + forgedLine, "channel_id": w.Town.ID, "context": map[string]any{"action": "join", "sig": "x"}})
	post("/mattermost/action", "application/json", click)

	logs := w.logs.String()
	for _, msg := range []string{"slash command with an unknown token refused", "button click with an invalid context refused"} {
		if !strings.Contains(logs, msg) {
			t.Errorf("no log line %q", msg)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("a log line is not one JSON record: %.200s", line)
			continue
		}
		if rec["msg"] == "forged" {
			t.Error("a forged request added a log line of its own")
		}
		if len(line) > 1000 {
			t.Errorf("a %d-byte log line: %.200s…", len(line), line)
		}
		for _, k := range []string{"team_id", "user_id", "channel_id"} {
			if v, ok := rec[k].(string); ok && len([]rune(v)) > 65 {
				t.Errorf("%s logged with %d characters", k, len([]rune(v)))
			}
		}
	}
}
