package i18n

import (
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

var placeholder = regexp.MustCompile(`\{[A-Za-z]+\}`)

func TestCatalogsAgree(t *testing.T) {
	c := MustLoad()
	if got := c.Locales(); len(got) != 2 || got[0] != "en" || got[1] != "ja" {
		t.Fatalf("locales = %v, want [en ja]", got)
	}
	en := c.Keys("en")
	ja := map[string]bool{}
	for _, k := range c.Keys("ja") {
		ja[k] = true
	}
	if len(en) != len(ja) {
		t.Errorf("en has %d keys, ja %d", len(en), len(ja))
	}
	for _, k := range en {
		if !ja[k] {
			t.Errorf("ja lacks %q", k)
			continue
		}
		want, got := placeholders(c.msgs["en"][k]), placeholders(c.msgs["ja"][k])
		if want != got {
			t.Errorf("%s: placeholders en %v, ja %v", k, want, got)
		}
		if hasLetters(c.msgs["en"][k]) && !hasJapanese(c.msgs["ja"][k]) {
			t.Errorf("%s: ja message has no Japanese text: %q", k, c.msgs["ja"][k])
		}
	}
}

func placeholders(s string) string {
	seen := map[string]bool{}
	for _, p := range placeholder.FindAllString(s, -1) {
		seen[p] = true
	}
	out := ""
	for _, p := range placeholder.FindAllString(s, -1) {
		if seen[p] {
			out += p
			seen[p] = false
		}
	}
	return sortString(out)
}

func sortString(s string) string {
	r := []rune(s)
	for i := range r {
		for j := i + 1; j < len(r); j++ {
			if r[j] < r[i] {
				r[i], r[j] = r[j], r[i]
			}
		}
	}
	return string(r)
}

// hasLetters reports whether a message says words, not only punctuation such as a list separator.
func hasLetters(s string) bool {
	for _, r := range placeholder.ReplaceAllString(s, "") {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

func TestT(t *testing.T) {
	c := MustLoad()
	tests := []struct {
		locale, key string
		args        []any
		want        string
	}{
		{"en", "duration.hours_minutes", []any{"H", 1, "M", 5}, "1 h 5 min"},
		{"ja", "duration.hours_minutes", []any{"H", 1, "M", 5}, "1 時間 5 分"},
		{"ja-JP", "duration.minutes", []any{"M", 3}, "3 分"},
		{"fr", "duration.minutes", []any{"M", 3}, "3 min"},
		{"", "duration.minutes", []any{"M", 3}, "3 min"},
		{"en", "no.such.key", nil, "no.such.key"},
	}
	for _, tt := range tests {
		if got := c.T(tt.locale, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q) = %q, want %q", tt.locale, tt.key, got, tt.want)
		}
	}
}

// A feature's own catalog file adds to its locale; a key defined in two files is refused at load.
func TestCatalogFilesPerArea(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    map[string]string // "locale key" → message
		wantErr string
	}{
		{
			name: "area files join their locale",
			files: fstest.MapFS{
				"en.json":          {Data: []byte(`{"a":"A"}`)},
				"ja.json":          {Data: []byte(`{"a":"エー"}`)},
				"schedule.en.json": {Data: []byte(`{"s":"S"}`)},
				"schedule.ja.json": {Data: []byte(`{"s":"エス"}`)},
			},
			want: map[string]string{"en a": "A", "en s": "S", "ja a": "エー", "ja s": "エス"},
		},
		{
			name: "a key twice is refused",
			files: fstest.MapFS{
				"en.json":          {Data: []byte(`{"a":"A"}`)},
				"schedule.en.json": {Data: []byte(`{"a":"B"}`)},
			},
			wantErr: `key "a" is defined twice for en`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(tt.files)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("load: %v, want an error saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for lk, want := range tt.want {
				loc, key, _ := strings.Cut(lk, " ")
				if got := c.T(loc, key); got != want {
					t.Errorf("T(%s, %s) = %q, want %q", loc, key, got, want)
				}
			}
		})
	}
}
