package main

import (
	"io"
	"strings"
	"unicode"
)

// writeColumns prints rows as left-aligned columns two spaces apart, measuring each cell as a terminal
// shows it: a Japanese (East Asian wide) character takes two columns, which text/tabwriter does not know,
// so a Japanese header would push every row out of line.
func writeColumns(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth is how many terminal columns s takes: two for the wide characters of Japanese (kana, kanji,
// full-width forms), one for the rest.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han),
			r >= 0x3000 && r <= 0x303F, // CJK punctuation
			r >= 0xFF01 && r <= 0xFF60: // full-width forms
			n += 2
		default:
			n++
		}
	}
	return n
}
