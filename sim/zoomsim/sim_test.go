package zoomsim

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

type env struct {
	sim   *Server
	srv   *httptest.Server
	alice User
	now   time.Time
}

func newEnv(t *testing.T, webhookURL string) *env {
	e := &env{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	e.sim = New(Options{Now: func() time.Time { return e.now }, ClientID: "cid", ClientSecret: "csecret", AccountID: "acct",
		WebhookSecret: "whsecret", WebhookURL: webhookURL, RetryDelays: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}})
	e.srv = httptest.NewServer(e.sim.Handler())
	t.Cleanup(func() { e.srv.Close(); e.sim.Close() })
	e.sim.SetBaseURL(e.srv.URL)
	e.alice = e.sim.AddUser(User{Email: "alice@example.com", FirstName: "Alice", EmbedPasswordInJoinLink: true})
	return e
}

// tokenReq calls the token endpoint and returns the status and the JSON body.
func (e *env) tokenReq(t *testing.T, form url.Values, basic bool) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth("cid", "csecret")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func (e *env) code(t *testing.T, challenge string) string {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {"cid"}, "redirect_uri": {"https://app.example/cb"}, "state": {"s1"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	back, err := e.sim.Approve(e.srv.URL+"/oauth/authorize?"+q.Encode(), "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	if u.Query().Get("state") != "s1" {
		t.Fatalf("redirect %s lost the state", back)
	}
	return u.Query().Get("code")
}

func TestTokenEndpoint(t *testing.T) {
	e := newEnv(t, "")
	const verifier = "a-verifier-that-is-long-enough-to-be-a-real-pkce-verifier-0123456789"
	exchange := func(code, verifier, redirect string) (int, map[string]any) {
		return e.tokenReq(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}, true)
	}
	t.Run("PKCE and single use", func(t *testing.T) {
		code := e.code(t, s256(verifier))
		if st, body := exchange(code, "wrong", "https://app.example/cb"); st != 400 || body["reason"] != "Invalid code verifier" {
			t.Errorf("wrong verifier: %d %v", st, body)
		}
		code = e.code(t, s256(verifier))
		if st, _ := exchange(code, verifier, "https://other.example/cb"); st != 400 {
			t.Errorf("redirect mismatch: %d", st)
		}
		code = e.code(t, s256(verifier))
		st, body := exchange(code, verifier, "https://app.example/cb")
		if st != 200 || body["token_type"] != "bearer" || body["refresh_token"] == nil || body["expires_in"] != 3599.0 {
			t.Fatalf("exchange: %d %v", st, body)
		}
		if st, _ := exchange(code, verifier, "https://app.example/cb"); st != 400 {
			t.Errorf("a code worked twice: %d", st)
		}
	})
	t.Run("expired code", func(t *testing.T) {
		code := e.code(t, s256(verifier))
		e.now = e.now.Add(codeTTL + time.Second)
		defer func() { e.now = e.now.Add(-codeTTL - time.Second) }()
		if st, body := exchange(code, verifier, "https://app.example/cb"); st != 400 || body["reason"] != "Code is expired" {
			t.Errorf("%d %v", st, body)
		}
	})
	t.Run("refresh rotates and refuses the old token", func(t *testing.T) {
		_, first := exchange(e.code(t, s256(verifier)), verifier, "https://app.example/cb")
		old := first["refresh_token"].(string)
		st, next := e.tokenReq(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {old}}, true)
		if st != 200 || next["refresh_token"] == old {
			t.Fatalf("refresh: %d %v", st, next)
		}
		st, body := e.tokenReq(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {old}}, true)
		if st != 400 || body["reason"] != "Invalid Token!" || body["error"] != "invalid_request" {
			t.Errorf("old refresh token: %d %v", st, body)
		}
	})
	t.Run("account credentials", func(t *testing.T) {
		st, body := e.tokenReq(t, url.Values{"grant_type": {"account_credentials"}, "account_id": {"acct"}}, true)
		if st != 200 || body["refresh_token"] != nil {
			t.Errorf("%d %v", st, body)
		}
		if st, _ := e.tokenReq(t, url.Values{"grant_type": {"account_credentials"}, "account_id": {"other"}}, true); st != 400 {
			t.Errorf("wrong account: %d", st)
		}
		if st, body := e.tokenReq(t, url.Values{"grant_type": {"account_credentials"}, "account_id": {"acct"}}, false); st != 401 || body["error"] != "invalid_client" {
			t.Errorf("no Basic auth: %d %v", st, body)
		}
	})
}

