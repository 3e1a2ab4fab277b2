package meeting

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Participant events come in bursts: when a large meeting starts, hundreds of people join within seconds, and
// Zoom sends an event for each; an installation with many meetings gets theirs interleaved. Applied one at a
// time, each event locks its meeting, reads its cards, records the participant, writes the card and schedules
// its refresh. Applied together, the runs of participant events of a claimed batch take their meetings'
// locks, read their cards and record their participants once, and write and refresh each card once: on
// PostgreSQL, a handful of round trips for the batch instead of several for each event.

// participantRun is how many jobs from the start of jobs are participant events of one meeting instance,
// which ApplyParticipants can apply together (0 when the first is not one).
func participantRun(jobs []*Job) int {
	if len(jobs) == 0 {
		return 0
	}
	first := participantEvent(jobs[0])
	if first == nil {
		return 0
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

// cardWriters bounds how many cards ApplyParticipants writes at once: the writes of different cards are
// independent, and waiting for them one after the other would make a batch as slow as its cards are many.
const cardWriters = 8

// ApplyParticipants applies runs of participant events, each run of one meeting instance and each of another
// meeting, as ApplyEvent applies them one by one. It reports which runs it applied; a run that needs ApplyEvent
// is left as it was: its meeting has no card for it yet (the first join may create or bind one), or several
// channels have a card of the instance (subscriptions). When it fails, the runs are to be applied again:
// those it recorded come back the same (see applyPresence: a card may lag its participants).
func (s *Service) ApplyParticipants(ctx context.Context, runs [][]Event) ([]bool, error) {
	applied := make([]bool, len(runs))
	ids := make([]int64, len(runs))
	for i, run := range runs {
		ids[i] = run[0].MeetingID
	}
	unlock, err := s.Locker.LockMeetings(ctx, ids)
	if err != nil {
		return applied, err
	}
	defer unlock()
	all, err := s.Store.CardsByMeetings(ctx, ids)
	if err != nil {
		return applied, err
	}
	byMeeting := make(map[int64][]*Card, len(ids))
	for _, c := range all {
		byMeeting[c.MeetingID] = append(byMeeting[c.MeetingID], c)
	}
	targets := make(map[int64]*Card, len(runs)) // by card id
	uuids := make(map[int64]string, len(runs))
	var ps []Presence
	for i, run := range runs {
		first := run[0]
		cards := byMeeting[first.MeetingID]
		c := cardFor(cards, first)
		if c == nil || (c.UUID != first.UUID && first.Type != EventParticipantJoined) || len(othersOfInstance(cards, c, first)) > 0 {
			continue
		}
		applied[i] = true
		if cps := presences(c, run); len(cps) > 0 {
			ps = append(ps, cps...)
			targets[c.ID], uuids[c.ID] = c, first.UUID
		}
	}
	if len(ps) == 0 {
		return applied, nil
	}
	counts, err := s.Store.SetParticipants(ctx, ps)
	if err != nil {
		return applied, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cardWriters)
	for id, c := range targets {
		if !countPresence(c, counts[id], uuids[id]) {
			continue
		}
		g.Go(func() error {
			c.UpdatedAt = s.Now()
			if err := s.Store.UpdateCard(gctx, c); err != nil {
				return err
			}
			return s.scheduleRefresh(gctx, c, s.Now().Add(participantCoalesce))
		})
	}
	return applied, g.Wait()
}

// presences are what participant events evs record on card c: nothing once the card has ended (it counts no
// one any more), and nothing of an event without a participant.
func presences(c *Card, evs []Event) []Presence {
	if c.Status == StatusEnded {
		return nil
	}
	var ps []Presence
	for _, ev := range evs {
		if ev.Participant != "" {
			ps = append(ps, Presence{CardID: c.ID, Key: ev.Participant, Present: ev.Type == EventParticipantJoined, At: ev.At})
		}
	}
	return ps
}

// countPresence sets card c's count from hc, what recording its participants' presence reported, and binds
// it to the instance uuid their events are of (a join that arrived before meeting.started binds a waiting
// card, see cardFor). It reports whether c changed and is to be written: its count, or its instance. The card
// may also lag what is recorded: a process killed between recording and writing the card leaves exactly
// that, and the events' rerun must then finish the work.
func countPresence(c *Card, hc Headcount, uuid string) bool {
	bound := uuid != "" && c.UUID != uuid
	if bound {
		c.UUID = uuid
	}
	if !hc.Changed && c.Participants == hc.In && !bound {
		return false
	}
	c.Participants = hc.In
	return true
}
