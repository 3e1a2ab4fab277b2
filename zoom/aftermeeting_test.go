package zoom

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

const summaryCompleted = `{"event":"meeting.summary_completed","event_ts":1626230691572,"payload":{"account_id":"AAAAAABBBB","object":{
"meeting_id":1234567890,"meeting_uuid":"/4444AAAiAAAAAiAiAiiAii==","meeting_host_id":"x1yCzABCDEfg23HiJKl4mN","meeting_host_email":"jchill@example.com",
"meeting_topic":"My Meeting","meeting_start_time":"2021-07-13T21:44:51Z","meeting_end_time":"2021-07-13T23:00:51Z",
"summary_start_time":"2021-07-13T21:44:51Z","summary_end_time":"2021-07-13T23:00:51Z","summary_created_time":"2021-07-13T23:01:51Z",
"summary_last_modified_time":"2021-07-13T23:01:51Z","summary_title":"Sync 同期","summary_overview":"We agreed.",
"summary_details":[{"label":"Dates","summary":"Friday"}],"next_steps":["Ship it","リリースする"],"summary_doc_url":"https://docs.zoom.us/doc/abc"}}}`

const summaryUpdated = `{"event":"meeting.summary_updated","event_ts":1626230791572,"payload":{"account_id":"A","operator":"jchill@example.com","operator_id":"x1",
"object":{"meeting_id":1234567890,"meeting_uuid":"u1==","summary_title":"Sync","summary_last_modified_time":"2021-07-14T10:00:00Z",
"summary_details":[{"label":"Dates","summary":"Friday"}],"next_steps":["Ship it"],
"edited_summary":{"summary_details":"Dates\nMonday","next_steps":["Wait"]}}}}`

const summaryTrashed = `{"event":"meeting.summary_trashed","event_ts":1626230891572,"payload":{"account_id":"A","operator":"o","operator_id":"x1",
"object":{"meeting_id":1234567890,"meeting_uuid":"u1==","summary_title":"Sync","summary_last_modified_time":"2021-07-14T11:00:00Z"}}}`

const transcriptCompleted = `{"event":"recording.transcript_completed","event_ts":1626230691572,"download_token":"tok.en","payload":{"account_id":"A",
"object":{"id":1234567890,"uuid":"u1==","topic":"My Meeting","share_url":"https://zoom.us/rec/share/x","recording_files":[
{"id":"f1","file_type":"TRANSCRIPT","file_extension":"VTT","file_size":1234,"recording_type":"audio_transcript",
"download_url":"https://zoom.us/rec/download/f1","status":"completed"}]}}}`

func TestParseAfterMeetingEvents(t *testing.T) {
	ev, err := ParseEvent([]byte(summaryCompleted))
	if err != nil {
		t.Fatal(err)
	}
	s := ev.Summary
	if ev.Meeting.ID != 1234567890 || ev.Meeting.UUID != "/4444AAAiAAAAAiAiAiiAii==" || s == nil || s.Title != "Sync 同期" ||
		s.Overview != "We agreed." || len(s.Details) != 1 || s.Details[0].Label != "Dates" || len(s.NextSteps) != 2 ||
		s.DocURL != "https://docs.zoom.us/doc/abc" || !s.Modified.Equal(time.Date(2021, 7, 13, 23, 1, 51, 0, time.UTC)) {
		t.Errorf("summary_completed: %+v %+v", ev.Meeting, s)
	}

	ev, err = ParseEvent([]byte(summaryUpdated))
	if err != nil {
		t.Fatal(err)
	}
	d := ev.Summary.Domain()
	if d.EditedDetails != "Dates\nMonday" || len(d.NextSteps) != 1 || d.NextSteps[0] != "Wait" {
		t.Errorf("summary_updated: the host's edits must win: %+v", d)
	}

	ev, err = ParseEvent([]byte(summaryTrashed))
	if err != nil || ev.Summary == nil || len(ev.Summary.Details) != 0 || ev.Meeting.UUID != "u1==" {
		t.Errorf("summary_trashed: %+v %v", ev, err)
	}

	ev, err = ParseEvent([]byte(transcriptCompleted))
	if err != nil {
		t.Fatal(err)
	}
	f := ev.Recording.Files
	if ev.Recording.DownloadToken != "tok.en" || len(f) != 1 || f[0].FileType != "TRANSCRIPT" || f[0].DownloadURL != "https://zoom.us/rec/download/f1" ||
		f[0].FileSize != 1234 || f[0].FileExtension != "VTT" || ev.Meeting.ID != 1234567890 {
		t.Errorf("transcript_completed: %+v", ev.Recording)
	}

	// A shape Zoom documents differently elsewhere is read as absent, not a refused event.
	odd := strings.Replace(summaryCompleted, `"next_steps":["Ship it","リリースする"]`, `"next_steps":"Ship it"`, 1)
	if ev, err := ParseEvent([]byte(odd)); err != nil || len(ev.Summary.NextSteps) != 0 || len(ev.Summary.Details) != 1 {
		t.Errorf("odd next_steps: %+v %v", ev, err)
	}
}

