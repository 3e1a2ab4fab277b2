package meeting

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// s2sFixture is a fixture whose users start meetings without connecting first.
func s2sFixture() *fixture {
	return newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true })
}

// startedCard starts a meeting in town and applies its meeting.started: a card with an instance to join.
func startedCard(t *testing.T, f *fixture) *Card {
	return startedCardIn(t, f, "town")
}

// startedCardIn is startedCard in another channel (made if needed).
func startedCardIn(t *testing.T, f *fixture, channel string) *Card {
	t.Helper()
	ctx := context.Background()
	if f.chat.channels[channel] == nil {
		f.chat.channels[channel] = &Channel{ID: channel, TeamID: "team", Type: ChannelOpen}
	}
	f.start(t, "alice", channel, "All hands")
	cards, _ := f.store.OpenCards(ctx, channel, time.Time{})
	c := cards[0]
	if _, err := f.svc.ApplyEvent(ctx, Event{Type: EventMeetingStarted, MeetingID: c.MeetingID, UUID: c.UUID, StartTime: f.now}); err != nil {
		t.Fatal(err)
	}
	c, _ = f.store.Card(ctx, c.ID)
	if c.Status != StatusStarted {
		t.Fatalf("card %+v did not start", c)
	}
	return c
}

// Applying a run of participant events together leaves the card exactly as applying them one by one does.
func TestParticipantsTogetherAsOneByOne(t *testing.T) {
	join := func(who string, s int) Event {
		return Event{Type: EventParticipantJoined, Participant: who, At: time.Date(2026, 11, 24, 9, 0, s, 0, time.UTC)}
	}
	leave := func(who string, s int) Event {
		ev := join(who, s)
		ev.Type = EventParticipantLeft
		return ev
	}
	tests := []struct {
		name string
		evs  []Event
		want int // participants on the card
	}{
		{"three join", []Event{join("a", 1), join("b", 2), join("c", 3)}, 3},
		{"one comes and goes", []Event{join("a", 1), join("b", 2), leave("a", 3)}, 1},
		{"a leave delivered before its join", []Event{leave("a", 5), join("a", 4), join("b", 6)}, 1},
		{"the same join delivered twice", []Event{join("a", 1), join("a", 1), join("b", 2)}, 2},
		{"an event without a participant changes nothing", []Event{join("", 1), join("a", 2)}, 1},
		{"everyone leaves", []Event{join("a", 1), leave("a", 2), join("b", 3), leave("b", 4)}, 0},
	}
	// Every run on a meeting of its own, all applied in one call, as the processor applies the heads of a
	// claimed batch's lanes; each card must end as applying its events one by one leaves it.
	ctx := context.Background()
	together := s2sFixture()
	var runs [][]Event
	var cards []*Card
	for i, tt := range tests {
		c := startedCardIn(t, together, fmt.Sprintf("room-%d", i))
		evs := slices.Clone(tt.evs)
		for k := range evs {
			evs[k].MeetingID, evs[k].UUID = c.MeetingID, c.UUID
		}
		runs, cards = append(runs, evs), append(cards, c)
	}
	applied, err := together.svc.ApplyParticipants(ctx, runs)
	if err != nil || !slices.Equal(applied, slices.Repeat([]bool{true}, len(runs))) {
		t.Fatalf("ApplyParticipants = %v, %v; want every run applied together", applied, err)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oneByOne := s2sFixture()
			c1 := startedCard(t, oneByOne)
			for _, ev := range tt.evs {
				ev.MeetingID, ev.UUID = c1.MeetingID, c1.UUID
				if _, err := oneByOne.svc.ApplyEvent(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			got1, _ := oneByOne.store.Card(ctx, c1.ID)
			got2, _ := together.store.Card(ctx, cards[i].ID)
			if got1.Participants != tt.want {
				t.Fatalf("one by one: %d participants, want %d", got1.Participants, tt.want)
			}
			if got2.Participants != got1.Participants || got2.UUID != cards[i].UUID || got2.Status != got1.Status {
				t.Errorf("together: %d participants, instance %q, %s; one by one: %d, %s",
					got2.Participants, got2.UUID, got2.Status, got1.Participants, got1.Status)
			}
		})
	}
}

// Events that need ApplyEvent one by one are left to it, unchanged: no card for the meeting, or a
// Personal Meeting ID card not yet bound to the instance and a run that starts with someone leaving.
func TestParticipantsNotTogetherWhenACardMustBeFoundOneByOne(t *testing.T) {
	ctx := context.Background()
	f := s2sFixture()
	ok, err := f.svc.ApplyParticipants(ctx, [][]Event{{{Type: EventParticipantJoined, MeetingID: 4242, UUID: "x", Participant: "a", At: f.now}}})
	if ok[0] || err != nil {
		t.Errorf("a meeting without a card: ApplyParticipants = %v, %v; want false, nil", ok, err)
	}

	_ = f.store.SaveSettings(ctx, &UserSettings{UserID: "alice", PMI: PMIAlways})
	f.start(t, "alice", "town", "")
	cards, _ := f.store.OpenCards(ctx, "town", time.Time{})
	c := cards[0]
	evs := []Event{
		{Type: EventParticipantLeft, MeetingID: c.MeetingID, UUID: "new-inst", Participant: "a", At: f.now},
		{Type: EventParticipantJoined, MeetingID: c.MeetingID, UUID: "new-inst", Participant: "b", At: f.now},
	}
	ok, err = f.svc.ApplyParticipants(ctx, [][]Event{evs})
	if ok[0] || err != nil {
		t.Errorf("an unbound card and a leave first: ApplyParticipants = %v, %v; want false, nil", ok, err)
	}
	if got, _ := f.store.Card(ctx, c.ID); got.Participants != 0 || got.UUID != c.UUID {
		t.Errorf("the card changed (%d participants, instance %q) though the events were left to ApplyEvent", got.Participants, got.UUID)
	}
}

