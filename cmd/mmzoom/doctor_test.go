package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// baseAdminScopes are the scopes an admin-managed or Server-to-Server app needs (README, Scopes);
// allAdminScopes adds those of the features on by default (summaries, transcripts).
const (
	baseAdminScopes = "user:read:user:admin meeting:write:meeting:admin meeting:read:meeting:admin meeting:read:past_meeting:admin"
	allAdminScopes  = baseAdminScopes + " meeting:read:summary:admin cloud_recording:read:recording:admin"
)

// doctorWorld is a running mmzoom (s2s) whose Zoom app has every scope, with a system admin's token.
func doctorWorld(t *testing.T, kind meeting.AppKind) (*world, map[string]string) {
	t.Helper()
	w := newWorld(t, kind)
	w.Zoom.SetGrantedScopes(true, allAdminScopes)
	w.Zoom.SetGrantedScopes(false, strings.ReplaceAll(allAdminScopes, ":admin", ""))
	admin := w.Mattermost.AddUser(mmsim.User{Username: "root", Email: "root@example.com", Roles: "system_user system_admin"}, w.Team.ID)
	env := map[string]string{"MMZOOM_MATTERMOST_ADMIN_TOKEN": w.Mattermost.Login(admin.ID)}
	for _, kv := range w.Config.environ("") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	// The command has been used once, so mmzoom bound its token to the team.
	if res := w.run(w.Alice, w.Town, "/zoom help"); res.Error != "" {
		t.Fatalf("/zoom help: %s", res.Error)
	}
	return w, env
}

func (w *world) doctor(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	return w.doctorIn(t, cliText{}, env, args...)
}

// doctorIn runs doctor in a language (the zero cliText is English).
func (w *world) doctorIn(t *testing.T, text cliText, env map[string]string, args ...string) (string, error) {
	t.Helper()
	flags := flag.NewFlagSet("mmzoom doctor", flag.ContinueOnError)
	fl := newDoctorFlags(flags)
	if err := flags.Parse(args); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err := runDoctor(context.Background(), fl, func(k string) string { return env[k] }, &out,
		doctorDeps{httpClient: &http.Client{Timeout: 10 * time.Second}, now: w.clock.Now, text: text})
	got := out.String()
	for _, secret := range []string{env["MMZOOM_MATTERMOST_BOT_TOKEN"], env["MMZOOM_ZOOM_CLIENT_SECRET"], env["MMZOOM_ZOOM_WEBHOOK_SECRET"],
		env["MMZOOM_MATTERMOST_ADMIN_TOKEN"], env["MMZOOM_ENCRYPTION_KEY"], env["MMZOOM_MATTERMOST_COMMAND_TOKENS"]} {
		if secret != "" && strings.Contains(got, secret) {
			t.Fatalf("doctor printed a secret:\n%s", got)
		}
	}
	for from, to := range map[string]string{w.MMZoomURL: "http://mmzoom.test", w.MMURL: "http://mattermost.test",
		w.ZoomURL: "http://zoom.test", w.dir: "<dir>"} {
		got = strings.ReplaceAll(got, from, to)
	}
	return got, err
}

func TestDoctorPassesOnAGoodSetup(t *testing.T) {
	w, env := doctorWorld(t, meeting.KindS2S)
	out, err := w.doctor(t, env, "--zoom-user", w.Alice.Email)
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	golden(t, "doctor_good_s2s", out)

	out, err = w.doctor(t, env, "--json", "--zoom-user", w.Alice.Email)
	var rep doctorReport
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil || !rep.OK || len(rep.Checks) < 10 {
		t.Fatalf("--json: %v\n%s", err, out)
	}
}

