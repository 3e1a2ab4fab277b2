package zoom

import (
	"encoding/json"
	"testing"

	"github.com/mmzoom/mmzoom/meeting"
)

// The domain's meeting options become Zoom's create body under Zoom's names and types; what is not set is
// not sent, and jbh_time only goes with join before host on.
func TestMeetingSettingsBody(t *testing.T) {
	on, off, five := true, false, 5
	rec := meeting.RecordCloud
	cases := []struct {
		name string
		req  meeting.MeetingRequest
		want string
	}{
		{"nothing set", meeting.MeetingRequest{Topic: "t"}, `{"topic":"t","type":1}`},
		{"PMI only", meeting.MeetingRequest{Topic: "t", UsePMI: true}, `{"topic":"t","type":1,"settings":{"use_pmi":true}}`},
		{"options", meeting.MeetingRequest{Topic: "t", Options: meeting.MeetingOptions{WaitingRoom: &off, JoinBeforeHost: &on,
			JoinBeforeHostMinutes: &five, AutoRecording: &rec, Passcode: &on, Authentication: &off}},
			`{"topic":"t","type":1,"default_password":true,"settings":{"use_pmi":false,"waiting_room":false,"join_before_host":true,"jbh_time":5,"auto_recording":"cloud","meeting_authentication":false}}`},
		{"window without join before host", meeting.MeetingRequest{Topic: "t", Options: meeting.MeetingOptions{JoinBeforeHost: &off, JoinBeforeHostMinutes: &five}},
			`{"topic":"t","type":1,"settings":{"use_pmi":false,"join_before_host":false}}`},
	}
	for _, c := range cases {
		got, _ := json.Marshal(createBody(c.req))
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}