func (e *env) api(t *testing.T, method, path, token, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+"/v2"+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header, out
}

func (e *env) s2sToken(t *testing.T) string {
	_, body := e.tokenReq(t, url.Values{"grant_type": {"account_credentials"}, "account_id": {"acct"}}, true)
	return body["access_token"].(string)
}

func TestAPI(t *testing.T) {
	e := newEnv(t, "")
	tok := e.s2sToken(t)
	cases := []struct {
		name, method, path, token, body string
		status, code                    int
	}{
		{"no token", "GET", "/users/alice@example.com", "", "", 401, 124},
		{"token in the query string", "GET", "/users/me?access_token=" + tok, tok, "", 401, 124},
		{"user by e-mail", "GET", "/users/alice@example.com", tok, "", 200, 0},
		{"unknown user", "GET", "/users/bob@example.com", tok, "", 404, 1001},
		{"invalid JSON", "POST", "/users/alice@example.com/meetings", tok, "{", 400, 300},
		{"unknown meeting", "GET", "/meetings/1", tok, "", 404, 3001},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, h, body := e.api(t, c.method, c.path, c.token, c.body)
			if st != c.status || (c.code != 0 && body["code"] != float64(c.code)) {
				t.Errorf("%d %v, want %d code %d", st, body, c.status, c.code)
			}
			if h.Get("x-zm-trackingid") == "" {
				t.Error("no x-zm-trackingid")
			}
		})
	}
	st, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"topic":"Sync","type":1}`)
	if st != 201 {
		t.Fatalf("create: %d %v", st, m)
	}
	if _, isNumber := m["id"].(float64); !isNumber || !strings.Contains(m["join_url"].(string), "?pwd=") || m["password"] == "" {
		t.Errorf("meeting %v: id must be a JSON number and join_url carry pwd", m)
	}
	_, _, pmi := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"topic":"PMI","type":1,"settings":{"use_pmi":true}}`)
	if pmi["id"] != float64(e.alice.PMI) || pmi["pmi"] != jsonString(e.alice.PMI) {
		t.Errorf("PMI meeting %v: id must be the PMI (pmi as a string)", pmi)
	}
	plain := e.sim.AddUser(User{Email: "plain@example.com"})
	_, _, nopwd := e.api(t, "POST", "/users/"+plain.ID+"/meetings", tok, `{"topic":"x"}`)
	if strings.Contains(nopwd["join_url"].(string), "pwd=") {
		t.Errorf("embedding is off but join_url has pwd: %v", nopwd["join_url"])
	}
	e.now = e.now.Add(2 * time.Hour)
	if st, _, body := e.api(t, "GET", "/users/me", tok, ""); st != 401 || body["message"] != "Access token is expired." {
		t.Errorf("expired token: %d %v", st, body)
	}
}

func jsonString(v int64) string { b, _ := json.Marshal(v); return string(b) }

func TestRateLimit(t *testing.T) {
	e := newEnv(t, "")
	tok := e.s2sToken(t)
	e.sim.SetRateLimited(true, time.Minute)
	st, h, body := e.api(t, "GET", "/users/me", tok, "")
	if st != 429 || body["code"] != 429.0 || h.Get("Retry-After") != e.now.Add(time.Minute).Format(time.RFC3339) || h.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("%d %v %v", st, h, body)
	}
}

