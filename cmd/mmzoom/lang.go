package main

import (
	"strings"

	"github.com/mmzoom/mmzoom/i18n"
)

// cliLocale is the language of mmzoom's command-line output ("ja" or "en"), chosen as command-line programs
// choose it: MMZOOM_LANG when set, else the POSIX locale variables in their order of precedence (LC_ALL,
// LC_MESSAGES, LANG; the first one set decides). "ja_JP.UTF-8", "ja" and "ja-JP" are Japanese; anything else
// ("C", "POSIX", "en_US.UTF-8", "fr_FR") is English, the catalogs' fallback.
func cliLocale(getenv func(string) string) string {
	for _, name := range []string{"MMZOOM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		v := strings.ToLower(strings.TrimSpace(getenv(name)))
		if v == "" {
			continue
		}
		// language[_territory][.codeset][@modifier]
		if i := strings.IndexAny(v, "_.@-"); i >= 0 {
			v = v[:i]
		}
		if v == "ja" {
			return "ja"
		}
		return i18n.Fallback
	}
	return i18n.Fallback
}

// cliText gives the command line's messages in one language. Its zero value speaks English, so a test (or
// a caller) that sets no language gets the English every golden file pins.
type cliText struct {
	cat    *i18n.Catalog
	locale string
}

// newCLIText returns the messages of locale ("ja" or "en").
func newCLIText(locale string) cliText {
	return cliText{cat: i18n.MustLoad(), locale: locale}
}

// orEnglish is t, or English when t is the zero value.
func (t cliText) orEnglish() cliText {
	if t.cat == nil {
		return newCLIText(i18n.Fallback)
	}
	return t
}

// T is the message key with its {Placeholders} filled from name/value pairs.
func (t cliText) T(key string, args ...any) string {
	t = t.orEnglish()
	return t.cat.T(t.locale, key, args...)
}

// has reports whether the catalogs define key (T returns a missing key itself).
func (t cliText) has(key string) bool {
	return t.T(key) != key
}
