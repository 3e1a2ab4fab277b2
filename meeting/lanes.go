package meeting

// The processor applies a claimed batch in lanes: the jobs of one meeting (card, schedule) one after the
// other in claim order, those of different meetings side by side (runBatch).

// DefaultLanes is how many jobs of a claimed batch are applied at once, each of another meeting (card,
// schedule), unless SetLanes says otherwise; the wiring sets what suits its store (sqlite.QueueLanes,
// postgres.QueueLanes).
const DefaultLanes = 4

// SetLanes sets how many jobs of a batch are applied at once (n < 1 means one at a time).
func (p *Processor) SetLanes(n int) {
	p.lanes = max(n, 1)
}

// splitLanes groups jobs by laneOf, keeping their order within each lane; lanes come in the order of their
// first job.
func splitLanes(jobs []*Job) [][]*Job {
	var lanes [][]*Job
	at := make(map[string]int, len(jobs))
	for _, j := range jobs {
		k := laneOf(j)
		i, ok := at[k]
		if !ok {
			i = len(lanes)
			at[k] = i
			lanes = append(lanes, nil)
		}
		lanes[i] = append(lanes[i], j)
	}
	return lanes
}

// laneOf names what a job changes, so that two jobs changing the same thing are never applied at once: an
// event's meeting, a refresh's card, a reminder's schedule.
func laneOf(j *Job) string {
	if j.Kind == JobEvent && j.Event != nil {
		if j.Event.MeetingID == 0 {
			return "event:" + j.Event.Type // an account's event (app deauthorized): one at a time
		}
		return "meeting:" + itoa(j.Event.MeetingID)
	}
	return j.Kind + ":" + itoa(j.CardID)
}
