package zoomsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestCreateMeetingSettings pins how the simulator takes the create request's settings: Zoom's field names
// and JSON types, 400 code 300 for a wrong type or value, join before host off under a waiting room, and at
// least one security option kept on.
func TestCreateMeetingSettings(t *testing.T) {
	e := newEnv(t, "")
	_, tok := e.tokenReq(t, url.Values{"grant_type": {"account_credentials"}, "account_id": {"acct"}}, true)
	access, _ := tok["access_token"].(string)
	create := func(body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v2/users/alice@example.com/meetings", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+access)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	cases := []struct {
		name, body string
		status     int
		check      func(t *testing.T, settings map[string]any, out map[string]any)
	}{
		{name: "options reach the meeting", status: 201,
			body: `{"topic":"x","type":1,"settings":{"waiting_room":false,"join_before_host":true,"jbh_time":5,"mute_upon_entry":true,"host_video":true,"participant_video":false,"auto_recording":"cloud","meeting_authentication":false}}`,
			check: func(t *testing.T, s, out map[string]any) {
				want := map[string]any{"join_before_host": true, "jbh_time": 5.0, "mute_upon_entry": true, "host_video": true, "auto_recording": "cloud"}
				for k, v := range want {
					if s[k] != v {
						t.Errorf("settings.%s = %v, want %v", k, s[k], v)
					}
				}
				if out["password"] == "" {
					t.Error("no passcode by default")
				}
			}},
		{name: "waiting room disables join before host", status: 201,
			body: `{"topic":"x","type":1,"settings":{"waiting_room":true,"join_before_host":true}}`,
			check: func(t *testing.T, s, _ map[string]any) {
				if s["join_before_host"] != false || s["waiting_room"] != true {
					t.Errorf("settings %v", s)
				}
			}},
		// default_password "defaults to false" (Zoom's Meeting API OpenAPI file): false asks for nothing, and a
		// host whose setting requires a passcode gets one generated.
		{name: "default_password false, passcode required by the host's setting", status: 201,
			body: `{"topic":"x","type":1,"default_password":false,"settings":{"waiting_room":true}}`,
			check: func(t *testing.T, _, out map[string]any) {
				if out["password"] == "" || !strings.Contains(out["join_url"].(string), "pwd=") {
					t.Errorf("no passcode: %v %v", out["password"], out["join_url"])
				}
			}},
		{name: "no security option left: Zoom turns the passcode back on", status: 201,
			body: `{"topic":"x","type":1,"default_password":false,"settings":{"waiting_room":false,"meeting_authentication":false}}`,
			check: func(t *testing.T, _, out map[string]any) {
				if out["password"] == "" {
					t.Error("no security option is on")
				}
			}},
		{name: "a boolean as a string", status: 400, body: `{"topic":"x","settings":{"waiting_room":"true"}}`},
		{name: "jbh_time outside 0/5/10", status: 400, body: `{"topic":"x","settings":{"join_before_host":true,"jbh_time":7}}`},
		{name: "jbh_time as a string", status: 400, body: `{"topic":"x","settings":{"jbh_time":"5"}}`},
		{name: "unknown recording", status: 400, body: `{"topic":"x","settings":{"auto_recording":"yes"}}`},
		{name: "default_password as a string", status: 400, body: `{"topic":"x","default_password":"false"}`},
	}
	// A host whose "Require a passcode" setting is off gets a meeting without one unless default_password asks
	// for one.
	e.sim.AddUser(User{Email: "bob@example.com", PasscodeNotRequired: true})
	for _, c := range []struct {
		body     string
		passcode bool
	}{
		{`{"topic":"x","type":1,"settings":{"waiting_room":true}}`, false},
		{`{"topic":"x","type":1,"default_password":false,"settings":{"waiting_room":true}}`, false},
		{`{"topic":"x","type":1,"default_password":true,"settings":{"waiting_room":true}}`, true},
		// No security option left: Zoom turns the passcode back on.
		{`{"topic":"x","type":1,"settings":{"waiting_room":false,"meeting_authentication":false}}`, true},
	} {
		st, _, out := e.api(t, "POST", "/users/bob@example.com/meetings", access, c.body)
		if st != 201 || (out["password"] != "") != c.passcode {
			t.Errorf("%s for a host not required to have a passcode: %d, password %q", c.body, st, out["password"])
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := create(c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d: %v", status, c.status, out)
			}
			if status == 400 && out["code"] != 300.0 {
				t.Errorf("error code %v, want 300", out["code"])
			}
			if c.check != nil {
				s, _ := out["settings"].(map[string]any)
				c.check(t, s, out)
			}
		})
	}
}

