package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
)

// Setup and doctor against behaviours of a real Mattermost that the simulator first got wrong (see
// sim/mmsim/fidelity_test.go for where each was read).

func TestSetupSaysCommandsAreOffWhenTheListingIsRefused(t *testing.T) {
	w := newSetupWorld(t)
	w.sim.SetConfig("ServiceSettings", "EnableCommands", false)
	out, err := w.run(w.adminToken, "--yes", "--team", "eng")
	want := "✘ cannot list the slash commands of team eng: Mattermost answered 501 api.command.disabled.app_error; custom slash commands are off: turn on ServiceSettings.EnableCommands"
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
}

func TestDoctorSaysCommandsAreOff(t *testing.T) {
	w, env := doctorWorld(t, meeting.KindS2S)
	w.Mattermost.SetConfig("ServiceSettings", "EnableCommands", false)
	out, err := w.doctor(t, env, "--zoom-user", w.Alice.Email)
	want := "✘ command tokens: custom slash commands are off in Mattermost (ServiceSettings.EnableCommands) → turn them on"
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
}
