package main

import "testing"

func TestCLILocaleFollowsMMZOOMLangThenThePOSIXVariables(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing set", nil, "en"},
		{"LANG Japanese", map[string]string{"LANG": "ja_JP.UTF-8"}, "ja"},
		{"LANG Japanese, EUC", map[string]string{"LANG": "ja_JP.eucJP"}, "ja"},
		{"LANG English", map[string]string{"LANG": "en_US.UTF-8"}, "en"},
		{"LANG C", map[string]string{"LANG": "C.UTF-8"}, "en"},
		{"LANG another language", map[string]string{"LANG": "fr_FR.UTF-8"}, "en"},
		{"LC_MESSAGES before LANG", map[string]string{"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja"},
		{"LC_ALL before LC_MESSAGES", map[string]string{"LC_ALL": "C", "LC_MESSAGES": "ja_JP.UTF-8"}, "en"},
		{"LC_ALL Japanese", map[string]string{"LC_ALL": "ja_JP.UTF-8", "LANG": "C"}, "ja"},
		{"MMZOOM_LANG before all", map[string]string{"MMZOOM_LANG": "en", "LC_ALL": "ja_JP.UTF-8"}, "en"},
		{"MMZOOM_LANG ja", map[string]string{"MMZOOM_LANG": "ja", "LANG": "C"}, "ja"},
		{"MMZOOM_LANG ja-JP", map[string]string{"MMZOOM_LANG": "ja-JP"}, "ja"},
		{"MMZOOM_LANG blank is unset", map[string]string{"MMZOOM_LANG": " ", "LANG": "ja_JP.UTF-8"}, "ja"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cliLocale(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("cliLocale = %q, want %q", got, tt.want)
			}
		})
	}
}
