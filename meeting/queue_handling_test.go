package meeting

import (
	"context"
	"testing"
	"time"
)

// decisionQueue hands out one job and records what the processor decided about it.
type decisionQueue struct {
	job             *Job
	retried, buried bool
	completed       bool
	handedOut       bool
}

var _ Queue = (*decisionQueue)(nil)

func (q *decisionQueue) Receive(context.Context, *Job) error              { return nil }
func (q *decisionQueue) Enqueue(context.Context, *Job) (bool, error)      { return false, nil }
func (q *decisionQueue) DeadLetters(context.Context, int) ([]*Job, error) { return nil, nil }
func (q *decisionQueue) Complete(context.Context, *Job) error             { q.completed = true; return nil }
func (q *decisionQueue) CompleteAll(context.Context, []*Job) ([]*Job, error) {
	q.completed = true
	return nil, nil
}
func (q *decisionQueue) Bury(context.Context, *Job, string) error { q.buried = true; return nil }
func (q *decisionQueue) Retry(context.Context, *Job, time.Time, string) error {
	q.retried = true
	return nil
}

func (q *decisionQueue) Due(context.Context, time.Time, int, time.Duration) ([]*Job, error) {
	if q.handedOut {
		return nil, nil
	}
	q.handedOut = true
	return []*Job{q.job}, nil
}

// Whatever the job — a card refresh, a reminder of a scheduled meeting — a failure is retried or kept as a
// dead letter as the one Handling table says for its kind: Mattermost down is retried, a deleted card or a
// refused bot is not retried forever.
func TestEveryJobKindFailsAsTheTableSays(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 50, 0, 0, time.UTC)
	start := now.Add(10 * time.Minute)
	jobs := []struct {
		name  string
		setup func(t *testing.T, chat *fakeChat, store *memStore, scs *memSchedules, fail error) *Job
	}{
		{JobRefresh, func(t *testing.T, chat *fakeChat, store *memStore, _ *memSchedules, fail error) *Job {
			id, err := chat.CreatePost(context.Background(), &Post{ChannelID: "c1", Message: "card"})
			if err != nil {
				t.Fatal(err)
			}
			card := &Card{PostID: id, ChannelID: "c1", MeetingID: 1, Topic: "T", Status: StatusStarted, CreatedAt: now}
			if err := store.CreateCard(context.Background(), card); err != nil {
				t.Fatal(err)
			}
			chat.patchErr["c1"] = fail
			return &Job{ID: 1, Key: "refresh", Kind: JobRefresh, CardID: card.ID, CreatedAt: now}
		}},
		{JobReminder, func(t *testing.T, chat *fakeChat, store *memStore, scs *memSchedules, fail error) *Job {
			card := &Card{PostID: "cardpost", ChannelID: "c1", MeetingID: 1, Topic: "T", Status: StatusScheduled, CreatedAt: now}
			if err := store.CreateCard(context.Background(), card); err != nil {
				t.Fatal(err)
			}
			sc := &Schedule{CardID: card.ID, MeetingID: 1, ChannelID: "c1", CreatorLocale: "en", Topic: "T", Timezone: "UTC",
				Occurrences: []Occurrence{{Start: start, Duration: 30 * time.Minute}}}
			if err := scs.SaveSchedule(context.Background(), sc); err != nil {
				t.Fatal(err)
			}
			chat.createErr["c1"] = fail
			return &Job{ID: 1, Key: reminderKey(sc.ID, start), Kind: JobReminder, CreatedAt: now}
		}},
	}
	for _, j := range jobs {
		for _, kind := range Kinds() {
			if j.name == JobRefresh && kind == KindForbidden {
				continue // a card the bot may not edit gets its updates as thread replies instead: done, not failed
			}
			t.Run(j.name+"/"+string(kind), func(t *testing.T) {
				chat, store, scs := newFakeChat(), newMemStore(), newMemSchedules()
				chat.channels["c1"] = &Channel{ID: "c1", TeamID: "team", Type: ChannelOpen}
				svc := NewService(Config{ReminderLead: 10 * time.Minute},
					Deps{Chat: chat, Store: store, Schedules: scs, Text: keyText{}, Now: func() time.Time { return now }})
				q := &decisionQueue{}
				q.job = j.setup(t, chat, store, scs, &Error{Kind: kind})
				if _, err := NewProcessor(svc, q, time.Minute).RunOnce(context.Background()); err != nil {
					t.Fatal(err)
				}
				want := HandlingOf(kind).Retry
				if q.completed || q.retried != want || q.buried == want {
					t.Errorf("completed %v, retried %v, buried %v; the table says retry %v", q.completed, q.retried, q.buried, want)
				}
			})
		}
	}
}
