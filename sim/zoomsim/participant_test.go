package zoomsim

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
)

// A guest's meeting.participant_joined carries user_id as digits in a string (the participant's id within
// the meeting, as in Zoom's examples), a participant_uuid, and no Zoom user id or e-mail (Rivet's
// MeetingParticipantJoinedEvent: user_id, user_name, join_time and email required, id optional).
func TestGuestParticipantJoined(t *testing.T) {
	rec := &hookRecorder{}
	hook := httptest.NewServer(rec)
	defer hook.Close()
	e := newEnv(t, hook.URL)
	_, _, m := e.api(t, "POST", "/users/alice@example.com/meetings", e.s2sToken(t), `{"type":1}`)
	id := int64(m["id"].(float64))
	ctx := context.Background()
	_ = e.sim.StartMeeting(ctx, id)
	_ = e.sim.WaitDeliveries(ctx)
	pid, err := e.sim.JoinMeeting(ctx, id, "Kenji")
	if err != nil {
		t.Fatal(err)
	}
	_ = e.sim.WaitDeliveries(ctx)
	p := rec.last(t, "meeting.participant_joined")["object"].(map[string]any)["participant"].(map[string]any)
	uid, _ := p["user_id"].(string)
	if _, err := strconv.ParseUint(uid, 10, 64); err != nil || p["participant_uuid"] != pid || p["user_name"] != "Kenji" ||
		p["email"] != "" || p["join_time"] == nil {
		t.Errorf("guest participant %v", p)
	}
}