func TestWebhooks(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	fail := 1 // answer 500 to the first delivery, then 200
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte("whsecret"))
		m.Write([]byte("v0:" + r.Header.Get("x-zm-request-timestamp") + ":" + string(b)))
		if r.Header.Get("x-zm-signature") != "v0="+hex.EncodeToString(m.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev map[string]any
		_ = json.Unmarshal(b, &ev)
		if ev["event"] == "endpoint.url_validation" {
			plain := ev["payload"].(map[string]any)["plainToken"].(string)
			m := hmac.New(sha256.New, []byte("whsecret"))
			m.Write([]byte(plain))
			_ = json.NewEncoder(w).Encode(map[string]string{"plainToken": plain, "encryptedToken": hex.EncodeToString(m.Sum(nil))})
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		bodies = append(bodies, b)
	}))
	defer hook.Close()
	e := newEnv(t, hook.URL)
	tok := e.s2sToken(t)
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", tok, `{"topic":"Sync"}`)
	id := int64(m["id"].(float64))
	ctx := context.Background()
	if err := e.sim.StartMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(ctx)
	e.now = e.now.Add(30 * time.Minute)
	if err := e.sim.EndMeeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(ctx)
	// Zoom delivers concurrently: the events are found by name, not by order.
	type event struct {
		Event   string `json:"event"`
		EventTS int64  `json:"event_ts"`
		Payload struct {
			Object map[string]any `json:"object"`
		} `json:"payload"`
	}
	got := map[string]event{}
	for _, b := range bodies {
		var ev event
		_ = json.Unmarshal(b, &ev)
		got[ev.Event] = ev
	}
	if len(bodies) != 3 || len(got) != 3 {
		t.Fatalf("%d events delivered (%v), want meeting.started, the host's meeting.participant_joined and meeting.ended once each", len(bodies), got)
	}
	obj := got["meeting.ended"].Payload.Object
	if obj["id"] != jsonString(id) || obj["start_time"] == nil || obj["end_time"] == nil || obj["uuid"] != m["uuid"] {
		t.Errorf("meeting.ended %v: object.id must be a string", obj)
	}
	// The host is a participant: Zoom reports the host joining, with the host's Zoom user id and e-mail.
	host := got["meeting.participant_joined"].Payload.Object
	if p, _ := host["participant"].(map[string]any); host["uuid"] != m["uuid"] || p["id"] != e.alice.ID ||
		p["email"] != "alice@example.com" || p["participant_uuid"] == "" || p["join_time"] == nil {
		t.Errorf("the host's meeting.participant_joined: %v", host)
	}
	// Deliveries are recorded as they finish, in any order: one was answered 500 and retried once.
	d := e.sim.Deliveries()
	var failed, retried []string
	for _, x := range d {
		if x.Status == 500 {
			failed = append(failed, x.Event)
		}
		if x.Attempt == 2 && x.Status == 200 {
			retried = append(retried, x.Event)
		}
	}
	if len(d) != 4 || len(failed) != 1 || len(retried) != 1 || failed[0] != retried[0] {
		t.Errorf("deliveries %+v, want 4: one answered 500 and the same event retried once", d)
	}
	if ok, err := e.sim.ValidateEndpoint(ctx); !ok || err != nil {
		t.Errorf("validation: %v %v", ok, err)
	}
	// Past meeting by UUID (double-encoded when it needs it) and by id.
	for _, key := range []string{url.PathEscape(url.PathEscape(m["uuid"].(string))), jsonString(id)} {
		if st, _, p := e.api(t, "GET", "/past_meetings/"+key, tok, ""); st != 200 || p["duration"] != 30.0 {
			t.Errorf("past meeting %s: %d %v", key, st, p)
		}
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	var n int
	var mu sync.Mutex
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer hook.Close()
	e := newEnv(t, hook.URL)
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", e.s2sToken(t), `{"topic":"Sync"}`)
	_ = e.sim.StartMeeting(context.Background(), int64(m["id"].(float64)))
	_ = e.sim.WaitDeliveries(context.Background())
	if n != 2 { // meeting.started and the host's meeting.participant_joined, each once
		t.Errorf("%d deliveries after a 400, want 2", n)
	}
}
