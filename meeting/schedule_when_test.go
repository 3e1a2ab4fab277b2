package meeting

import (
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, tokyo) // a Sunday morning in Tokyo
	at := func(y int, mo time.Month, d, h, m int) time.Time { return time.Date(y, mo, d, h, m, 0, 0, tokyo) }
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2026-12-10 14:30", at(2026, 12, 10, 14, 30)},
		{"2026-12-10T14:30:00+09:00", at(2026, 12, 10, 14, 30)}, // Mattermost 11's datetime picker
		{"2026-12-10T05:30:00Z", at(2026, 12, 10, 14, 30)},
		{"2026-12-10T14:30", at(2026, 12, 10, 14, 30)},
		{"2026/12/10 2:30pm", at(2026, 12, 10, 14, 30)},
		{"12/10 2:30pm", at(2026, 12, 10, 14, 30)},
		{"12/10 2:30 PM", at(2026, 12, 10, 14, 30)},
		{"12/10 14:30", at(2026, 12, 10, 14, 30)},
		{"12/10/2027 9am", at(2027, 12, 10, 9, 0)},
		{"1/5 9:00", at(2027, 1, 5, 9, 0)}, // January has passed this year: next year
		{"Dec 10 14:30", at(2026, 12, 10, 14, 30)},
		{"tomorrow 14:30", at(2026, 12, 7, 14, 30)},
		{"Today 12:00", at(2026, 12, 6, 12, 0)},
		{"明日 14:30", at(2026, 12, 7, 14, 30)},
		{"明日　１４：３０", at(2026, 12, 7, 14, 30)},
		{"明後日 10時", at(2026, 12, 8, 10, 0)},
		{"明日 午後2時半", at(2026, 12, 7, 14, 30)},
		{"12月10日 14時30分", at(2026, 12, 10, 14, 30)},
		{"2027年1月4日 9:15", at(2027, 1, 4, 9, 15)},
		{"14:30", at(2026, 12, 6, 14, 30)},
		{"9:00", at(2026, 12, 7, 9, 0)}, // past today: tomorrow
		{"12am", at(2026, 12, 7, 0, 0)},
	}
	for _, c := range cases {
		got, err := ParseWhen(c.in, now, tokyo)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseWhen(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "soon", "2026-02-30 10:00", "12/10", "25:00", "13pm", "2026-12-10", "14", "明日", "0/0 1:00"} {
		if got, err := ParseWhen(bad, now, tokyo); err == nil {
			t.Errorf("ParseWhen(%q) = %v, want an error", bad, got)
		}
	}
}

func TestParseUntil(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, berlin)
	for _, c := range []struct {
		in    string
		count int
		until time.Time
	}{
		{"10", 10, time.Time{}}, {"4 times", 4, time.Time{}}, {"６回", 6, time.Time{}}, {"50", 50, time.Time{}},
		{"2027-03-31", 0, time.Date(2027, 3, 31, 23, 59, 0, 0, berlin)},
		{"3/31", 0, time.Date(2027, 3, 31, 23, 59, 0, 0, berlin)},
		{"3月31日", 0, time.Date(2027, 3, 31, 23, 59, 0, 0, berlin)},
	} {
		n, u, err := ParseUntil(c.in, now, berlin)
		if err != nil || n != c.count || !u.Equal(c.until) {
			t.Errorf("ParseUntil(%q) = %d, %v, %v; want %d, %v", c.in, n, u, err, c.count, c.until)
		}
	}
	for _, bad := range []string{"0", "51", "61", "never", "-3"} {
		if _, _, err := ParseUntil(bad, now, berlin); err == nil {
			t.Errorf("ParseUntil(%q) accepted", bad)
		}
	}
}

func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{"2026-12-10 14:30", "12/10 2:30pm", "明日 14:30", "12月10日 14時30分", "Dec 10 14:30", "午後2時半", "10 times", "３/３１"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if got, err := ParseWhen(s, now, time.UTC); err == nil && (got.Year() < 2000 || got.Year() > 2201) {
			t.Errorf("ParseWhen(%q) = %v", s, got)
		}
		_, _, _ = ParseUntil(s, now, time.UTC)
	})
}