func TestDoctorNamesWhatIsBroken(t *testing.T) {
	w, good := doctorWorld(t, meeting.KindS2S)
	for _, c := range []struct {
		name  string
		edit  map[string]string // "" deletes
		setup func()
		want  string
		fails int // failing lines; 0 means 1
	}{
		{name: "wrong bot token", edit: map[string]string{"MMZOOM_MATTERMOST_BOT_TOKEN": "wrongtoken"},
			want: "✘ bot token: Mattermost refuses MMZOOM_MATTERMOST_BOT_TOKEN (HTTP 401): it is wrong or was revoked → run mmzoom setup"},
		{name: "unknown command token", edit: map[string]string{"MMZOOM_MATTERMOST_COMMAND_TOKENS": good["MMZOOM_MATTERMOST_COMMAND_TOKENS"] + ",notacommandtoken"},
			want: "✘ command token 2: no slash command in Mattermost has this token → run mmzoom setup"},
		{name: "missing webhook secret", edit: map[string]string{"MMZOOM_ZOOM_WEBHOOK_SECRET": ""},
			want: "✘ Zoom webhook: MMZOOM_ZOOM_WEBHOOK_SECRET is not set", fails: 2}, // the configuration line names it too
		{name: "wrong webhook secret", edit: map[string]string{"MMZOOM_ZOOM_WEBHOOK_SECRET": "zz-wrong-secret-9f"},
			want: "failed Zoom's URL validation: it refused the signature (HTTP 401)"},
		{name: "Zoom refuses the credentials", edit: map[string]string{"MMZOOM_ZOOM_CLIENT_SECRET": "wrong"},
			want: "✘ Zoom credentials: Zoom refused MMZOOM_ZOOM_CLIENT_ID/MMZOOM_ZOOM_CLIENT_SECRET (HTTP 401 invalid_client: Invalid client_id or client_secret)"},
		{name: "wrong account id", edit: map[string]string{"MMZOOM_ZOOM_ACCOUNT_ID": "other"},
			want: "✘ Zoom credentials: Zoom refused the Server-to-Server token request (HTTP 400 invalid_request: Invalid account_id) → check MMZOOM_ZOOM_ACCOUNT_ID"},
		{name: "missing scope", setup: func() { w.Zoom.SetGrantedScopes(true, "meeting:write:meeting:admin user:read:user:admin") },
			want: "✘ Zoom scopes: the Server-to-Server app lacks meeting:read:meeting:admin or meeting:read:admin (for checking meetings whose end was never heard of)"},
		{name: "missing scope of a feature turned on", setup: func() { w.Zoom.SetGrantedScopes(true, baseAdminScopes+" cloud_recording:read:recording:admin") },
			want: "✘ Zoom scopes: the Server-to-Server app lacks meeting:read:summary:admin or meeting_summary:read:admin (for AI Companion summaries, post_summaries) → " +
				"add them to the app in the Zoom App Marketplace (Scopes; README lists them), or turn off in the config file the feature that needs them"},
		{name: "unreachable database", edit: map[string]string{"MMZOOM_DATABASE": "sqlite://" + filepath.Join(w.dir, "nowhere", "mmzoom.db")},
			want: "✘ database: <dir>/nowhere/mmzoom.db does not exist → check MMZOOM_DATABASE"},
		{name: "Zoom user unknown", edit: map[string]string{}, want: "✘ Zoom user: Zoom has no user nobody@example.com (code 1001)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range good {
				env[k] = v
			}
			for k, v := range c.edit {
				env[k] = v
			}
			w.Zoom.SetGrantedScopes(true, allAdminScopes)
			if c.setup != nil {
				c.setup()
			}
			user := w.Alice.Email
			if c.name == "Zoom user unknown" {
				user = "nobody@example.com"
			}
			out, err := w.doctor(t, env, "--zoom-user", user)
			if !errors.Is(err, errDoctorFailed) {
				t.Fatalf("doctor passed:\n%s", out)
			}
			if !strings.Contains(out, c.want) {
				t.Fatalf("no line %q in:\n%s", c.want, out)
			}
			if c.fails == 0 {
				c.fails = 1
			}
			if n := strings.Count(out, "✘"); n != c.fails {
				t.Errorf("%d failing lines, want %d:\n%s", n, c.fails, out)
			}
		})
	}
}

