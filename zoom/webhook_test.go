package zoom

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestWebhookVerify(t *testing.T) {
	now := time.Unix(1739923528, 0)
	w := &Webhook{Secret: "s3cret", Now: func() time.Time { return now }}
	body := []byte(`{"event":"meeting.ended","payload":{"object":{"id":"1"}}}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	good := Signature("s3cret", ts, body)
	tests := []struct {
		name string
		sig  string
		ts   string
		body []byte
		want error
	}{
		{"valid", good, ts, body, nil},
		{"no signature", "", ts, body, ErrNoSignature},
		{"no timestamp", good, "", body, ErrNoSignature},
		{"garbage timestamp", good, "soon", body, ErrNoSignature},
		{"wrong secret", Signature("other", ts, body), ts, body, ErrBadSignature},
		{"altered body", good, ts, []byte(`{"event":"meeting.ended","payload":{"object":{"id":"2"}}}`), ErrBadSignature},
		{"altered timestamp", good, strconv.FormatInt(now.Unix()-1, 10), body, ErrBadSignature},
		{"stale", Signature("s3cret", strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10), body), strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10), body, ErrStale},
		{"future", Signature("s3cret", strconv.FormatInt(now.Add(6*time.Minute).Unix(), 10), body), strconv.FormatInt(now.Add(6*time.Minute).Unix(), 10), body, ErrStale},
		{"unprefixed hex", good[3:], ts, body, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.sig != "" {
				h.Set("x-zm-signature", tt.sig)
			}
			if tt.ts != "" {
				h.Set("x-zm-request-timestamp", tt.ts)
			}
			if got := w.Verify(h, tt.body); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEncryptToken(t *testing.T) {
	w := &Webhook{Secret: "secret"}
	// hex(HMAC-SHA256("secret", "qgg8vlvZRS6UYooatFL8Aw")), computed independently with openssl dgst -hmac.
	const want = "72cef096bfd47c0b8664df30d07721641e4abd7e885ba432204260db477a9a3e"
	if got := w.EncryptToken("qgg8vlvZRS6UYooatFL8Aw"); got != want {
		t.Errorf("EncryptToken = %s, want %s", got, want)
	}
}

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantEvent string
		wantID    int64
		wantTS    time.Time
		wantEnd   time.Time
		wantErr   bool
	}{
		{"webhook id as string", `{"event":"meeting.ended","event_ts":1626230691572,"payload":{"account_id":"A","object":{"id":"1234567890","uuid":"4444AAAiAAAAAiAiAiiAii==","start_time":"2021-07-13T21:44:51Z","end_time":"2021-07-13T23:00:51Z"}}}`,
			"meeting.ended", 1234567890, time.UnixMilli(1626230691572).UTC(), time.Date(2021, 7, 13, 23, 0, 51, 0, time.UTC), false},
		{"REST-style numeric id", `{"event":"recording.completed","event_ts":1626230691572,"payload":{"object":{"id":1234567890}}}`,
			"recording.completed", 1234567890, time.UnixMilli(1626230691572).UTC(), time.Time{}, false},
		{"int64 id beyond 2^53", `{"event":"meeting.started","event_ts":1,"payload":{"object":{"id":"98765432109876543"}}}`,
			"meeting.started", 98765432109876543, time.UnixMilli(1).UTC(), time.Time{}, false},
		{"deauthorized string event_ts", `{"event":"app_deauthorized","payload":{"account_id":"A","user_id":"u","event_ts":"2024-09-08 15:58:40"}}`,
			"app_deauthorized", 0, time.Date(2024, 9, 8, 15, 58, 40, 0, time.UTC), time.Time{}, false},
		{"url validation", `{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`,
			"endpoint.url_validation", 0, time.UnixMilli(1654503849680).UTC(), time.Time{}, false},
		{"not json", `event=meeting.ended`, "", 0, time.Time{}, time.Time{}, true},
		{"no event", `{"payload":{}}`, "", 0, time.Time{}, time.Time{}, true},
		{"id not a number", `{"event":"meeting.ended","payload":{"object":{"id":"12ab"}}}`, "", 0, time.Time{}, time.Time{}, true},
		{"bad time", `{"event":"meeting.ended","payload":{"object":{"id":"1","end_time":"yesterday"}}}`, "", 0, time.Time{}, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := ParseEvent([]byte(tt.body))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseEvent = %+v, want error", ev)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Event != tt.wantEvent || ev.Meeting.ID != tt.wantID || !ev.EventTS.Equal(tt.wantTS) || !ev.Meeting.EndTime.Equal(tt.wantEnd) {
				t.Errorf("got %+v", ev)
			}
		})
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"event":"meeting.ended","event_ts":1626230691572,"payload":{"object":{"id":"1","uuid":"x","end_time":"2021-07-13T23:00:51Z"}}}`))
	f.Add([]byte(`{"event":"app_deauthorized","payload":{"event_ts":"2024-09-08 15:58:40"}}`))
	f.Add([]byte(`{"event":"x","payload":{"object":{"id":1e99}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseEvent(body)
		if err == nil && ev.Event == "" {
			t.Fatal("accepted an event without a type")
		}
	})
}

// BenchmarkParseEvent is the parse of one participant_joined delivery, as Zoom sends it, on the path Zoom
// waits on (webhook ingest).
func BenchmarkParseEvent(b *testing.B) {
	body := []byte(`{"event":"meeting.participant_joined","event_ts":1733475600123,"payload":{"account_id":"AAAAbbbbCCCC",` +
		`"object":{"id":"85746065432","uuid":"4444AAAiAAAAAiAiAiiAii==","host_id":"x1yCzABCDEfg","topic":"Weekly sync",` +
		`"type":2,"start_time":"2026-12-06T09:00:00Z","participant":{"user_id":"16778240","user_name":"Kenji Sato",` +
		`"id":"iFxeBPYun6SAiWUzBcEkX","participant_uuid":"6A2F1A6E-1D7C-4B42-9E3A-2B1B5A7C9D10",` +
		`"join_time":"2026-12-06T09:01:02Z","email":"kenji@example.jp"}}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEvent(body); err != nil {
			b.Fatal(err)
		}
	}
}

// jsonText reads a JSON string the way encoding/json does, whether or not it takes the fast path.
func TestJSONText(t *testing.T) {
	for _, in := range []string{
		`""`, `"85746065432"`, `"2026-12-06T09:01:02Z"`, `"a b"`,
		`"a\"b"`, `"back\\slash"`, `"\u00e9t\u00e9"`, `"été"`, `"tab\there"`, `"\ud83d\ude00"`, `"/\/"`,
		`"` + "\xff" + `"`, // invalid UTF-8: encoding/json replaces it
	} {
		got, err := jsonText([]byte(in))
		var want string
		wantErr := json.Unmarshal([]byte(in), &want)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("jsonText(%s) = %q, %v; encoding/json: %q, %v", in, got, err, want, wantErr)
		}
	}
}

func FuzzJSONText(f *testing.F) {
	f.Add([]byte(`"85746065432"`))
	f.Add([]byte(`"a\"b"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var want string
		if json.Unmarshal(b, &want) != nil {
			return // jsonText is only given what encoding/json already found to be a string
		}
		if got, err := jsonText(b); err != nil || got != want {
			t.Fatalf("jsonText(%q) = %q, %v; want %q", b, got, err, want)
		}
	})
}
