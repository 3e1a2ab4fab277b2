package zoom

import (
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

func TestScheduleBodyIsLocalTimeWithItsZone(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	start := time.Date(2026, 12, 10, 14, 30, 0, 0, tokyo) // a Thursday
	cases := []struct {
		rec  *meeting.Recurrence
		want Recurrence
	}{
		{&meeting.Recurrence{Repeat: meeting.RepeatWeekly, Count: 4}, Recurrence{Type: 2, RepeatInterval: 1, WeeklyDays: "5", EndTimes: 4}},
		{&meeting.Recurrence{Repeat: meeting.RepeatMonthly, Until: time.Date(2027, 3, 31, 23, 59, 0, 0, tokyo)},
			Recurrence{Type: 3, RepeatInterval: 1, MonthlyDay: 10, EndDateTime: "2027-03-31T14:59:00Z"}},
		// No end: Zoom's maximum, said explicitly (Zoom's default for a missing end_times is one occurrence).
		{&meeting.Recurrence{Repeat: meeting.RepeatDaily}, Recurrence{Type: 1, RepeatInterval: 1, EndTimes: 50}},
	}
	for _, c := range cases {
		b := scheduleBody(meeting.ScheduleRequest{Topic: "T", Start: start.UTC(), Location: tokyo, Duration: 45 * time.Minute, Recurrence: c.rec})
		if b.StartTime != "2026-12-10T14:30:00" || b.Timezone != "Asia/Tokyo" || b.Duration != 45 || b.Recurrence == nil || *b.Recurrence != c.want {
			t.Errorf("%+v: body %+v recurrence %+v, want %+v", c.rec, b, b.Recurrence, c.want)
		}
	}
}

func TestParseScheduleEvents(t *testing.T) {
	deleted := `{"event":"meeting.deleted","event_ts":1765180800000,"payload":{"account_id":"a","operator":"alice@example.com",
		"operator_id":"z1","operation":"single","object":{"id":81234567890,"uuid":"u==","host_id":"z1","topic":"Weekly","type":8,
		"start_time":"2026-12-10T09:00:00Z","duration":30,"timezone":"Europe/Berlin",
		"occurrences":[{"occurrence_id":"1765357200000","start_time":"2026-12-10T09:00:00Z"}]}}}`
	updated := `{"event":"meeting.updated","event_ts":1765180900000,"payload":{"account_id":"a","operator":"alice@example.com",
		"operator_id":"z1","scope":"all","object":{"id":81234567890,"uuid":"u==","start_time":"2026-12-10T10:00:00Z"},
		"old_object":{"id":81234567890,"uuid":"u==","start_time":"2026-12-10T09:00:00Z"},"time_stamp":1765180900000}}`
	for _, body := range []string{deleted, updated} {
		ev, err := ParseEvent([]byte(body))
		if err != nil || ev.Meeting.ID != 81234567890 || ev.EventTS.IsZero() {
			t.Errorf("ParseEvent: %+v %v", ev, err)
		}
	}
}
