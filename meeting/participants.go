package meeting

import "context"

// Participant events come in bursts: when a large meeting starts, hundreds of people join within seconds, and
// Zoom sends an event for each. Applied one at a time, each event locks the meeting, reads its cards, writes
// the card and schedules its refresh; applied together, a run of them does that once and writes only each
// participant's presence.

// participantRun is how many jobs from the start of jobs are participant events of one meeting instance,
// which ApplyParticipants can apply together (1 when the first is not one).
func participantRun(jobs []*Job) int {
	first := participantEvent(jobs[0])
	if first == nil {
		return 1
	}
	n := 1
	for n < len(jobs) {
		ev := participantEvent(jobs[n])
		if ev == nil || ev.MeetingID != first.MeetingID || ev.UUID != first.UUID {
			break
		}
		n++
	}
	return n
}

// participantEvent is j's event if it is someone joining or leaving.
func participantEvent(j *Job) *Event {
	if j.Kind != JobEvent || j.Event == nil {
		return nil
	}
	if t := j.Event.Type; t != EventParticipantJoined && t != EventParticipantLeft {
		return nil
	}
	return j.Event
}

// ApplyParticipants applies participant events of one meeting instance, in order, as ApplyEvent applies
// them one by one, but reading, writing and refreshing the card once. It reports false, having changed
// nothing, when the events need ApplyEvent one by one: the meeting has no card for them yet (the first join
// may create or bind one), or several channels have a card of it (subscriptions).
func (s *Service) ApplyParticipants(ctx context.Context, evs []Event) (bool, error) {
	if len(evs) == 0 {
		return true, nil
	}
	first := evs[0]
	unlock, err := s.Locker.LockMeeting(ctx, first.MeetingID)
	if err != nil {
		return true, err
	}
	defer unlock()
	cards, err := s.Store.CardsByMeeting(ctx, first.MeetingID)
	if err != nil {
		return true, err
	}
	c := cardFor(cards, first)
	if c == nil || (c.UUID != first.UUID && first.Type != EventParticipantJoined) || len(othersOfInstance(cards, c, first)) > 0 {
		return false, nil
	}
	dirty := false
	for _, ev := range evs {
		changed, err := s.applyPresence(ctx, c, ev)
		if err != nil {
			// The events set so far are set again when the jobs run again; the card then catches up (see
			// applyPresence: a card may lag its participants).
			return true, err
		}
		dirty = dirty || changed
	}
	if !dirty {
		return true, nil
	}
	c.UpdatedAt = s.Now()
	if err := s.Store.UpdateCard(ctx, c); err != nil {
		return true, err
	}
	return true, s.scheduleRefresh(ctx, c, s.Now().Add(participantCoalesce))
}
