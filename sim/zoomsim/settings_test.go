package zoomsim

import (
	"encoding/json"
	"net/http"
	"net/url"
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
		{name: "no passcode asked", status: 201, body: `{"topic":"x","type":1,"default_password":false,"settings":{"waiting_room":true}}`,
			check: func(t *testing.T, _, out map[string]any) {
				if out["password"] != "" || strings.Contains(out["join_url"].(string), "pwd=") {
					t.Errorf("a passcode was set: %v %v", out["password"], out["join_url"])
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
