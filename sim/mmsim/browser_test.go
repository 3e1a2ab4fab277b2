package mmsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
)

// The chat page signs in like Mattermost's web app: the session in an HttpOnly cookie, writes carrying
// X-Requested-With and the CSRF token from the MMCSRF cookie (what @mattermost/client sends).
func TestBrowserSessionNeedsTheCSRFToken(t *testing.T) {
	s := New(Options{})
	team := s.AddTeam(Team{Name: "t"})
	u := s.AddUser(User{Username: "alice"}, team.ID)
	ch := s.AddChannel(Channel{TeamID: team.ID, Type: "O", Name: "town"}, u.ID)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Post(srv.URL+"/api/v4/users/login", "application/json", strings.NewReader(`{"login_id":"alice","password":"demo"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", err, resp)
	}
	resp.Body.Close()
	var csrf string
	for _, ck := range jar.Cookies(resp.Request.URL) {
		if ck.Name == "MMCSRF" {
			csrf = ck.Value
		}
	}
	post := func(headers map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v4/posts", strings.NewReader(`{"channel_id":"`+ch.ID+`","message":"hi"}`))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		r, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	cases := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"no X-Requested-With", map[string]string{"X-CSRF-Token": csrf}, http.StatusUnauthorized},
		{"no CSRF token", map[string]string{"X-Requested-With": "XMLHttpRequest"}, http.StatusUnauthorized},
		{"wrong CSRF token", map[string]string{"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": "x"}, http.StatusUnauthorized},
		{"as the web app sends it", map[string]string{"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": csrf}, http.StatusCreated},
	}
	for _, tc := range cases {
		if got := post(tc.headers); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestPluginFilesAreServedToThePage(t *testing.T) {
	for _, withPlugin := range []bool{false, true} {
		opts := Options{}
		if withPlugin {
			opts.Plugin = &PluginFiles{ID: "com.mmzoom.meetings", MainJS: []byte("window.registerPlugin('x', {initialize(){}})")}
		}
		srv := httptest.NewServer(New(opts).Handler())
		resp, _ := http.Get(srv.URL + "/sim/plugins")
		var list []map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if (len(list) == 1) != withPlugin {
			t.Errorf("plugin configured %v, listed %v", withPlugin, list)
		}
		for _, p := range list {
			for _, key := range []string{"bundle", "react", "react_dom"} {
				r, err := http.Get(srv.URL + p[key])
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(r.Body)
				r.Body.Close()
				if r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "javascript") || len(b) == 0 {
					t.Errorf("%s: %d %q", p[key], r.StatusCode, r.Header.Get("Content-Type"))
				}
			}
		}
		srv.Close()
	}
}
