package meeting

import (
	"reflect"
	"testing"
)

// optionsService is a service whose admin lets users change recording, passcode and waiting room (off by
// default), with authentication off: the passcode is then the only security option on.
func optionsService() *Service {
	return NewService(Config{Defaults: MeetingDefaults{
		Options: MeetingOptions{WaitingRoom: ptrTo(false), Passcode: ptrTo(true), Authentication: ptrTo(false),
			AutoRecording: ptrTo(RecordNone), MuteUponEntry: ptrTo(true)},
		UsersMayChange: []string{OptAutoRecording, OptPasscode, OptWaitingRoom, OptJoinBeforeHost},
	}}, Deps{Chat: newFakeChat(), Store: newMemStore(), Text: keyText{}})
}

func ptrTo[T any](v T) *T { return &v }

func TestScheduleDialogOptions(t *testing.T) {
	s := optionsService()
	els := s.optionElements("ja")
	var names []string
	defaults := map[string]string{}
	for _, e := range els {
		names = append(names, e.Name)
		defaults[e.Name] = e.Default
	}
	// In OptionNames order; join before host has no admin default, so it starts at "as set in Zoom".
	wantNames := []string{"opt_waiting_room", "opt_join_before_host", "opt_auto_recording", "opt_passcode"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("elements %v, want %v", names, wantNames)
	}
	if defaults["opt_waiting_room"] != "false" || defaults["opt_join_before_host"] != optZoom || defaults["opt_auto_recording"] != "none" ||
		defaults["opt_passcode"] != "true" {
		t.Errorf("defaults %v", defaults)
	}
	cases := []struct {
		name   string
		values map[string]string
		errs   []string
		check  func(MeetingOptions) bool
	}{
		{"left as opened", map[string]string{"opt_waiting_room": "false", "opt_join_before_host": "zoom", "opt_auto_recording": "none", "opt_passcode": "true"}, nil,
			func(o MeetingOptions) bool {
				return *o.Passcode && !*o.WaitingRoom && o.JoinBeforeHost == nil && *o.MuteUponEntry
			}},
		{"nothing submitted", map[string]string{}, nil, func(o MeetingOptions) bool { return *o.Passcode && o.JoinBeforeHost == nil }},
		{"cloud, join 10 minutes early", map[string]string{"opt_auto_recording": "cloud", "opt_join_before_host": "true:10"}, nil,
			func(o MeetingOptions) bool {
				return *o.AutoRecording == RecordCloud && *o.JoinBeforeHost && *o.JoinBeforeHostMinutes == 10
			}},
		{"passcode off, waiting room on", map[string]string{"opt_passcode": "false", "opt_waiting_room": "true"}, nil,
			func(o MeetingOptions) bool { return !*o.Passcode && *o.WaitingRoom }},
		{"no security option left", map[string]string{"opt_passcode": "false"}, []string{"opt_waiting_room", "opt_passcode"}, nil},
		{"a value not offered", map[string]string{"opt_auto_recording": "all"}, []string{"opt_auto_recording"}, nil},
		{"jbh window not offered", map[string]string{"opt_join_before_host": "true:7"}, []string{"opt_join_before_host"}, nil},
		{"an option not allowed is ignored", map[string]string{"opt_mute_upon_entry": "false", "opt_meeting_authentication": "true"}, nil,
			func(o MeetingOptions) bool { return *o.MuteUponEntry && !*o.Authentication }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := map[string]string{}
			o := s.parseOptions("ja", c.values, errs)
			var got []string
			for _, n := range wantNames {
				if errs[n] != "" {
					got = append(got, n)
				}
			}
			if !reflect.DeepEqual(got, c.errs) || len(errs) != len(c.errs) {
				t.Errorf("field errors %v, want on %v", errs, c.errs)
			}
			if c.check != nil && !c.check(o) {
				t.Errorf("options %+v", o)
			}
		})
	}
}

// FuzzParseScheduleOptions: whatever a submission carries, the options either come with field errors or
// are ones Zoom accepts, and only the options the admin allows differ from the defaults.
func FuzzParseScheduleOptions(f *testing.F) {
	for _, seed := range [][4]string{{"false", "zoom", "none", "true"}, {"true", "true:5", "cloud", "false"}, {"", "", "", "false"},
		{"yes", "true:", "local", "true"}, {"false", "true:abc", "\x00", ""}} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	s := optionsService()
	f.Fuzz(func(t *testing.T, wr, jbh, rec, pass string) {
		errs := map[string]string{}
		o := s.parseOptions("en", map[string]string{"opt_waiting_room": wr, "opt_join_before_host": jbh, "opt_auto_recording": rec,
			"opt_passcode": pass, "opt_mute_upon_entry": "false"}, errs)
		if len(errs) > 0 {
			return
		}
		if err := o.Check(); err != nil {
			t.Fatalf("accepted options Zoom refuses: %v (%+v)", err, o)
		}
		if !*o.MuteUponEntry || *o.Authentication {
			t.Fatalf("an option users may not change was changed: %+v", o)
		}
	})
}
