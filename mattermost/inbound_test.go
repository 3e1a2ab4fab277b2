package mattermost

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func commandRequest(body string, header map[string]string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/mattermost/command", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

func TestParseCommand(t *testing.T) {
	// The request a real Mattermost 9.9 sent (reference §8), with root_id as newer servers add it.
	const real = "channel_id=bpdf3fwucfn6txtwmtfpnhkztc&channel_name=testchan&command=%2Fzoom&response_url=http%3A%2F%2F127.0.0.1%3A8065%2Fhooks%2Fcommands%2Fn96bj5bbfprw9q3hsytmz5tuzh&team_domain=testteam&team_id=oh8ztoeptigodbe8w3qwrfgigr&text=start+hello&token=oq95kd13o7ngzqms947eamfxma&trigger_id=NXdo&user_id=1x8utr8d3jbwmpr8k79d1f5sgw&user_name=admin&root_id=r00t"
	cases := []struct {
		name    string
		body    string
		header  map[string]string
		wantErr bool
		check   func(*CommandRequest) bool
	}{
		{"as Mattermost sends it", real, nil, false, func(c *CommandRequest) bool {
			return c.Token == "oq95kd13o7ngzqms947eamfxma" && c.Text == "start hello" && c.TeamID == "oh8ztoeptigodbe8w3qwrfgigr" &&
				c.ResponseURL == "http://127.0.0.1:8065/hooks/commands/n96bj5bbfprw9q3hsytmz5tuzh" && c.RootID == "r00t" && c.UserName == "admin"
		}},
		{"token only in the header", strings.Replace(real, "token=oq95kd13o7ngzqms947eamfxma&", "", 1),
			map[string]string{"Authorization": "Token fromheader"}, false, func(c *CommandRequest) bool { return c.Token == "fromheader" }},
		{"no user", strings.Replace(real, "user_id=", "x=", 1), nil, true, nil},
		{"malformed form", "%zz", nil, true, nil},
		{"too large", real + "&text2=" + strings.Repeat("a", maxRequestBody), nil, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseCommand(commandRequest(c.body, c.header))
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v, want error %v", err, c.wantErr)
			}
			if c.check != nil && !c.check(got) {
				t.Errorf("parsed %+v", got)
			}
		})
	}
}

func TestParseAction(t *testing.T) {
	const real = `{"user_id":"1x8utr8d3jbwmpr8k79d1f5sgw","user_name":"admin","channel_id":"bpdf3fwucfn6txtwmtfpnhkztc","channel_name":"testchan","team_id":"oh8ztoeptigodbe8w3qwrfgigr","team_domain":"testteam","post_id":"yjdtthet4fymidpk9md51ukirc","trigger_id":"ZHNh","type":"button","data_source":"","context":{"action":"join","sig":"abc"}}`
	a, err := ParseAction(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(real)))
	if err != nil || a.UserID != "1x8utr8d3jbwmpr8k79d1f5sgw" || a.PostID != "yjdtthet4fymidpk9md51ukirc" || a.Context["sig"] != "abc" {
		t.Fatalf("%+v %v", a, err)
	}
	for _, bad := range []string{`{}`, `not json`, `{"user_id":"u","channel_id":"c"}`, strings.Repeat(" ", maxRequestBody+1)} {
		if _, err := ParseAction(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(bad))); err == nil {
			t.Errorf("accepted %.40q", bad)
		}
	}
}

func TestValidResponseURL(t *testing.T) {
	cases := []struct {
		raw, site string
		ok        bool
	}{
		{"http://127.0.0.1:8065/hooks/commands/n96bj5bbfprw9q3hsytmz5tuzh", "http://127.0.0.1:8065", true},
		{"https://chat.example.com/base/hooks/commands/abc123", "https://chat.example.com/base/", true},
		{"https://evil.example.com/hooks/commands/abc123", "https://chat.example.com", false},
		{"https://chat.example.com:8443/hooks/commands/abc123", "https://chat.example.com", false},
		{"http://chat.example.com/hooks/commands/abc123", "https://chat.example.com", false},
		{"https://chat.example.com/hooks/commands/../../api/v4/posts", "https://chat.example.com", false},
		{"https://chat.example.com/hooks/commands/abc/def", "https://chat.example.com", false},
		{"https://chat.example.com/hooks/commands/abc?x=1", "https://chat.example.com", false},
		{"https://user:pw@chat.example.com/hooks/commands/abc", "https://chat.example.com", false},
		{"https://chat.example.com/hooks/commands/", "https://chat.example.com", false},
		{"https://chat.example.com/hooks/commands/abc%2F..", "https://chat.example.com", false},
		{"https://chat.example.com/other/hooks/commands/abc", "https://chat.example.com", false},
		{"", "https://chat.example.com", false},
	}
	for _, c := range cases {
		if got := ValidResponseURL(c.raw, c.site); got != c.ok {
			t.Errorf("ValidResponseURL(%q, %q) = %v, want %v", c.raw, c.site, got, c.ok)
		}
	}
}

func TestEscapeText(t *testing.T) {
	cases := []struct{ in, mustNot string }{
		{"@channel hello", "@channel"},
		{"hi @here", "@here"},
		{"@all", "@all"},
		{"@alice", "@alice"},
		{"[click](http://evil.example)", "](http"},
		{"![img](http://x/y.png)", "!["},
		{"<http://evil.example>", "://"},
		{"see http://evil.example now", "http://"},
		{"www.evil.example", "www.evil"},
		{"**bold** _it_", "**bold**"},
		{"line1\nline2", "\n"},
		{"`code`", "`code`"},
	}
	for _, c := range cases {
		if got := EscapeText(c.in); strings.Contains(got, c.mustNot) {
			t.Errorf("EscapeText(%q) = %q still contains %q", c.in, got, c.mustNot)
		}
	}
	for _, keep := range []string{"定例会議 🎉", "Weekly sync - Q3 (draft)", "10:30 standup"} {
		if got := strings.ReplaceAll(EscapeText(keep), `\`, ""); got != keep {
			t.Errorf("EscapeText(%q) changed the words: %q", keep, got)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	f.Add("token=t&team_id=a&channel_id=b&user_id=c&text=start+x", "")
	f.Add("%", "Token x")
	f.Fuzz(func(t *testing.T, body, auth string) {
		c, err := ParseCommand(commandRequest(body, map[string]string{"Authorization": auth}))
		if err == nil && (c.UserID == "" || c.ChannelID == "" || c.TeamID == "") {
			t.Fatalf("accepted a request without user, channel or team: %+v", c)
		}
	})
}

func FuzzParseAction(f *testing.F) {
	f.Add(`{"user_id":"u","channel_id":"c","context":{"a":"b"}}`)
	f.Add(`{"context":null}`)
	f.Fuzz(func(t *testing.T, body string) {
		a, err := ParseAction(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)))
		if err == nil && (a.UserID == "" || a.ChannelID == "" || a.Context == nil) {
			t.Fatalf("accepted %q", body)
		}
	})
}

func FuzzEscapeText(f *testing.F) {
	for _, s := range []string{"@channel", "[a](http://b)", "x\ny", "@@here", "\\[a](b)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := EscapeText(s)
		for _, bad := range []string{"@channel", "@here", "@all", "\n"} {
			if strings.Contains(out, bad) {
				t.Fatalf("EscapeText(%q) = %q contains %q", s, out, bad)
			}
		}
		if strings.Contains(out, "](") && !strings.Contains(out, `\](`) {
			t.Fatalf("EscapeText(%q) = %q keeps a link", s, out)
		}
	})
}
