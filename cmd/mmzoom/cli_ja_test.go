package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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
	if !strings.Contains(out, "✘ ボットのトークン: Mattermost が MMZOOM_MATTERMOST_BOT_TOKEN を拒否しました (HTTP 401)") {
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

// The command line follows LANG (or MMZOOM_LANG) as a Japanese admin's shell sets it: usage, help with its
// flags, mistakes and serve's configuration problems (the meeting-defaults security rule among them) are in
// Japanese, with variables, settings and commands left as typed; exit statuses do not change.
func TestCommandLineInJapanese(t *testing.T) {
	dir := t.TempDir()
	insecure := filepath.Join(dir, "insecure.json")
	if err := os.WriteFile(insecure, []byte(`{"meeting_defaults":{"passcode":false,"waiting_room":false,"meeting_authentication":false}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	serveEnv := validEnv("s2s")
	serveEnv["MMZOOM_CONFIG"] = insecure
	serveEnv["MMZOOM_ZOOM_APP_KIND"] = "zoomy"
	serveEnv["LANG"] = "ja_JP.UTF-8"
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout []string
		stderr []string
		never  []string
	}{
		{name: "usage", args: []string{"help"}, env: map[string]string{"LANG": "ja_JP.UTF-8"}, code: 0,
			stdout: []string{"使い方: mmzoom <command>", "dead-letters", "各コマンドの詳細は 'mmzoom <command> --help'"}, never: []string{"usage:", "commands:"}},
		{name: "MMZOOM_LANG over LANG", args: []string{"help"}, env: map[string]string{"MMZOOM_LANG": "ja", "LANG": "en_US.UTF-8"}, code: 0,
			stdout: []string{"使い方: mmzoom <command>"}},
		{name: "English when LC_ALL says so", args: []string{"help"}, env: map[string]string{"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, code: 0,
			stdout: []string{"usage: mmzoom <command>"}},
		{name: "setup --help with its flags", args: []string{"setup", "--help"}, env: map[string]string{"LANG": "ja_JP.UTF-8"}, code: 0,
			stdout: []string{"使い方: mmzoom setup", "MMZOOM_MATTERMOST_ADMIN_TOKEN", "-bot-roles", "ボットのシステムロール (system_user を含めてください)",
				"管理者の同意が必要な変更"},
			never: []string{"the bot's system roles"}},
		{name: "doctor --help", args: []string{"doctor", "--help"}, env: map[string]string{"LANG": "ja_JP.UTF-8"}, code: 0,
			stdout: []string{"使い方: mmzoom doctor", "-json", "確認の結果を JSON で表示します"}},
		{name: "unknown command", args: []string{"serv"}, env: map[string]string{"LANG": "ja_JP.UTF-8"}, code: 2,
			stderr: []string{`mmzoom: "serv" というコマンドはありません`, "使い方: mmzoom <command>"}},
		{name: "stray argument", args: []string{"keygen", "now"}, env: map[string]string{"LANG": "ja_JP.UTF-8"}, code: 2,
			stderr: []string{`余分な引数があります: "now"`, "使い方は 'mmzoom keygen --help' で表示できます。"}},
		{name: "serve with bad configuration", args: []string{"serve"}, env: serveEnv, code: 2,
			stderr: []string{"mmzoom serve: 設定に誤りがあります:",
				`MMZOOM_ZOOM_APP_KIND には user、account、s2s のいずれかを指定してください (指定された値: "zoomy")`,
				"MMZOOM_CONFIG: meeting_defaults で passcode、waiting_room、meeting_authentication がすべてオフになっていますが、Zoom ではこのうち少なくとも 1 つが必要です"},
			never: []string{"invalid configuration", "bot-token-SECRET"}},
		{name: "revoke without a user", args: []string{"revoke"}, env: map[string]string{"LANG": "ja_JP.UTF-8"}, code: 2,
			stderr: []string{"mmzoom revoke: --user NAME (1 つ以上) か --all のどちらかを指定してください"}},
		{name: "dead-letters without a key", args: []string{"dead-letters"}, env: map[string]string{"LANG": "ja_JP.UTF-8"}, code: 2,
			stderr: []string{"mmzoom dead-letters: MMZOOM_ENCRYPTION_KEY は必須です"}},
		{name: "healthcheck with a bad listen address", args: []string{"healthcheck"}, env: map[string]string{"LANG": "ja_JP.UTF-8", "MMZOOM_LISTEN": "8090"}, code: 2,
			stderr: []string{`MMZOOM_LISTEN には host:port か :port を指定してください (指定された値: "8090")`}},
		{name: "healthcheck with nothing listening", args: []string{"healthcheck", "-url", closedURL(t) + "/healthz"},
			env: map[string]string{"LC_MESSAGES": "ja_JP.UTF-8"}, code: 1, stderr: []string{"が応答しません: "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), c.args, func(k string) string { return c.env[k] }, &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout.String(), stderr.String())
			}
			for _, want := range c.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, want := range c.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			for _, never := range c.never {
				if strings.Contains(stdout.String()+stderr.String(), never) {
					t.Errorf("output has %q:\n%s%s", never, stdout.String(), stderr.String())
				}
			}
		})
	}
}

// dead-letters in Japanese keeps its columns in line although the header's characters are twice as wide.
func TestDeadLettersColumnsLineUpInJapanese(t *testing.T) {
	var out bytes.Buffer
	rows := [][]string{strings.Split(newCLIText("ja").T("cli.dead.header"), "|"), {"2026-12-06T06:00:00Z", "refresh", "refresh:7", "3", "card deleted"}}
	if err := writeColumns(&out, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	// Each column starts at the same terminal column on both lines.
	col := func(line, cell string) int { return displayWidth(line[:strings.Index(line, cell)]) }
	for i, cell := range rows[1] {
		if h, d := col(lines[0], rows[0][i]), col(lines[1], cell); h != d {
			t.Errorf("column %d starts at %d in the header and %d in the row:\n%s", i, h, d, out.String())
		}
	}
}
