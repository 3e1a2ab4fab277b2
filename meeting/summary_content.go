package meeting

import (
	"regexp"
	"strings"
)

// Zoom's summary_content is Markdown written by AI Companion from what was said: user input. It is shown
// with its structure (headings become the reply's sub-headings, list items stay list items) and its text
// escaped like every other text from Zoom, so that no mention, link, image or HTML in it takes effect.
var (
	contentHeading  = regexp.MustCompile(`^#{1,6}\s+(.*)$`)
	contentBullet   = regexp.MustCompile(`^[-*+]\s+(.*)$`)
	contentNumbered = regexp.MustCompile(`^(\d{1,3})[.)]\s+(.*)$`)
)

// contentLines renders summary_content for the reply.
func (s *Service) contentLines(md string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		switch {
		case contentHeading.MatchString(line):
			out = append(out, "##### "+s.Escape(plainText(contentHeading.FindStringSubmatch(line)[1])))
		case contentBullet.MatchString(line):
			out = append(out, "- "+s.Escape(plainText(contentBullet.FindStringSubmatch(line)[1])))
		case contentNumbered.MatchString(line):
			m := contentNumbered.FindStringSubmatch(line)
			out = append(out, m[1]+". "+s.Escape(plainText(m[2])))
		default:
			out = append(out, s.Escape(plainText(line)))
		}
	}
	return strings.Join(out, "\n")
}

// plainText drops Markdown's emphasis markers, which escaping would otherwise show as stars.
func plainText(s string) string {
	return strings.TrimSpace(strings.NewReplacer("**", "", "__", "").Replace(s))
}
