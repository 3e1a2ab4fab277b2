package mattermost

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

func TestDialogStateIsBoundToUserAndTime(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	s := NewSigner([]byte("k1"), "https://mmzoom.example/mattermost/action", func() time.Time { return now })
	st := meeting.DialogState{UserID: "u1", ChannelID: "c1", TeamID: "t1", ScheduleID: 7, Nonce: "n1", Expires: now.Add(time.Hour)}
	raw := s.SignState(st)
	got, err := s.VerifyState(raw, "u1")
	if err != nil || got.ScheduleID != 7 || got.Nonce != "n1" || got.TeamID != "t1" || got.ChannelID != "c1" {
		t.Fatalf("VerifyState = %+v, %v", got, err)
	}
	other := NewSigner([]byte("k2"), "", func() time.Time { return now })
	tampered := raw[:len(raw)-2] + "xx"
	for name, c := range map[string]struct {
		s      *Signer
		raw, u string
	}{
		"other user": {s, raw, "u2"}, "altered": {s, tampered, "u1"},
		"other key": {other, raw, "u1"}, "garbage": {s, "s1", "u1"}, "empty": {s, "", "u1"},
	} {
		if _, err := c.s.VerifyState(c.raw, c.u); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	now = now.Add(2 * time.Hour)
	if _, err := s.VerifyState(raw, "u1"); !errors.Is(err, ErrStateExpired) {
		t.Errorf("expired state: %v, want ErrStateExpired", err)
	}
}

func TestTimezoneOf(t *testing.T) {
	for raw, want := range map[string]string{
		`{"useAutomaticTimezone":"true","automaticTimezone":"Asia/Tokyo","manualTimezone":"Europe/Berlin"}`:  "Asia/Tokyo",
		`{"useAutomaticTimezone":"false","automaticTimezone":"Asia/Tokyo","manualTimezone":"Europe/Berlin"}`: "Europe/Berlin",
		`{"useAutomaticTimezone":"true","automaticTimezone":"","manualTimezone":""}`:                         "",
		`{"useAutomaticTimezone":"false","automaticTimezone":"","manualTimezone":"Mars/Base"}`:               "",
		`{"useAutomaticTimezone":true,"automaticTimezone":"America/New_York"}`:                               "America/New_York",
		`"nonsense"`: "",
	} {
		if got := timezoneOf([]byte(raw)); got != want {
			t.Errorf("timezoneOf(%s) = %q, want %q", raw, got, want)
		}
	}
}

func TestParseDialogSubmission(t *testing.T) {
	body := `{"type":"dialog_submission","callback_id":"mmzoom_schedule","state":"s","user_id":"u1","channel_id":"c1","team_id":"t1",
		"submission":{"topic":"Plan","duration":"30","flag":true,"n":5},"cancelled":false}`
	d, v, err := ParseDialogSubmission(httptest.NewRequest("POST", "/mattermost/dialog", bytes.NewBufferString(body)))
	if err != nil || d.State != "s" || v["topic"] != "Plan" || v["duration"] != "30" || v["flag"] != "true" || v["n"] != "5" {
		t.Fatalf("%+v %v %v", d, v, err)
	}
	if _, _, err := ParseDialogSubmission(httptest.NewRequest("POST", "/", bytes.NewBufferString(`{"state":"s"}`))); err == nil {
		t.Error("a submission without user and channel was accepted")
	}
}

func FuzzParseDialogSubmission(f *testing.F) {
	f.Add(`{"type":"dialog_submission","callback_id":"mmzoom_schedule","state":"a.b","user_id":"u","channel_id":"c","submission":{"when":"明日 14:30","n":3,"b":true}}`)
	f.Add(`{"user_id":"u","channel_id":"c","submission":null}`)
	f.Add(`[]`)
	s := NewSigner([]byte("k"), "", func() time.Time { return time.Unix(1_800_000_000, 0) })
	f.Fuzz(func(t *testing.T, body string) {
		d, _, err := ParseDialogSubmission(httptest.NewRequest("POST", "/mattermost/dialog", bytes.NewBufferString(body)))
		if err != nil {
			return
		}
		// A state nobody signed never verifies.
		if _, err := s.VerifyState(d.State, d.UserID); err == nil {
			t.Errorf("unsigned state %q verified", d.State)
		}
	})
}