// completingQueue hands out one batch of jobs and records which were completed and which retried.
type completingQueue struct {
	stoppingQueue
	jobs      []*Job
	completed []int64
}

func (q *completingQueue) Due(context.Context, time.Time, int, time.Duration) ([]*Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.jobs
	q.jobs = nil
	return out, nil
}

func (q *completingQueue) Complete(_ context.Context, j *Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.completed = append(q.completed, j.ID)
	return nil
}

func (q *completingQueue) CompleteAll(_ context.Context, jobs []*Job) ([]*Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, j := range jobs {
		q.completed = append(q.completed, j.ID)
	}
	return nil, nil
}

func (q *completingQueue) Retry(_ context.Context, j *Job, _ time.Time, _ string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.retried = append(q.retried, j.ID)
	return nil
}

// countingStore counts card writes.
type countingStore struct {
	*memStore
	mu      sync.Mutex
	updates int
}

func (s *countingStore) UpdateCard(ctx context.Context, c *Card) error {
	s.mu.Lock()
	s.updates++
	s.mu.Unlock()
	return s.memStore.UpdateCard(ctx, c)
}

// The processor applies a claimed run of one meeting's participant events together: every job completes,
// the card counts everyone, and it is written once instead of once per event.
func TestProcessorAppliesAMeetingsParticipantsTogether(t *testing.T) {
	f := s2sFixture()
	cs := &countingStore{memStore: f.store}
	f.svc.Store = cs
	c := startedCard(t, f)
	q := &completingQueue{}
	var want []int64
	for i := range 40 {
		ev := Event{Type: EventParticipantJoined, MeetingID: c.MeetingID, UUID: c.UUID, Participant: fmt.Sprintf("p%d", i), At: f.now}
		q.jobs = append(q.jobs, &Job{ID: int64(i + 1), Key: ev.DedupeKey(), Kind: JobEvent, Event: &ev, CreatedAt: f.now})
		want = append(want, int64(i+1))
	}
	cs.updates = 0
	p := NewProcessor(f.svc, q, time.Minute)
	if n, err := p.RunOnce(context.Background()); n != 40 || err != nil {
		t.Fatalf("RunOnce = %d, %v; want 40 jobs handled", n, err)
	}
	if !slices.Equal(q.completed, want) || len(q.retried) != 0 {
		t.Errorf("completed %v, retried %v; want every job completed, in order", q.completed, q.retried)
	}
	if got, _ := f.store.Card(context.Background(), c.ID); got.Participants != 40 {
		t.Errorf("the card counts %d participants, want 40", got.Participants)
	}
	if cs.updates != 1 {
		t.Errorf("the card was written %d times for 40 joins, want once", cs.updates)
	}
}

// A run of participant events that follows another event of its meeting in a claimed batch (the meeting
// starting, then people joining) is applied after that event, together, and completed in order.
func TestProcessorAppliesARunAfterItsMeetingStarted(t *testing.T) {
	ctx := context.Background()
	f := s2sFixture()
	cs := &countingStore{memStore: f.store}
	f.svc.Store = cs
	f.start(t, "alice", "town", "All hands")
	cards, _ := f.store.OpenCards(ctx, "town", time.Time{})
	c := cards[0]
	started := Event{Type: EventMeetingStarted, MeetingID: c.MeetingID, UUID: c.UUID, StartTime: f.now}
	q := &completingQueue{jobs: []*Job{{ID: 1, Key: started.DedupeKey(), Kind: JobEvent, Event: &started, CreatedAt: f.now}}}
	want := []int64{1}
	for i := range 10 {
		ev := Event{Type: EventParticipantJoined, MeetingID: c.MeetingID, UUID: c.UUID, Participant: fmt.Sprintf("p%d", i), At: f.now}
		q.jobs = append(q.jobs, &Job{ID: int64(i + 2), Key: ev.DedupeKey(), Kind: JobEvent, Event: &ev, CreatedAt: f.now})
		want = append(want, int64(i+2))
	}
	cs.updates = 0
	if n, err := NewProcessor(f.svc, q, time.Minute).RunOnce(ctx); n != 11 || err != nil {
		t.Fatalf("RunOnce = %d, %v; want 11 jobs handled", n, err)
	}
	if !slices.Equal(q.completed, want) || len(q.retried) != 0 {
		t.Errorf("completed %v, retried %v; want every job completed, in order", q.completed, q.retried)
	}
	got, _ := f.store.Card(ctx, c.ID)
	if got.Status != StatusStarted || got.Participants != 10 {
		t.Errorf("the card is %s with %d participants, want started with 10", got.Status, got.Participants)
	}
	if cs.updates != 2 {
		t.Errorf("the card was written %d times (the start, then 10 joins), want twice", cs.updates)
	}
}
