package deploy

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const unitPath = "systemd/mmzoom.service"

// TestSystemdUnit checks the unit with systemd's own tools: `systemd-analyze verify` must have nothing to
// say (it exits 0 even for an unknown or misspelt setting, and only prints a warning, so any output
// fails), and `systemd-analyze security --offline` must rate its exposure 2.0 or lower ("OK"; a plain
// service is 9.6, "UNSAFE"). The unit cannot be started here: systemd is not the init of this machine.
func TestSystemdUnit(t *testing.T) {
	analyze := needTool(t, "systemd-analyze", "systemd")
	src, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	// verify checks that ExecStart's program exists: point it at a stand-in of the same name.
	dir := t.TempDir()
	bin := filepath.Join(dir, "mmzoom")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(dir, "mmzoom.service")
	text := replaceOnce(t, unitPath, string(src), "ExecStart=/usr/local/bin/mmzoom serve", "ExecStart="+bin+" serve")
	if err := os.WriteFile(unit, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runTool(t, dir, nil, analyze, "verify", unit); err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unitPath, err, out)
	}
	if out, err := runTool(t, dir, nil, analyze, "security", "--offline=yes", "--threshold=20", "--no-pager", unit); err != nil {
		t.Errorf("systemd-analyze security rates %s above 2.0: %v\n%s", unitPath, err, out)
	}
}

// TestSystemdUnitSettings pins the settings the README promises admins, which the exposure score alone
// would let slip one at a time.
func TestSystemdUnitSettings(t *testing.T) {
	f, err := os.Open(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			got[k] = append(got[k], v)
		}
	}
	want := map[string]string{
		"DynamicUser":              "yes",
		"ProtectSystem":            "strict",
		"StateDirectory":           "mmzoom",
		"EnvironmentFile":          "/etc/mmzoom/mmzoom.env",
		"NoNewPrivileges":          "yes",
		"PrivateTmp":               "yes",
		"ProtectHome":              "yes",
		"CapabilityBoundingSet":    "",
		"RestrictAddressFamilies":  "AF_INET AF_INET6 AF_UNIX",
		"SystemCallFilter":         "@system-service",
		"Environment":              "MMZOOM_DATABASE=sqlite:///var/lib/mmzoom/mmzoom.db",
		"RestartPreventExitStatus": "2",
	}
	for k, v := range want {
		found := false
		for _, g := range got[k] {
			found = found || g == v
		}
		if !found {
			t.Errorf("%s: %s=%s is missing (has %q)", unitPath, k, v, got[k])
		}
	}
}

// TestEnvExample checks that the example environment file sets only variables mmzoom reads (the README's
// table), so that a misspelt name cannot be copied from it.
func TestEnvExample(t *testing.T) {
	documented := documentedVars(t)
	b, err := os.ReadFile("systemd/mmzoom.env.example")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "#")
		name, _, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(name, "MMZOOM_") {
			continue
		}
		n++
		if !documented[name] {
			t.Errorf("mmzoom.env.example sets %s, which the README's environment table does not list", name)
		}
	}
	if n == 0 || len(documented) == 0 {
		t.Fatalf("found %d variables in the example and %d in the README", n, len(documented))
	}
}

// documentedVars are the variables of the README's environment table.
func documentedVars(t *testing.T) map[string]bool {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(MMZOOM_[A-Z0-9_]+)`").FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = true
	}
	return documented
}
