package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/zoom"
)

// An admin whose locale is Japanese reads setup in Japanese: every line, with the ✔/✘/! markers, the
// setting names, variables and commands left in English. testdata/setup_first_run_ja.golden pins it.
func TestSetupFirstRunInJapanese(t *testing.T) {
	w := newSetupWorld(t)
	w.text = newCLIText("ja")
	w.sim.SetConfig("PluginSettings", "EnableUploads", true)
	out, err := w.run(w.adminToken, "--yes")
	if err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	out = strings.ReplaceAll(out, w.configPath, "<config>")
	golden(t, "setup_first_run_ja", out)
	for _, secret := range []string{w.adminToken, w.userToken} {
		if strings.Contains(out, secret) {
			t.Fatalf("setup printed a token:\n%s", out)
		}
	}
	for _, english := range []string{"created the bot", "added @zoom", "Done:"} {
		if strings.Contains(out, english) {
			t.Errorf("the Japanese output still says %q:\n%s", english, out)
		}
	}
}

// doctor in Japanese, with a wrong bot token: the failing line is translated with its fix, the check names
// too; --json keeps the English names monitoring relies on. testdata/doctor_failure_ja.golden pins it.
func TestDoctorWithAFailureInJapanese(t *testing.T) {
	w, env := doctorWorld(t, meeting.KindS2S)
	env["MMZOOM_MATTERMOST_BOT_TOKEN"] = "wrongtoken"
	ja := newCLIText("ja")
	out, err := w.doctorIn(t, ja, env, "--zoom-user", w.Alice.Email)
	if !errors.Is(err, errDoctorFailed) {
		t.Fatalf("doctor: %v, want a failed check\n%s", err, out)
	}
	golden(t, "doctor_failure_ja", out)
	if !strings.Contains(out, "✘ Bot のトークン: Mattermost が MMZOOM_MATTERMOST_BOT_TOKEN を拒否しました (HTTP 401)") {
		t.Errorf("the failing line is not in Japanese:\n%s", out)
	}

	out, _ = w.doctorIn(t, ja, env, "--json", "--zoom-user", w.Alice.Email)
	var rep doctorReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	names := map[string]checkStatus{}
	for _, c := range rep.Checks {
		names[c.Name] = c.Status
	}
	if names["bot token"] != checkFail || names["database"] != checkOK || names["Zoom webhook"] != checkOK {
		t.Errorf("--json names are not the stable English keys: %v", names)
	}
	if !strings.Contains(out, "トークンが間違っているか") {
		t.Errorf("--json detail is not in the admin's language:\n%s", out)
	}
}

// Every scope doctor may name says what it is for in Japanese too.
func TestEveryScopeNeedIsTranslated(t *testing.T) {
	all := zoom.Features{Summaries: true, Transcripts: true, Chat: true}
	for _, kind := range []meeting.AppKind{meeting.KindUser, meeting.KindAccount, meeting.KindS2S} {
		for _, n := range append(zoom.NeededScopes(kind), zoom.FeatureScopes(kind, all)...) {
			key, ok := scopeForKeys[n.For]
			if !ok {
				t.Errorf("zoom.ScopeNeed %q has no entry in scopeForKeys", n.For)
				continue
			}
			if en := newCLIText("en").T(key); en != n.For {
				t.Errorf("%s in English is %q, want %q", key, en, n.For)
			}
		}
	}
}
