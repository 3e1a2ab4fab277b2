package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The Japanese admin guide (README.ja.md) is a full translation of README.md and must stay in step with it.
// Headings are paired explicitly: each Japanese heading ends with an HTML comment holding the English
// heading it translates (`## 動かしてみる <!-- Trying it -->`; GitHub does not show the comment), so a
// failure can say which section is missing and where it belongs. Environment variables and commands are
// compared as sets.

const (
	readmeEN = "../../README.md"
	readmeJA = "../../README.ja.md"
)

// heading is one `#` heading outside code blocks.
type heading struct {
	level int
	text  string // the heading as written (the Japanese one without its comment)
	key   string // the English heading: text for README.md, the comment for README.ja.md
	line  int
}

func (h heading) String() string { return strings.Repeat("#", h.level) + " " + h.key }

// readmeDoc is what the comparison needs from one README.
type readmeDoc struct {
	name     string
	headings []heading
	vars     map[string]int // MMZOOM_ variable → first line
	commands map[string]int // `/zoom …` or `mmzoom …` command → first line
}

var (
	headingRE   = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*$`)
	keyRE       = regexp.MustCompile(`^(.*?)\s*<!--\s*(.*?)\s*-->$`)
	varRE       = regexp.MustCompile(`MMZOOM_[A-Z0-9_]*[A-Z0-9]`)
	codeSpanRE  = regexp.MustCompile("`([^`]+)`")
	slashRE     = regexp.MustCompile(`(?:^|\s)(/zoom(?:\s+[a-z][a-z-]*)*)`)
	mmzoomCmdRE = regexp.MustCompile(`(?:^|[\s/])mmzoom\s+([a-z][a-z-]*)`)
)

// parseReadme reads the headings, variables and commands of a README. Commands are taken from code only
// (inline code and code blocks), so that prose such as "mmzoom binds each token" is not a command.
func parseReadme(t *testing.T, path string, keyed bool) readmeDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := readmeDoc{name: strings.TrimPrefix(path, "../../"), vars: map[string]int{}, commands: map[string]int{}}
	addCommands := func(code string, line int) {
		for _, m := range slashRE.FindAllStringSubmatch(code, -1) {
			if _, ok := d.commands[m[1]]; !ok {
				d.commands[m[1]] = line
			}
		}
		for _, m := range mmzoomCmdRE.FindAllStringSubmatch(code, -1) {
			c := "mmzoom " + m[1]
			if _, ok := d.commands[c]; !ok {
				d.commands[c] = line
			}
		}
	}
	fenced := false
	for i, line := range strings.Split(string(b), "\n") {
		n := i + 1
		for _, v := range varRE.FindAllString(line, -1) {
			if _, ok := d.vars[v]; !ok {
				d.vars[v] = n
			}
		}
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced || strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t") {
			// A code block (fenced, or indented at the top level or inside a list item).
			if !fenced && strings.HasPrefix(strings.TrimSpace(line), "-") {
				// An indented list item's text, not code.
				for _, m := range codeSpanRE.FindAllStringSubmatch(line, -1) {
					addCommands(m[1], n)
				}
				continue
			}
			addCommands(line, n)
			continue
		}
		for _, m := range codeSpanRE.FindAllStringSubmatch(line, -1) {
			addCommands(m[1], n)
		}
		m := headingRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		h := heading{level: len(m[1]), text: m[2], key: m[2], line: n}
		if keyed {
			k := keyRE.FindStringSubmatch(m[2])
			if k == nil {
				t.Errorf("%s:%d: heading %q does not end with <!-- the English heading it translates -->", d.name, n, line)
				continue
			}
			h.text, h.key = k[1], k[2]
		}
		d.headings = append(d.headings, h)
	}
	return d
}

// headingDiff pairs the headings of en and ja in order (longest common subsequence of level and English
// text) and describes every heading that has no partner, saying after which heading it belongs.
func headingDiff(en, ja []heading) []string {
	same := func(a, b heading) bool { return a.level == b.level && a.key == b.key }
	n, m := len(en), len(ja)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case same(en[i], ja[j]):
				lcs[i][j] = lcs[i+1][j+1] + 1
			case lcs[i+1][j] >= lcs[i][j+1]:
				lcs[i][j] = lcs[i+1][j]
			default:
				lcs[i][j] = lcs[i][j+1]
			}
		}
	}
	var out []string
	after := func(prev *heading, doc string) string {
		if prev == nil {
			return "at the start of " + doc
		}
		return fmt.Sprintf("after %q (%s line %d)", prev.String(), doc, prev.line)
	}
	var lastEN, lastJA *heading
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && same(en[i], ja[j]):
			lastEN, lastJA = &en[i], &ja[j]
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, fmt.Sprintf("README.md line %d has %q, which README.ja.md lacks: add a level-%d heading ending in <!-- %s --> %s",
				en[i].line, en[i].String(), en[i].level, en[i].key, after(lastJA, "README.ja.md")))
			i++
		default:
			out = append(out, fmt.Sprintf("README.ja.md line %d has %q (<!-- %s -->, level %d), which matches no heading of README.md %s: "+
				"remove it, or correct its level or comment to the English heading it translates",
				ja[j].line, strings.Repeat("#", ja[j].level)+" "+ja[j].text, ja[j].key, ja[j].level, after(lastEN, "README.md")))
			j++
		}
	}
	return out
}

