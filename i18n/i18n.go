// Package i18n holds mmzoom's message catalogs (English and Japanese) and picks a message by the Mattermost
// user's locale. Every user-facing string comes from here; English is the fallback for any other locale and
// for any key a catalog lacks.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed catalogs/*.json
var files embed.FS

// Fallback is the locale used when a user's locale has no catalog.
const Fallback = "en"

// Catalog maps locale → message key → message. Placeholders are written {Name}. The catalogs are the files
// catalogs/<locale>.json and catalogs/<area>.<locale>.json; a key may be defined in one file per locale only.
type Catalog struct {
	msgs map[string]map[string]string
}

// Load reads the embedded catalogs.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(files, "catalogs")
	if err != nil {
		return nil, err
	}
	return load(sub)
}

// load reads every *.json catalog file at the root of fsys.
func load(fsys fs.FS) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", e.Name(), err)
		}
		// "ja.json" and "schedule.ja.json" are both Japanese: a feature keeps its messages in a file of its own.
		locale := strings.TrimSuffix(e.Name(), ".json")
		if i := strings.LastIndexByte(locale, '.'); i >= 0 {
			locale = locale[i+1:]
		}
		if c.msgs[locale] == nil {
			c.msgs[locale] = map[string]string{}
		}
		for k, v := range m {
			if _, dup := c.msgs[locale][k]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q is defined twice for %s", e.Name(), k, locale)
			}
			c.msgs[locale][k] = v
		}
	}
	if _, ok := c.msgs[Fallback]; !ok {
		return nil, fmt.Errorf("i18n: no %s catalog", Fallback)
	}
	return c, nil
}

// MustLoad is Load for callers that cannot go on without catalogs (they are embedded, so only a build with a
// broken catalog fails, and its tests fail first).
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Locale maps a Mattermost locale ("ja", "ja-JP", "en", "", "fr") to a catalog locale.
func (c *Catalog) Locale(locale string) string {
	l := strings.ToLower(locale)
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	if _, ok := c.msgs[l]; ok {
		return l
	}
	return Fallback
}

// Locales lists the catalogs' locales, sorted.
func (c *Catalog) Locales() []string {
	var ls []string
	for l := range c.msgs {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	return ls
}

// Keys lists the keys of one locale's catalog, sorted.
func (c *Catalog) Keys(locale string) []string {
	var ks []string
	for k := range c.msgs[locale] {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// T returns the message key in locale with its placeholders filled from args, given as name/value pairs:
// T("ja", "error.zoom_user_not_found", "Email", "a@example.com"). A key missing everywhere returns the key
// itself, so a gap shows up in tests rather than as an empty message.
func (c *Catalog) T(locale, key string, args ...any) string {
	msg, ok := c.msgs[c.Locale(locale)][key]
	if !ok {
		if msg, ok = c.msgs[Fallback][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}