// TestScheduledMeetingSettings pins that scheduled (type 2) and recurring (type 8) creates validate and keep
// their settings as instant ones do, and that PATCH validates the settings it names (400 code 300, nothing
// changed), changes only those, and keeps them all when it names none (a reschedule).
func TestScheduledMeetingSettings(t *testing.T) {
	e := newEnv(t, "")
	tok := e.s2sToken(t)
	settingsOf := func(id int64) map[string]any {
		t.Helper()
		st, _, m := e.api(t, "GET", "/meetings/"+strconv.FormatInt(id, 10), tok, "")
		if st != 200 {
			t.Fatalf("GET: %d %v", st, m)
		}
		return m["settings"].(map[string]any)
	}
	for _, c := range []struct{ name, schedule string }{
		{"scheduled", `"type":2,"start_time":"2026-12-10T14:30:00","timezone":"Asia/Tokyo"`},
		{"recurring", `"type":8,"start_time":"2026-12-10T14:30:00","timezone":"Asia/Tokyo","recurrence":{"type":2,"weekly_days":"5","end_times":3}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, bad := range []string{`{"waiting_room":"true"}`, `{"jbh_time":7}`, `{"auto_recording":"yes"}`} {
				if st, _, b := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"topic":"x",`+c.schedule+`,"settings":`+bad+`}`); st != 400 || b["code"] != 300.0 {
					t.Errorf("create with settings %s: %d %v, want 400 code 300", bad, st, b)
				}
			}
			st, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok,
				`{"topic":"x",`+c.schedule+`,"default_password":false,"settings":{"waiting_room":true,"mute_upon_entry":true,"auto_recording":"cloud"}}`)
			if st != 201 || m["password"] == "" {
				t.Fatalf("create: %d %v (default_password false leaves the passcode the host's setting requires)", st, m)
			}
			id := int64(m["id"].(float64))
			path := "/meetings/" + strconv.FormatInt(id, 10)
			if s := settingsOf(id); s["waiting_room"] != true || s["mute_upon_entry"] != true || s["auto_recording"] != "cloud" {
				t.Errorf("created with settings %v", s)
			}
			// A PATCH with a setting of the wrong type changes nothing, not even the start.
			if st, _, b := e.api(t, "PATCH", path, tok, `{"start_time":"2026-12-11T10:00:00","settings":{"mute_upon_entry":1}}`); st != 400 || b["code"] != 300.0 {
				t.Errorf("PATCH with a bad setting: %d %v", st, b)
			}
			if _, _, got := e.api(t, "GET", path, tok, ""); got["start_time"] != "2026-12-10T05:30:00Z" {
				t.Errorf("a refused PATCH moved the meeting to %v", got["start_time"])
			}
			// Moving the meeting without settings keeps them all.
			if st, _, b := e.api(t, "PATCH", path, tok, `{"start_time":"2026-12-11T10:00:00","duration":45}`); st != 204 {
				t.Fatalf("PATCH: %d %v", st, b)
			}
			if s := settingsOf(id); s["waiting_room"] != true || s["mute_upon_entry"] != true || s["auto_recording"] != "cloud" {
				t.Errorf("a reschedule changed the settings: %v", s)
			}
			// A PATCH naming a setting changes that one only.
			if st, _, b := e.api(t, "PATCH", path, tok, `{"settings":{"auto_recording":"local"}}`); st != 204 {
				t.Fatalf("PATCH settings: %d %v", st, b)
			}
			if s := settingsOf(id); s["waiting_room"] != true || s["mute_upon_entry"] != true || s["auto_recording"] != "local" {
				t.Errorf("after PATCH of auto_recording: %v", s)
			}
		})
	}
}
