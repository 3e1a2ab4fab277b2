package main

import (
	"strings"
	"testing"
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
