package meeting

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// AutoRecording is Zoom's auto_recording setting.
type AutoRecording string

// Zoom's auto_recording values.
const (
	RecordNone  AutoRecording = "none"
	RecordLocal AutoRecording = "local"
	RecordCloud AutoRecording = "cloud"
)

// Valid reports whether r is one of Zoom's auto_recording values.
func (r AutoRecording) Valid() bool { return r == RecordNone || r == RecordLocal || r == RecordCloud }

// MeetingOptions are the Zoom meeting settings mmzoom sets on a meeting it creates. A nil field is not sent:
// Zoom then applies the host's and the account's own settings, as it would for a meeting made in Zoom.
type MeetingOptions struct {
	WaitingRoom    *bool `json:"waiting_room,omitempty"`
	JoinBeforeHost *bool `json:"join_before_host,omitempty"`
	// JoinBeforeHostMinutes is Zoom's jbh_time: how long before the start participants may join (0 = any
	// time, 5 or 10). It only matters with JoinBeforeHost.
	JoinBeforeHostMinutes *int           `json:"join_before_host_minutes,omitempty"`
	MuteUponEntry         *bool          `json:"mute_upon_entry,omitempty"`
	HostVideo             *bool          `json:"host_video,omitempty"`
	ParticipantVideo      *bool          `json:"participant_video,omitempty"`
	AutoRecording         *AutoRecording `json:"auto_recording,omitempty"`
	// Passcode on asks Zoom for a passcode (default_password true); off leaves it to the host's "Require a
	// passcode when scheduling new meetings" setting, which Zoom turns on for everyone: default_password
	// defaults to false in Zoom's API and cannot remove a passcode that setting requires.
	Passcode *bool `json:"passcode,omitempty"`
	// Authentication is Zoom's meeting_authentication: only signed-in Zoom users may join.
	Authentication *bool `json:"meeting_authentication,omitempty"`
}

// The option names: keys of the config file's meeting_defaults, of users_may_change, and (with - for _)
// the /zoom start flags.
const (
	OptWaitingRoom      = "waiting_room"
	OptJoinBeforeHost   = "join_before_host"
	OptMuteUponEntry    = "mute_upon_entry"
	OptHostVideo        = "host_video"
	OptParticipantVideo = "participant_video"
	OptAutoRecording    = "auto_recording"
	OptPasscode         = "passcode"
	OptAuthentication   = "meeting_authentication"
)

// OptionNames lists every option a user may be allowed to change, in the order help shows them.
var OptionNames = []string{OptWaitingRoom, OptJoinBeforeHost, OptMuteUponEntry, OptHostVideo, OptParticipantVideo,
	OptAutoRecording, OptPasscode, OptAuthentication}

// ValidOption reports whether name is an option name.
func ValidOption(name string) bool {
	for _, n := range OptionNames {
		if n == name {
			return true
		}
	}
	return false
}

// ErrInsecureOptions: passcode, waiting room and authentication are all off. Zoom requires at least one
// security option and would silently turn one back on, so mmzoom refuses such settings instead.
var ErrInsecureOptions = errors.New("passcode, waiting room and meeting authentication are all off: Zoom requires at least one of them")

// Check reports what is wrong with o: an unknown recording mode, a join-before-host window Zoom does not
// offer, or no security option left on (ErrInsecureOptions). Only options set to off count as off: an
// option left to Zoom may be on.
func (o MeetingOptions) Check() error {
	if o.AutoRecording != nil && !o.AutoRecording.Valid() {
		return fmt.Errorf("auto_recording must be none, local or cloud, got %q", string(*o.AutoRecording))
	}
	if m := o.JoinBeforeHostMinutes; m != nil && *m != 0 && *m != 5 && *m != 10 {
		return fmt.Errorf("join_before_host_minutes must be 0, 5 or 10 (Zoom's jbh_time), got %d", *m)
	}
	off := func(b *bool) bool { return b != nil && !*b }
	if off(o.Passcode) && off(o.WaitingRoom) && off(o.Authentication) {
		return ErrInsecureOptions
	}
	return nil
}

// MeetingDefaults are the system admin's meeting options and which of them users may change per meeting.
type MeetingDefaults struct {
	Options MeetingOptions
	// UsersMayChange names the options (OptionNames) a user may set with /zoom start flags.
	UsersMayChange []string
}

// mayChange reports whether users may change option name.
func (d MeetingDefaults) mayChange(name string) bool {
	for _, n := range d.UsersMayChange {
		if n == name {
			return true
		}
	}
	return false
}

// Overrides are a user's per-meeting options, by option name; values are "true"/"false", a recording mode,
// or, for join_before_host, "true:<minutes>". They travel through buttons and connect links as strings.
type Overrides map[string]string

// String is the overrides in a stable form for a button argument ("name=value,…").
func (o Overrides) String() string {
	var parts []string
	for k, v := range o {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// parseOverrides reads Overrides.String's form; anything else is dropped (it came through a signed button).
func parseOverrides(s string) Overrides {
	if s == "" {
		return nil
	}
	o := Overrides{}
	for _, p := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(p, "="); ok && ValidOption(k) {
			o[k] = v
		}
	}
	return o
}

// OptionRefusal says why a user's per-meeting options cannot be used.
type OptionRefusal struct {
	NotAllowed []string // options the admin does not let users change
	Insecure   bool     // the result would leave no security option on
}

// Apply returns the defaults with the user's overrides, or a refusal naming what the admin does not allow.
func (d MeetingDefaults) Apply(over Overrides) (MeetingOptions, *OptionRefusal) {
	o := d.Options
	var r OptionRefusal
	names := make([]string, 0, len(over))
	for k := range over {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if !d.mayChange(name) {
			r.NotAllowed = append(r.NotAllowed, name)
			continue
		}
		v := over[name]
		on := v == "true" || strings.HasPrefix(v, "true:")
		switch name {
		case OptWaitingRoom:
			o.WaitingRoom = &on
		case OptJoinBeforeHost:
			o.JoinBeforeHost = &on
			if _, m, ok := strings.Cut(v, ":"); ok {
				n, _ := strconv.Atoi(m)
				o.JoinBeforeHostMinutes = &n
			}
		case OptMuteUponEntry:
			o.MuteUponEntry = &on
		case OptHostVideo:
			o.HostVideo = &on
		case OptParticipantVideo:
			o.ParticipantVideo = &on
		case OptAutoRecording:
			rec := AutoRecording(v)
			o.AutoRecording = &rec
		case OptPasscode:
			o.Passcode = &on
		case OptAuthentication:
			o.Authentication = &on
		}
	}
	if len(r.NotAllowed) > 0 {
		return o, &r
	}
	if errors.Is(o.Check(), ErrInsecureOptions) {
		return o, &OptionRefusal{Insecure: true}
	}
	return o, nil
}
