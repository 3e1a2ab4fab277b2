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

// The page hosts the plugin with the React of each Mattermost version it supports: every build listed is served,
// and is the version it says (the UMD header names it).
func TestPluginFilesAreServedToThePage(t *testing.T) {
	for _, withPlugin := range []bool{false, true} {
		opts := Options{}
		if withPlugin {
			opts.Plugin = &PluginFiles{ID: "com.mmzoom.meetings", MainJS: []byte("window.registerPlugin('x', {initialize(){}})")}
		}
		srv := httptest.NewServer(New(opts).Handler())
		resp, err := http.Get(srv.URL + "/sim/plugins")
		if err != nil {
			t.Fatal(err)
		}
		type build struct {
			Version  string `json:"version"`
			React    string `json:"react"`
			ReactDOM string `json:"react_dom"`
		}
		var list []struct {
			Bundle string           `json:"bundle"`
			Builds map[string]build `json:"react_builds"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if (len(list) == 1) != withPlugin {
			t.Errorf("plugin configured %v, listed %v", withPlugin, list)
		}
		get := func(path string) string {
			r, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "javascript") || len(b) == 0 {
				t.Errorf("%s: %d %q", path, r.StatusCode, r.Header.Get("Content-Type"))
			}
			return string(b)
		}
		for _, p := range list {
			get(p.Bundle)
			for _, major := range []string{"16", "17", "18"} {
				b, ok := p.Builds[major]
				if !ok || !strings.HasPrefix(b.Version, major+".") {
					t.Fatalf("React %s: listed as %+v", major, b)
				}
				for _, path := range []string{b.React, b.ReactDOM} {
					if body := get(path); !strings.Contains(body[:min(len(body), 2000)], "production.min.js") || !strings.Contains(path, b.Version) {
						t.Errorf("%s is not React %s's production build", path, b.Version)
					}
				}
			}
		}
		srv.Close()
	}
}

// GET /posts/{id}/thread (Client4.getPostThread) gives the whole thread, for the root or any reply, to those
// who can read the channel: the plugin reads it when collapsed reply threads left the replies out of the store.
func TestPostThread(t *testing.T) {
	w := newWorld(t)
	root := w.seedPost(w.private)
	other := w.seedPost(w.private)
	var replies []string
	for i := 0; i < 2; i++ {
		status, _, body := w.call(w.aliceToken, "POST", "/api/v4/posts", map[string]any{"channel_id": w.private.ID, "root_id": root, "message": "update"})
		if status != http.StatusCreated {
			t.Fatalf("reply: %d %v", status, body)
		}
		replies = append(replies, obj(t, body)["id"].(string))
	}
	carol := w.sim.Login(w.carol.ID)
	tests := []struct {
		name, token, id string
		status          int
		want            []string // order, newest first
	}{
		{"from the root", w.aliceToken, root, http.StatusOK, []string{replies[1], replies[0], root}},
		{"from a reply", w.aliceToken, replies[0], http.StatusOK, []string{replies[1], replies[0], root}},
		{"a post without replies", w.aliceToken, other, http.StatusOK, []string{other}},
		{"not a member of the private channel", carol, root, http.StatusForbidden, nil},
		{"no such post", w.aliceToken, "nosuchpostxxxxxxxxxxxxxxxx", http.StatusNotFound, nil},
	}
	for _, tc := range tests {
		status, _, body := w.call(tc.token, "GET", "/api/v4/posts/"+tc.id+"/thread", nil)
		if status != tc.status {
			t.Errorf("%s: %d, want %d (%v)", tc.name, status, tc.status, body)
			continue
		}
		if tc.want == nil {
			continue
		}
		list := obj(t, body)
		var order []string
		for _, id := range list["order"].([]any) {
			order = append(order, id.(string))
		}
		posts := obj(t, list["posts"])
		if strings.Join(order, ",") != strings.Join(tc.want, ",") || len(posts) != len(tc.want) {
			t.Errorf("%s: order %v (%d posts), want %v", tc.name, order, len(posts), tc.want)
		}
	}
}