func FuzzParseSummaryEvent(f *testing.F) {
	for _, s := range []string{summaryCompleted, summaryUpdated, summaryTrashed, transcriptCompleted,
		`{"event":"meeting.summary_updated","payload":{"object":{"edited_summary":{"summary_details":[{"label":1}]}}}}`,
		`{"event":"meeting.summary_deleted","payload":{"object":{"meeting_id":"12","summary_details":{}}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseEvent(body)
		if err != nil {
			return
		}
		if strings.HasPrefix(ev.Event, "meeting.summary_") {
			if ev.Summary == nil {
				t.Fatal("a summary event without its summary")
			}
			_ = ev.Summary.Domain()
		}
	})
}

func TestDownloadSendsTheTokenOnlyToZoom(t *testing.T) {
	var gotAuth []string
	zoomSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = append(gotAuth, r.Header.Get("Authorization"))
		switch r.URL.Path {
		case "/rec/download/ok":
			_, _ = w.Write([]byte("WEBVTT\n"))
		case "/rec/download/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 100)))
		case "/rec/download/away":
			http.Redirect(w, r, "https://elsewhere.example/steal", http.StatusFound)
		case "/rec/download/gone":
			http.Error(w, `{"code":124,"message":"Invalid access token."}`, http.StatusUnauthorized)
		default:
			http.Error(w, "oops", http.StatusBadGateway)
		}
	}))
	defer zoomSrv.Close()
	d := NewDownloader(zoomSrv.Client(), zoomSrv.URL)
	ctx := context.Background()
	b, err := d.Download(ctx, zoomSrv.URL+"/rec/download/ok", "secret-token", 1000)
	if err != nil || string(b) != "WEBVTT\n" || gotAuth[0] != "Bearer secret-token" {
		t.Fatalf("download: %q %v, Authorization %q", b, err, gotAuth)
	}
	if _, err := d.Download(ctx, zoomSrv.URL+"/rec/download/big", "secret-token", 10); !errors.Is(err, meeting.ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	for _, c := range []struct {
		url  string
		kind meeting.Kind
	}{
		{zoomSrv.URL + "/rec/download/gone", meeting.KindNotFound},
		{zoomSrv.URL + "/rec/download/down", meeting.KindZoomUnavailable},
		{zoomSrv.URL + "/rec/download/away", meeting.KindZoomUnavailable},
		{"https://attacker.example/rec/download/ok", meeting.KindNotFound},
		{"https://zoom.us.attacker.example/x", meeting.KindNotFound},
	} {
		n := len(gotAuth)
		_, err := d.Download(ctx, c.url, "secret-token", 1000)
		if meeting.KindOf(err) != c.kind {
			t.Errorf("%s: %v, want %s", c.url, err, c.kind)
		}
		if err != nil && strings.Contains(err.Error(), "secret-token") {
			t.Errorf("the token is in an error: %v", err)
		}
		if strings.Contains(c.url, "attacker") && len(gotAuth) != n {
			t.Errorf("a request was made for %s", c.url)
		}
	}
	if !d.allowed(mustURL(t, "https://us02web.zoom.us/rec/download/x")) || d.allowed(mustURL(t, "http://zoom.us/x")) {
		t.Error("zoom.us subdomains over https only")
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
