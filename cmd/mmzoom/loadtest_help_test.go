package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The load harness's help, like every command's, is in the admin's language, flags included, and the
// command list names it.
func TestLoadtestHelpInBothLanguages(t *testing.T) {
	cases := []struct {
		lang  string
		args  []string
		want  []string
		never string
	}{
		{"en_US.UTF-8", []string{"loadtest", "--help"}, []string{"usage: mmzoom loadtest", "-replicas", "mmzoom processes to start"}, "使い方"},
		{"ja_JP.UTF-8", []string{"loadtest", "--help"}, []string{"使い方: mmzoom loadtest", "-replicas", "起動する mmzoom プロセスの数", "フラグ:"},
			"mmzoom processes to start"},
		{"en_US.UTF-8", []string{"help"}, []string{"  loadtest measure /zoom start"}, "使い方"},
		{"ja_JP.UTF-8", []string{"help"}, []string{"  loadtest シミュレーターを相手に"}, "usage:"},
	}
	for _, c := range cases {
		t.Run(c.lang+" "+strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := map[string]string{"LANG": c.lang}
			if code := run(context.Background(), c.args, func(k string) string { return env[k] }, &stdout, &stderr); code != 0 {
				t.Fatalf("exit status %d: %s", code, stderr.String())
			}
			for _, w := range c.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("lacks %q:\n%s", w, stdout.String())
				}
			}
			if strings.Contains(stdout.String(), c.never) {
				t.Errorf("has %q:\n%s", c.never, stdout.String())
			}
		})
	}
}