// setDiff describes the names one README has and the other lacks.
func setDiff(what string, a, b readmeDoc, an, bn map[string]int) []string {
	var out []string
	for k, line := range an {
		if _, ok := bn[k]; !ok {
			out = append(out, fmt.Sprintf("%s %s appears in %s (line %d) but not in %s", what, k, a.name, line, b.name))
		}
	}
	sort.Strings(out)
	return out
}

// TestReadmeJapaneseInStep fails when README.md and README.ja.md differ in their sections (headings in
// order, level by level), their MMZOOM_ environment variables or their /zoom and mmzoom commands, and says
// exactly what is missing where.
func TestReadmeJapaneseInStep(t *testing.T) {
	en := parseReadme(t, readmeEN, false)
	ja := parseReadme(t, readmeJA, true)
	if len(en.headings) == 0 || len(en.vars) == 0 || len(en.commands) == 0 {
		t.Fatalf("README.md: %d headings, %d variables, %d commands found: the parser is broken", len(en.headings), len(en.vars), len(en.commands))
	}
	var problems []string
	problems = append(problems, headingDiff(en.headings, ja.headings)...)
	problems = append(problems, setDiff("variable", en, ja, en.vars, ja.vars)...)
	problems = append(problems, setDiff("variable", ja, en, ja.vars, en.vars)...)
	problems = append(problems, setDiff("command", en, ja, en.commands, ja.commands)...)
	problems = append(problems, setDiff("command", ja, en, ja.commands, en.commands)...)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestReadmesLinkEachOther checks that each README links the other near its top, after README.md's two
// commands (which stay its first lines).
func TestReadmesLinkEachOther(t *testing.T) {
	for _, c := range []struct{ file, link string }{{readmeEN, "(README.ja.md)"}, {readmeJA, "(README.md)"}} {
		b, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		if len(lines) > 10 {
			lines = lines[:10]
		}
		if !strings.Contains(strings.Join(lines, "\n"), c.link) {
			t.Errorf("%s does not link %s in its first 10 lines", strings.TrimPrefix(c.file, "../../"), c.link)
		}
	}
	b, _ := os.ReadFile(readmeEN)
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 || !strings.Contains(lines[2], "go run ./cmd/mmzoom demo") || !strings.Contains(lines[3], "scripts/test") {
		t.Errorf("README.md must open with its title and the two commands (demo, scripts/test); got %q", lines[:min(4, len(lines))])
	}
}

// TestHeadingDiffSaysWhatIsMissingWhere pins the failure messages the lead relies on when sections are
// added to one README and not yet to the other.
func TestHeadingDiffSaysWhatIsMissingWhere(t *testing.T) {
	en := []heading{{1, "T", "T", 1}, {2, "A", "A", 3}, {2, "New", "New", 5}, {3, "Sub", "Sub", 7}, {2, "B", "B", 9}}
	ja := []heading{{1, "t", "T", 1}, {2, "a", "A", 3}, {3, "sub", "Sub", 4}, {2, "b", "B", 6}, {2, "old", "Old", 8}}
	got := headingDiff(en, ja)
	want := []string{
		`README.md line 5 has "## New", which README.ja.md lacks: add a level-2 heading ending in <!-- New --> after "## A" (README.ja.md line 3)`,
		`README.ja.md line 8 has "## old" (<!-- Old -->, level 2), which matches no heading of README.md after "## B" (README.md line 9): remove it, or correct its level or comment to the English heading it translates`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("headingDiff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A level changed in one file is named as such: the English heading is missing at its level.
	got = headingDiff([]heading{{2, "A", "A", 1}}, []heading{{3, "a", "A", 1}})
	if len(got) != 2 || !strings.Contains(got[0], "level-2 heading ending in <!-- A -->") || !strings.Contains(got[1], "level 3") {
		t.Errorf("a changed level: %q", got)
	}
}
