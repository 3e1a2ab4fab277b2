package meeting

import (
	"cmp"
	"slices"
	"time"
)

// Presence is one participant's presence on a card as of At: a join (Present) or a leave, to record.
type Presence struct {
	CardID  int64
	Key     string // stable across the participant's join and leave
	Present bool
	At      time.Time
}

// Headcount is what Store.SetParticipants reports of a card: how many participants are in, and whether the
// call changed anyone's presence.
type Headcount struct {
	In      int
	Changed bool
}

// Supersedes reports whether p, recorded after q (the same participant's), replaces it: the latest event
// wins, so a leave delivered before its join does not leave a ghost, and a join and a leave stamped the same
// instant mean the participant came and went. Stores keep times to the millisecond; so does the comparison.
func (p Presence) Supersedes(q Presence) bool {
	a, b := p.At.UnixMilli(), q.At.UnixMilli()
	return a > b || (a == b && !p.Present && q.Present)
}

// LatestPresence reduces ps to the presence that wins for each participant of each card, sorted by card and
// key. Recording them gives what recording all of ps one by one gives, in any order: the rule of Supersedes
// picks one presence out of any set. Stores take the participants' rows in this order, so that two writers
// of overlapping sets cannot wait for each other.
func LatestPresence(ps []Presence) []Presence {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b Presence) int {
		return cmp.Or(cmp.Compare(a.CardID, b.CardID), cmp.Compare(a.Key, b.Key))
	})
	n := 0
	for _, p := range out {
		if n > 0 && out[n-1].CardID == p.CardID && out[n-1].Key == p.Key {
			if p.Supersedes(out[n-1]) {
				out[n-1] = p
			}
			continue
		}
		out[n] = p
		n++
	}
	return out[:n]
}
