package meeting

import "strconv"

// The schedule dialog's meeting options: one select per option the admin lets users change
// (MeetingDefaults.UsersMayChange), set to the admin's default, and none at all when nothing may be changed.
// The choices become Overrides and go through MeetingDefaults.Apply like /zoom start's flags, so a scheduled
// meeting gets exactly what an instant one would. A reschedule shows no options: Zoom keeps the settings of
// a meeting whose PATCH does not name them.

// optionFieldPrefix starts the dialog field name of an option ("opt_waiting_room").
const optionFieldPrefix = "opt_"

// optZoom is the choice "as Zoom sets it", offered when the admin set no default for an option.
const optZoom = "zoom"

// optionChoices are the values (and their message keys) of option name's select.
func optionChoices(name string) [][2]string {
	switch name {
	case OptAutoRecording:
		return [][2]string{{"schedule.option.record_none", string(RecordNone)}, {"schedule.option.record_local", string(RecordLocal)},
			{"schedule.option.record_cloud", string(RecordCloud)}}
	case OptJoinBeforeHost:
		return [][2]string{{"schedule.option.off", "false"}, {"schedule.option.jbh_any", "true:0"},
			{"schedule.option.jbh_5", "true:5"}, {"schedule.option.jbh_10", "true:10"}}
	}
	return [][2]string{{"schedule.option.on", "true"}, {"schedule.option.off", "false"}}
}

// optionDefault is the admin's default for option name as a choice value, or optZoom when there is none.
func (d MeetingDefaults) optionDefault(name string) string {
	o := d.Options
	b := func(p *bool) string {
		if p == nil {
			return optZoom
		}
		return strconv.FormatBool(*p)
	}
	switch name {
	case OptWaitingRoom:
		return b(o.WaitingRoom)
	case OptJoinBeforeHost:
		if o.JoinBeforeHost == nil || !*o.JoinBeforeHost {
			return b(o.JoinBeforeHost)
		}
		m := 0
		if o.JoinBeforeHostMinutes != nil {
			m = *o.JoinBeforeHostMinutes
		}
		return "true:" + strconv.Itoa(m)
	case OptMuteUponEntry:
		return b(o.MuteUponEntry)
	case OptHostVideo:
		return b(o.HostVideo)
	case OptParticipantVideo:
		return b(o.ParticipantVideo)
	case OptAutoRecording:
		if o.AutoRecording == nil {
			return optZoom
		}
		return string(*o.AutoRecording)
	case OptPasscode:
		return b(o.Passcode)
	case OptAuthentication:
		return b(o.Authentication)
	}
	return optZoom
}

// optionElements are the dialog's option selects, in OptionNames order, in the user's language.
func (s *Service) optionElements(l string) []DialogElement {
	var els []DialogElement
	for _, name := range OptionNames {
		if !s.cfg.Defaults.mayChange(name) {
			continue
		}
		def := s.cfg.Defaults.optionDefault(name)
		var opts [][2]string
		if def == optZoom {
			opts = append(opts, [2]string{s.Text.T(l, "schedule.option.zoom"), optZoom})
		}
		for _, c := range optionChoices(name) {
			opts = append(opts, [2]string{s.Text.T(l, c[0]), c[1]})
		}
		els = append(els, DialogElement{Name: optionFieldPrefix + name, Label: s.Text.T(l, "schedule.option."+name),
			Type: "select", Options: opts, Default: def, Help: s.Text.T(l, "schedule.option.help")})
	}
	return els
}

// parseOptions reads the dialog's option choices into the meeting's options, adding field errors in the
// user's language: a value the select does not offer, or a combination that leaves no security option on
// (Zoom requires one of passcode, waiting room and authentication).
func (s *Service) parseOptions(l string, v map[string]string, errs map[string]string) MeetingOptions {
	over := Overrides{}
	for _, name := range OptionNames {
		if !s.cfg.Defaults.mayChange(name) {
			continue
		}
		field := optionFieldPrefix + name
		val, ok := v[field]
		if !ok || val == "" || val == optZoom {
			continue
		}
		valid := false
		for _, c := range optionChoices(name) {
			valid = valid || c[1] == val
		}
		if !valid {
			errs[field] = s.Text.T(l, "schedule.error.option")
			continue
		}
		over[name] = val
	}
	opts, refusal := s.cfg.Defaults.Apply(over)
	if refusal != nil && refusal.Insecure {
		// Named on the security options the user can change, so the dialog shows where to fix it.
		for _, name := range []string{OptPasscode, OptWaitingRoom, OptAuthentication} {
			if s.cfg.Defaults.mayChange(name) {
				errs[optionFieldPrefix+name] = s.Text.T(l, "options.insecure")
			}
		}
	}
	return opts
}
