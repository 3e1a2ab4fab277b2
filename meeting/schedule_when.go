package meeting

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// What people type for a date and time in the schedule dialog, read forgivingly in their own timezone:
//
//	2026-12-10 14:30   2026/12/10 2:30pm   12/10 14:30   12/10 2:30 pm   Dec 10 14:30
//	today 9:00   tomorrow 14:30   今日 9:00   明日 14:30   明後日 10時   12月10日 14時30分   14:30
//
// A date without a year is the next such date (this year, or next year when it has passed); a time alone is
// its next occurrence. Full-width digits and colons are read as ASCII.

var errWhen = errors.New("meeting: not a date and time")

var (
	reISO      = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t]+(.+))?$`)
	reMD       = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?:\s+(.+))?$`)
	reJaDate   = regexp.MustCompile(`^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日\s*(.*)$`)
	reClock    = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$`)
	reJaClock  = regexp.MustCompile(`^(午前|午後)?\s*(\d{1,2})時(?:(\d{1,2})分|半)?$`)
	reJaHalf   = regexp.MustCompile(`時半$`)
	reMonthDay = regexp.MustCompile(`^([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?(?:\s+(.+))?$`)
)

var monthNames = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
	"sep": 9, "oct": 10, "nov": 11, "dec": 12}

// normalize lowers s, turns full-width ASCII into ASCII and collapses spaces.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '！' && r <= '～':
			r -= 0xFEE0
		case r == '　':
			r = ' '
		case r == '：':
			r = ':'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// ParseWhen reads a date and time typed by a user in loc, as of now.
func ParseWhen(input string, now time.Time, loc *time.Location) (time.Time, error) {
	// What Mattermost's datetime picker submits: RFC 3339 with the user's offset.
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(input)); err == nil && t.Year() >= 2000 && t.Year() <= 2200 {
		return t.In(loc), nil
	}
	s := normalize(input)
	if s == "" || len(s) > 64 {
		return time.Time{}, errWhen
	}
	local := now.In(loc)
	for word, days := range map[string]int{"today": 0, "tomorrow": 1, "今日": 0, "きょう": 0, "明日": 1, "あした": 1, "あす": 1, "明後日": 2, "あさって": 2} {
		if rest, ok := strings.CutPrefix(s, word); ok {
			d := local.AddDate(0, 0, days)
			return atClock(d.Year(), d.Month(), d.Day(), strings.TrimSpace(rest), loc, true)
		}
	}
	if m := reISO.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return atClock(y, time.Month(mo), d, m[4], loc, false)
	}
	if m := reMD.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[1])
		d, _ := strconv.Atoi(m[2])
		return dated(m[3], time.Month(mo), d, m[4], local, loc)
	}
	if m := reJaDate.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return dated(m[1], time.Month(mo), d, m[4], local, loc)
	}
	if m := reMonthDay.FindStringSubmatch(s); m != nil {
		mo, ok := monthNames[m[1]]
		if !ok {
			return time.Time{}, errWhen
		}
		d, _ := strconv.Atoi(m[2])
		return dated(m[3], mo, d, m[4], local, loc)
	}
	// A time alone: its next occurrence.
	t, err := atClock(local.Year(), local.Month(), local.Day(), s, loc, true)
	if err != nil {
		return time.Time{}, err
	}
	if !t.After(now) {
		d := local.AddDate(0, 0, 1)
		return atClock(d.Year(), d.Month(), d.Day(), s, loc, true)
	}
	return t, nil
}

// dated is a month and day with an optional year: without one, the next such date.
func dated(year string, mo time.Month, d int, clock string, local time.Time, loc *time.Location) (time.Time, error) {
	if year != "" {
		y, _ := strconv.Atoi(year)
		return atClock(y, mo, d, clock, loc, false)
	}
	t, err := atClock(local.Year(), mo, d, clock, loc, false)
	if err != nil {
		return t, err
	}
	if t.Before(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)) {
		return atClock(local.Year()+1, mo, d, clock, loc, false)
	}
	return t, nil
}

// atClock is the day at the time clock names; a day alone is refused (a meeting needs a time).
func atClock(y int, mo time.Month, d int, clock string, loc *time.Location, _ bool) (time.Time, error) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 2000 || y > 2200 {
		return time.Time{}, errWhen
	}
	h, m, ok := parseClock(strings.TrimSpace(clock))
	if !ok {
		return time.Time{}, errWhen
	}
	t := time.Date(y, mo, d, h, m, 0, 0, loc)
	if t.Day() != d { // 2/30 and the like
		return time.Time{}, errWhen
	}
	return t, nil
}

// parseClock reads 14:30, 2:30pm, 2pm, 14時30分, 午後2時半.
func parseClock(s string) (int, int, bool) {
	if s == "" {
		return 0, 0, false
	}
	if m := reClock.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi := 0
		if m[2] != "" {
			mi, _ = strconv.Atoi(m[2])
		}
		switch {
		case m[3] == "":
			if m[2] == "" && h < 24 { // "14" alone is not a time anyone means
				return 0, 0, false
			}
		case h < 1 || h > 12:
			return 0, 0, false
		case strings.HasPrefix(m[3], "p"):
			h = h%12 + 12
		default:
			h %= 12
		}
		return h, mi, h < 24 && mi < 60
	}
	if m := reJaClock.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[2])
		mi := 0
		if m[3] != "" {
			mi, _ = strconv.Atoi(m[3])
		} else if reJaHalf.MatchString(s) {
			mi = 30
		}
		switch m[1] {
		case "午後":
			if h > 12 {
				return 0, 0, false
			}
			h = h%12 + 12
		case "午前":
			if h > 12 {
				return 0, 0, false
			}
			h %= 12
		}
		return h, mi, h < 24 && mi < 60
	}
	return 0, 0, false
}

// MaxOccurrences is the most occurrences a recurring Zoom meeting has: "Recurring meetings can have a
// maximum of 50 occurrences" (support.zoom.us article 214973206), end_times "between a value of 1 and 50"
// (developers.zoom.us/docs/api/references/recurrence-object-definitions/). A repeat without an end asks
// Zoom for this many, since Zoom's own default for a recurrence without an end is a single occurrence.
const MaxOccurrences = 50

// ParseUntil reads the end of a repeat: a number of times ("10", "10 times", "10回") or a last date
// ("2027-03-31", "3/31", "3月31日"). It returns either count or the end of that day in loc.
func ParseUntil(input string, now time.Time, loc *time.Location) (int, time.Time, error) {
	s := normalize(input)
	for _, suffix := range []string{" times", "times", " occurrences", "回", " x", "x"} {
		s = strings.TrimSuffix(s, suffix)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		if n < 1 || n > MaxOccurrences {
			return 0, time.Time{}, errWhen
		}
		return n, time.Time{}, nil
	}
	// A date: reuse the date forms with a time at the end of the day.
	t, err := ParseWhen(s+" 23:59", now, loc)
	if err != nil {
		return 0, time.Time{}, err
	}
	return 0, t, nil
}
