package zoomsim

import (
	"encoding/json"
	"net/http"
)

// Settings are a meeting's settings as the simulator keeps them: the fields of Zoom's create-meeting
// "settings" object that mmzoom may send, with Zoom's defaults for what a request leaves out.
type Settings struct {
	UsePMI                bool
	WaitingRoom           bool
	JoinBeforeHost        bool
	JBHTime               int // minutes: 0, 5 or 10
	MuteUponEntry         bool
	HostVideo             bool
	ParticipantVideo      bool
	AutoRecording         string // "none", "local" or "cloud"
	MeetingAuthentication bool
	// Passcode says whether the meeting has one: the host's "Require a passcode" setting, default_password
	// true, or the security rule.
	Passcode bool
	// Sent lists the settings fields the create request carried (and later PATCHes), for tests to check what
	// reached Zoom.
	Sent map[string]any
	// Patched lists the settings fields the last PATCH carried (nil when no PATCH named any).
	Patched map[string]any
}

// invalidField is Zoom's answer to a body field of the wrong type or value: 400, code 300.
type invalidField struct{ message string }

// parseSettings validates the create request's settings the way Zoom's API does: every field has a JSON type
// (booleans are booleans, jbh_time a number among 0, 5, 10, auto_recording one of its strings), and a wrong
// type or value is refused with 400 code 300. defaultPassword is the top-level default_password field;
// requirePasscode the host's "Require a passcode when scheduling new meetings" setting.
//
// default_password is "Whether to generate a default password using the user's settings. This value
// defaults to false." (Zoom's Meeting API OpenAPI file): false is what leaving it out means, not a request
// for no passcode. Where the host's setting requires one, Zoom generates a passcode for a meeting created
// without one ("a password (a six-digit numeric code) is automatically generated", Zoom Developer Blog,
// 2019-09-11), whatever default_password says.
func parseSettings(raw json.RawMessage, defaultPassword json.RawMessage, requirePasscode bool) (Settings, *invalidField) {
	set := Settings{AutoRecording: "none", Passcode: requirePasscode, Sent: map[string]any{}}
	if len(defaultPassword) > 0 {
		var b bool
		if json.Unmarshal(defaultPassword, &b) != nil {
			return set, &invalidField{"Invalid field: default_password."}
		}
		set.Passcode = set.Passcode || b
	}
	if len(raw) == 0 || string(raw) == "null" {
		return set, nil
	}
	bad := set.apply(raw, set.Sent)
	return set, bad
}

// patchSettings applies a PATCH body's settings to a meeting's: the fields the body names change, with the
// same validation as a create; the others stay. A refused patch changes nothing.
func patchSettings(cur Settings, raw json.RawMessage) (Settings, *invalidField) {
	if len(raw) == 0 || string(raw) == "null" {
		return cur, nil
	}
	next := cur
	patched := map[string]any{}
	if bad := next.apply(raw, patched); bad != nil {
		return cur, bad
	}
	next.Sent = make(map[string]any, len(cur.Sent)+len(patched))
	for k, v := range cur.Sent {
		next.Sent[k] = v
	}
	for k, v := range patched {
		next.Sent[k] = v
	}
	next.Patched = patched
	return next, nil
}

// apply validates a settings object and sets the fields it names, recording them in sent; then Zoom's rules
// that tie settings together.
func (set *Settings) apply(raw json.RawMessage, sent map[string]any) *invalidField {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return &invalidField{"Invalid field: settings."}
	}
	bools := map[string]*bool{
		"use_pmi": &set.UsePMI, "waiting_room": &set.WaitingRoom, "join_before_host": &set.JoinBeforeHost,
		"mute_upon_entry": &set.MuteUponEntry, "host_video": &set.HostVideo, "participant_video": &set.ParticipantVideo,
		"meeting_authentication": &set.MeetingAuthentication,
	}
	for name, v := range fields {
		var parsed any
		_ = json.Unmarshal(v, &parsed)
		sent[name] = parsed
		if into, ok := bools[name]; ok {
			if json.Unmarshal(v, into) != nil {
				return &invalidField{"Invalid field: settings." + name + "."}
			}
			continue
		}
		switch name {
		case "jbh_time":
			var n float64
			if json.Unmarshal(v, &n) != nil || (n != 0 && n != 5 && n != 10) {
				return &invalidField{"Invalid field: settings.jbh_time."}
			}
			set.JBHTime = int(n)
		case "auto_recording":
			var s string
			if json.Unmarshal(v, &s) != nil || (s != "none" && s != "local" && s != "cloud") {
				return &invalidField{"Invalid field: settings.auto_recording."}
			}
			set.AutoRecording = s
		}
		// Other settings Zoom has (audio, approval_type, …) are accepted and not modelled.
	}
	if set.WaitingRoom {
		// "If the Waiting Room feature is enabled, this setting is disabled."
		set.JoinBeforeHost = false
	}
	if !set.Passcode && !set.WaitingRoom && !set.MeetingAuthentication {
		// "Require that all meetings are secured with one security option": Zoom overwrites the request to
		// turn one back on; this simulator turns the passcode back on.
		set.Passcode = true
	}
	return nil
}

// writeInvalidField answers a create request with a field Zoom refuses.
func writeInvalidField(w http.ResponseWriter, f *invalidField) {
	zoomError(w, http.StatusBadRequest, 300, f.message)
}

// settingsJSON is the settings object of a meeting as Zoom's create and get answers show it.
func settingsJSON(s Settings) map[string]any {
	return map[string]any{"use_pmi": s.UsePMI, "join_before_host": s.JoinBeforeHost, "jbh_time": s.JBHTime,
		"waiting_room": s.WaitingRoom, "host_video": s.HostVideo, "participant_video": s.ParticipantVideo,
		"mute_upon_entry": s.MuteUponEntry, "approval_type": 2, "audio": "voip", "auto_recording": s.AutoRecording,
		"meeting_authentication": s.MeetingAuthentication}
}
