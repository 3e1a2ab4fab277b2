package meeting

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseStartText(t *testing.T) {
	cases := []struct {
		text, topic string
		over        Overrides
		err         string // "unknown" or "value"
	}{
		{text: "", topic: ""},
		{text: "Weekly sync", topic: "Weekly sync"},
		{text: "  --waiting-room   Weekly  sync ", topic: "Weekly  sync", over: Overrides{OptWaitingRoom: "true"}},
		{text: "--no-waiting-room", over: Overrides{OptWaitingRoom: "false"}},
		{text: "--waiting_room=off --MUTE x", topic: "x", over: Overrides{OptWaitingRoom: "false", OptMuteUponEntry: "true"}},
		{text: "--join-before-host=10 --record=cloud", over: Overrides{OptJoinBeforeHost: "true:10", OptAutoRecording: "cloud"}},
		{text: "--jbh --no-record", over: Overrides{OptJoinBeforeHost: "true", OptAutoRecording: "none"}},
		{text: "--no-passcode --auth --host-video=no --participant-video", over: Overrides{OptPasscode: "false",
			OptAuthentication: "true", OptHostVideo: "false", OptParticipantVideo: "true"}},
		{text: "—waiting-room Review", topic: "Review", over: Overrides{OptWaitingRoom: "true"}}, // em dash from autocorrect
		{text: "-- --draft-- plan", topic: "--draft-- plan", over: Overrides{}},
		{text: "Plan --waiting-room", topic: "Plan --waiting-room"}, // flags only before the topic
		{text: "--record", err: "value"},
		{text: "--record=yes", err: "value"},
		{text: "--join-before-host=7", err: "value"},
		{text: "--no-waiting-room=on", err: "value"},
		{text: "--waiting-room=maybe", err: "value"},
		{text: "--colour=red Topic", err: "unknown"},
		{text: "---", err: "unknown"},
	}
	for _, c := range cases {
		topic, over, err := ParseStartText(c.text)
		var fe *FlagError
		switch {
		case c.err != "":
			if !errors.As(err, &fe) || fe.BadValue != (c.err == "value") {
				t.Errorf("%q: error %v, want a %s flag error", c.text, err, c.err)
			}
			continue
		case err != nil:
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		if topic != c.topic || (len(over) > 0 || len(c.over) > 0) && !reflect.DeepEqual(over, c.over) {
			t.Errorf("%q: topic %q overrides %v, want %q %v", c.text, topic, over, c.topic, c.over)
		}
	}
}

func TestApplyOverrides(t *testing.T) {
	on, off := true, false
	d := MeetingDefaults{Options: MeetingOptions{Passcode: &off, WaitingRoom: &on}, UsersMayChange: []string{OptWaitingRoom, OptAutoRecording}}
	if o, r := d.Apply(Overrides{OptAutoRecording: "cloud"}); r != nil || *o.AutoRecording != RecordCloud || !*o.WaitingRoom {
		t.Errorf("allowed override: %+v %+v", o, r)
	}
	if _, r := d.Apply(Overrides{OptPasscode: "true", OptHostVideo: "true"}); r == nil || !reflect.DeepEqual(r.NotAllowed, []string{OptHostVideo, OptPasscode}) {
		t.Errorf("not allowed: %+v", r)
	}
	// The waiting room was the last security option on; the account's authentication setting is unknown (nil).
	if _, r := d.Apply(Overrides{OptWaitingRoom: "false"}); r != nil {
		t.Errorf("authentication left to Zoom may be on: %+v", r)
	}
	d.Options.Authentication = &off
	if _, r := d.Apply(Overrides{OptWaitingRoom: "false"}); r == nil || !r.Insecure {
		t.Errorf("no security option left: %+v", r)
	}
	// Through a button and back.
	over := Overrides{OptJoinBeforeHost: "true:5", OptAutoRecording: "local"}
	if got := parseOverrides(over.String()); !reflect.DeepEqual(got, over) {
		t.Errorf("round trip %v → %q → %v", over, over.String(), got)
	}
}

// FuzzParseStartText: the text of /zoom start is anyone's input. Whatever it is, parsing gives a topic and
// known options (never panics), or a flag error whose echo is bounded valid UTF-8; a plain topic survives.
func FuzzParseStartText(f *testing.F) {
	for _, s := range []string{"", "Weekly", "--waiting-room x", "--record=cloud --jbh=5 -- --x", "—mute", "–auth t",
		"--no-", "--=", "-- ", "--join-before-host=", "\x00--mute", "--\xff\xfe", strings.Repeat("--mute ", 50) + "t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		topic, over, err := ParseStartText(text)
		if err != nil {
			var fe *FlagError
			if !errors.As(err, &fe) || !utf8.ValidString(fe.Flag) || utf8.RuneCountInString(fe.Flag) > maxFlagEcho+1 {
				t.Fatalf("%q: error %#v", text, err)
			}
			return
		}
		for k, v := range over {
			if !ValidOption(k) {
				t.Fatalf("%q: unknown option %q", text, k)
			}
			if k == OptAutoRecording && !AutoRecording(v).Valid() {
				t.Fatalf("%q: recording %q", text, v)
			}
		}
		if strings.TrimSpace(topic) != topic || len(topic) > len(text) {
			t.Fatalf("%q: topic %q", text, topic)
		}
		if !strings.HasPrefix(strings.TrimSpace(text), "-") && !strings.HasPrefix(strings.TrimSpace(text), "—") &&
			!strings.HasPrefix(strings.TrimSpace(text), "–") && topic != strings.TrimSpace(text) {
			t.Fatalf("%q: a text without flags became topic %q", text, topic)
		}
	})
}