func TestDoctorChecksTheOAuthAppsCredentials(t *testing.T) {
	w, env := doctorWorld(t, meeting.KindAccount)
	good := env["MMZOOM_ZOOM_CLIENT_SECRET"]
	out, err := w.doctor(t, env)
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out, "✔ Zoom credentials: Zoom's token endpoint knows the app") ||
		!strings.Contains(out, "✘ Zoom account: no Zoom account is connected → a Mattermost system admin runs /zoom connect") {
		t.Fatalf("%v\n%s", err, out)
	}
	// Once a system admin connected the account, doctor sees whom mmzoom acts as, with the stored token.
	w.clock.Advance(2 * time.Minute) // mmzoom caches users for a minute, alice's roles included
	w.connectAccount()
	out, err = w.doctor(t, env)
	for _, want := range []string{"✔ encryption key: opens the stored Zoom tokens", "✔ Zoom user: mmzoom acts as alice@example.com",
		"✔ Zoom scopes: the account connection has the scopes mmzoom needs"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	env["MMZOOM_ZOOM_CLIENT_SECRET"] = "wrong"
	out, _ = w.doctor(t, env)
	if !strings.Contains(out, "✘ Zoom credentials: Zoom refused MMZOOM_ZOOM_CLIENT_ID/MMZOOM_ZOOM_CLIENT_SECRET (HTTP 401 invalid_client") {
		t.Fatalf("%s", out)
	}
	// Another key cannot open what the first one stored.
	env["MMZOOM_ZOOM_CLIENT_SECRET"] = good
	env["MMZOOM_ENCRYPTION_KEY"] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	out, _ = w.doctor(t, env)
	if !strings.Contains(out, "✘ encryption key: does not open the stored Zoom tokens") {
		t.Fatalf("%s", out)
	}
}

func TestDoctorChecksEachUsersScopes(t *testing.T) {
	w, env := doctorWorld(t, meeting.KindUser)
	out, err := w.doctor(t, env)
	if err != nil || !strings.Contains(out, "✔ Zoom scopes: no user has connected yet") || !strings.Contains(out, "✔ e-mail trust: not needed") {
		t.Fatalf("%v\n%s", err, out)
	}
	w.Zoom.SetGrantedScopes(false, "meeting:write:meeting user:read:user")
	w.connectUser(w.Kenji, w.Kenji.Email)
	out, err = w.doctor(t, env)
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out, "✘ Zoom scopes: 1 of 1 connected users granted too few scopes") {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestDoctorChecksOnlyTheScopesOfFeaturesTurnedOn(t *testing.T) {
	w, env := doctorWorld(t, meeting.KindS2S)
	w.Zoom.SetGrantedScopes(true, baseAdminScopes)
	out, err := w.doctor(t, env, "--zoom-user", w.Alice.Email)
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out, "lacks meeting:read:summary:admin or meeting_summary:read:admin (for AI Companion summaries, post_summaries), "+
		"cloud_recording:read:recording:admin or recording:read:admin (for transcripts and the meeting chat, post_transcripts/post_meeting_chat)") {
		t.Fatalf("summaries and transcripts are on by default, their scopes missing: %v\n%s", err, out)
	}
	file := filepath.Join(t.TempDir(), "mmzoom.json")
	if err := os.WriteFile(file, []byte(`{"post_summaries": false, "post_transcripts": false}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env["MMZOOM_CONFIG"] = file
	out, err = w.doctor(t, env, "--zoom-user", w.Alice.Email)
	if err != nil || !strings.Contains(out, "✔ Zoom scopes: the Server-to-Server app has the scopes mmzoom needs") {
		t.Fatalf("with both off the base scopes are enough: %v\n%s", err, out)
	}
	if err := os.WriteFile(file, []byte(`{"post_summaries": false, "post_transcripts": false, "post_meeting_chat": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = w.doctor(t, env, "--zoom-user", w.Alice.Email)
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out, "lacks cloud_recording:read:recording:admin") || strings.Contains(out, "meeting:read:summary") {
		t.Fatalf("the meeting chat needs the recording scope: %v\n%s", err, out)
	}
}
