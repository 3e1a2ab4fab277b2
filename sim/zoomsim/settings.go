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
	// Passcode says whether the meeting has one (from default_password, or forced by the security rule).
	Passcode bool
	// Sent lists the settings fields the create request carried, for tests to check what reached Zoom.
	Sent map[string]any
}

// invalidField is Zoom's answer to a body field of the wrong type or value: 400, code 300.
type invalidField struct{ message string }

// parseSettings validates the create request's settings the way Zoom's API does: every field has a JSON type
// (booleans are booleans, jbh_time a number among 0, 5, 10, auto_recording one of its strings), and a wrong
// type or value is refused with 400 code 300. defaultPassword is the top-level default_password field.
func parseSettings(raw json.RawMessage, defaultPassword json.RawMessage) (Settings, *invalidField) {
	set := Settings{AutoRecording: "none", Passcode: true, Sent: map[string]any{}}
	if len(defaultPassword) > 0 {
		var b bool
		if json.Unmarshal(defaultPassword, &b) != nil {
			return set, &invalidField{"Invalid field: default_password."}
		}
		// No passcode only when asked for none: this simulated account requires a passcode by default but does
		// not lock the setting.
		set.Passcode = b
	}
	if len(raw) == 0 || string(raw) == "null" {
		return set, nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return set, &invalidField{"Invalid field: settings."}
	}
	bools := map[string]*bool{
		"use_pmi": &set.UsePMI, "waiting_room": &set.WaitingRoom, "join_before_host": &set.JoinBeforeHost,
		"mute_upon_entry": &set.MuteUponEntry, "host_video": &set.HostVideo, "participant_video": &set.ParticipantVideo,
		"meeting_authentication": &set.MeetingAuthentication,
	}
	for name, v := range fields {
		var parsed any
		_ = json.Unmarshal(v, &parsed)
		set.Sent[name] = parsed
		if into, ok := bools[name]; ok {
			if json.Unmarshal(v, into) != nil {
				return set, &invalidField{"Invalid field: settings." + name + "."}
			}
			continue
		}
		switch name {
		case "jbh_time":
			var n float64
			if json.Unmarshal(v, &n) != nil || (n != 0 && n != 5 && n != 10) {
				return set, &invalidField{"Invalid field: settings.jbh_time."}
			}
			set.JBHTime = int(n)
		case "auto_recording":
			var s string
			if json.Unmarshal(v, &s) != nil || (s != "none" && s != "local" && s != "cloud") {
				return set, &invalidField{"Invalid field: settings.auto_recording."}
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
	return set, nil
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
