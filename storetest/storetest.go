// Package storetest is the behaviour every meeting.Store must show. Each store's tests call Run, so SQLite
// and PostgreSQL are held to the same contract. The suite owns the clock: each case opens its store with a
// clock the case controls, so that nothing a store does depends on the day the tests run.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// Opener opens a fresh, empty store that reads the time from now (and never from the system clock).
type Opener[S any] func(t *testing.T, now func() time.Time) S

// Clock is a clock a test sets; safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// t0 is when every case starts: a fixed instant, far from the real date on purpose (a store that read the
// system clock anywhere would fail the suite).
var t0 = time.Date(2031, 3, 9, 9, 0, 0, 0, time.UTC)

// Run tests the store returned by open (a fresh, empty store per call).
func Run(t *testing.T, openAt Opener[meeting.Store]) {
	ctx := context.Background()
	open := func(t *testing.T) meeting.Store { return openAt(t, NewClock(t0).Now) }

	t.Run("tokens", func(t *testing.T) {
		s := open(t)
		if _, err := s.Token(ctx, meeting.UserOwner("u1")); !errors.Is(err, meeting.ErrNotFound) {
			t.Fatalf("absent token: %v, want not found", err)
		}
		want := &meeting.Token{AccessToken: "a1", RefreshToken: "r1", Expiry: t0.Add(time.Hour), Scope: "meeting:write",
			ZoomUserID: "z1", ZoomEmail: "u1@example.com", Confirmed: true}
		if err := s.SaveToken(ctx, meeting.UserOwner("u1"), want); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveToken(ctx, meeting.AccountOwner, &meeting.Token{AccessToken: "acct", Expiry: t0}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Token(ctx, meeting.UserOwner("u1"))
		if err != nil || got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken ||
			!got.Expiry.Equal(want.Expiry) || got.Scope != want.Scope || got.ZoomEmail != want.ZoomEmail ||
			got.ZoomUserID != want.ZoomUserID || !got.Confirmed {
			t.Fatalf("round trip: %+v %v, want %+v", got, err, want)
		}
		want.AccessToken, want.RefreshToken = "a2", "r2"
		_ = s.SaveToken(ctx, meeting.UserOwner("u1"), want)
		if got, _ := s.Token(ctx, meeting.UserOwner("u1")); got.RefreshToken != "r2" {
			t.Errorf("rotated refresh token not kept: %+v", got)
		}
		if got, _ := s.Token(ctx, meeting.AccountOwner); got.RefreshToken != "" || got.AccessToken != "acct" {
			t.Errorf("account token: %+v", got)
		}
		if err := s.DeleteToken(ctx, meeting.UserOwner("u1")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Token(ctx, meeting.UserOwner("u1")); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("deleted token: %v", err)
		}
		if err := s.DeleteToken(ctx, meeting.UserOwner("nobody")); err != nil {
			t.Errorf("deleting an absent token: %v", err)
		}
	})

	t.Run("connect states are taken once", func(t *testing.T) {
		s := open(t)
		pending := &meeting.StartRequest{UserID: "u1", ChannelID: "c1", TeamID: "t1", Topic: "Retro"}
		c := &meeting.ConnectState{ID: "state1", Owner: meeting.UserOwner("u1"), UserID: "u1", Expires: t0.Add(10 * time.Minute), Pending: pending}
		if err := s.SaveConnect(ctx, c); err != nil {
			t.Fatal(err)
		}
		c.BrowserHash, c.Verifier = "hash", "verifier-123"
		if err := s.SaveConnect(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := s.Connect(ctx, "state1")
		if err != nil || got.Verifier != "verifier-123" || got.BrowserHash != "hash" || got.Pending == nil ||
			got.Pending.Topic != "Retro" || !got.Expires.Equal(c.Expires) || got.Owner != c.Owner {
			t.Fatalf("Connect: %+v %v", got, err)
		}
		var wg sync.WaitGroup
		wins := make(chan bool, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.TakeConnect(ctx, "state1")
				wins <- err == nil
			}()
		}
		wg.Wait()
		close(wins)
		n := 0
		for w := range wins {
			if w {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d concurrent takes succeeded, want 1", n)
		}
		if _, err := s.Connect(ctx, "state1"); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("taken state still readable: %v", err)
		}
	})

	t.Run("cards", func(t *testing.T) {
		s := open(t)
		mk := func(channel string, meetingID int64, created time.Time, status meeting.Status) *meeting.Card {
			c := &meeting.Card{PostID: "p", ChannelID: channel, CreatorID: "u1", MeetingID: meetingID, Topic: "T",
				JoinURL: "https://zoom.example/j/1?pwd=x", Passcode: "123456", Status: status, CreatedAt: created, UpdatedAt: created}
			if err := s.CreateCard(ctx, c); err != nil || c.ID == 0 {
				t.Fatalf("CreateCard: %v id %d", err, c.ID)
			}
			return c
		}
		mk("c1", 81000000001, t0.Add(-5*time.Hour), meeting.StatusWaiting) // older than the window
		mk("c1", 81000000002, t0.Add(-time.Hour), meeting.StatusEnded)     // ended
		a := mk("c1", 81000000003, t0.Add(-2*time.Hour), meeting.StatusStarted)
		b := mk("c1", 81000000003, t0.Add(-30*time.Minute), meeting.StatusWaiting)
		mk("c2", 81000000004, t0, meeting.StatusWaiting)
		open, err := s.OpenCards(ctx, "c1", t0.Add(-3*time.Hour))
		if err != nil || len(open) != 2 || open[0].ID != b.ID || open[1].ID != a.ID {
			t.Fatalf("OpenCards: %v %+v", err, open)
		}
		stale, err := s.StaleCards(ctx, t0, 2)
		if err != nil || len(stale) != 2 || stale[0].MeetingID != 81000000001 || stale[1].ID != a.ID {
			t.Errorf("StaleCards: %v %+v, want the two cards not ended with the oldest news", err, stale)
		}
		byMeeting, _ := s.CardsByMeeting(ctx, 81000000003)
		if len(byMeeting) != 2 || byMeeting[0].ID != b.ID {
			t.Errorf("CardsByMeeting: %+v", byMeeting)
		}
		a.Status, a.UUID, a.Participants, a.UpdatesInThread = meeting.StatusEnded, "uuid==", 3, true
		a.StartedAt, a.EndedAt = t0.Add(-2*time.Hour), t0.Add(-time.Hour)
		if err := s.UpdateCard(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := s.Card(ctx, a.ID)
		if err != nil || got.Status != meeting.StatusEnded || got.UUID != "uuid==" || got.Participants != 3 ||
			got.Passcode != "123456" || got.Duration() != time.Hour || got.MeetingID != 81000000003 || !got.UpdatesInThread {
			t.Errorf("Card after update: %+v %v", got, err)
		}
		if _, err := s.Card(ctx, 999999); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("absent card: %v", err)
		}
		if err := s.UpdateCard(ctx, &meeting.Card{ID: 999999, Status: meeting.StatusEnded}); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("updating an absent card: %v", err)
		}
	})

	t.Run("settings", func(t *testing.T) {
		s := open(t)
		set, err := s.Settings(ctx, "u1")
		if err != nil || set.PMI != "" || set.PMI.Effective() != meeting.DefaultPMI {
			t.Fatalf("default settings: %+v %v", set, err)
		}
		_ = s.SaveSettings(ctx, &meeting.UserSettings{UserID: "u1", PMI: meeting.PMIAlways})
		_ = s.SaveSettings(ctx, &meeting.UserSettings{UserID: "u1", PMI: meeting.PMIAsk})
		if set, _ := s.Settings(ctx, "u1"); set.PMI != meeting.PMIAsk {
			t.Errorf("settings: %+v", set)
		}
	})

	t.Run("command tokens bind to their first team", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		teams := make([]string, 6)
		for i := range teams {
			wg.Add(1)
			go func() {
				defer wg.Done()
				teams[i], _ = s.BindCommandToken(ctx, "tok", []string{"team-a", "team-b"}[i%2])
			}()
		}
		wg.Wait()
		for _, team := range teams[1:] {
			if team != teams[0] || team == "" {
				t.Fatalf("bound teams %v, want one team for all", teams)
			}
		}
		if team, _ := s.BindCommandToken(ctx, "other", "team-b"); team != "team-b" {
			t.Errorf("another token bound to %q", team)
		}
	})

	t.Run("nonces are single use", func(t *testing.T) {
		s := open(t)
		if err := s.UseNonce(ctx, "n1", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.UseNonce(ctx, "n1", t0.Add(time.Hour)); meeting.KindOf(err) != meeting.KindActionInvalid {
			t.Errorf("reused nonce: %v", err)
		}
		if err := s.UseNonce(ctx, "n2", t0.Add(time.Hour)); err != nil {
			t.Errorf("another nonce: %v", err)
		}
	})
	t.Run("participants are a set, the latest event winning", func(t *testing.T) {
		s := open(t)
		c := &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: 1, Status: meeting.StatusStarted, CreatedAt: t0}
		_ = s.CreateCard(ctx, c)
		steps := []struct {
			key     string
			present bool
			at      time.Duration
			count   int
			changed bool
		}{
			{"p1", true, 1, 1, true},
			{"p1", true, 2, 1, false}, // a repeated join counts once
			{"p2", true, 3, 2, true},
			{"p2", false, 5, 1, true},
			{"p2", true, 4, 1, false}, // an older join delivered late changes nothing
			{"p3", false, 6, 1, false},
			{"p4", false, 7, 1, false}, // a leave and its join in the same second, the leave first
			{"p4", true, 7, 1, false},
		}
		for i, st := range steps {
			n, changed, err := setParticipant(ctx, s, c.ID, st.key, st.present, t0.Add(st.at*time.Second))
			if err != nil || n != st.count || changed != st.changed {
				t.Fatalf("step %d: count %d changed %v err %v, want %d %v", i, n, changed, err, st.count, st.changed)
			}
		}
		// Each card counts its own meeting's participants.
		c2 := &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: 2, Status: meeting.StatusStarted, CreatedAt: t0}
		_ = s.CreateCard(ctx, c2)
		for i, key := range []string{"p1", "q1", "q2"} {
			if n, changed, err := setParticipant(ctx, s, c2.ID, key, true, t0.Add(8*time.Second)); err != nil || n != i+1 || !changed {
				t.Errorf("second card, %s joins: count %d changed %v err %v, want %d true", key, n, changed, err, i+1)
			}
		}
		if n, changed, err := setParticipant(ctx, s, c.ID, "p1", true, t0.Add(9*time.Second)); err != nil || n != 1 || changed {
			t.Errorf("first card after the second's joins: count %d changed %v err %v, want 1 false", n, changed, err)
		}
		if n, changed, err := setParticipant(ctx, s, c.ID, "p1", false, t0.Add(10*time.Second)); err != nil || n != 0 || !changed {
			t.Errorf("the first card's last participant leaves: count %d changed %v err %v, want 0 true", n, changed, err)
		}
		if err := s.MarkAnnounced(ctx, c.ID, meeting.StatusStarted); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Card(ctx, c.ID); got.Announced != meeting.StatusStarted {
			t.Errorf("announced %q", got.Announced)
		}
	})

	t.Run("participants recorded together count as recorded one by one", func(t *testing.T) {
		s := open(t)
		c1 := &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: 11, Status: meeting.StatusStarted, CreatedAt: t0}
		c2 := &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: 12, Status: meeting.StatusStarted, CreatedAt: t0}
		_ = s.CreateCard(ctx, c1)
		_ = s.CreateCard(ctx, c2)
		at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
		if _, err := s.SetParticipants(ctx, []meeting.Presence{{CardID: c1.ID, Key: "a", Present: true, At: at(1)},
			{CardID: c1.ID, Key: "gone", Present: true, At: at(1)}}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name string
			ps   []meeting.Presence
			want map[int64]meeting.Headcount
		}{
			{"two cards, repeated and out of order", []meeting.Presence{
				{CardID: c1.ID, Key: "b", Present: true, At: at(3)},
				{CardID: c2.ID, Key: "x", Present: false, At: at(5)},
				{CardID: c1.ID, Key: "gone", Present: false, At: at(2)},
				{CardID: c2.ID, Key: "x", Present: true, At: at(4)}, // older than its leave: changes nothing
				{CardID: c1.ID, Key: "b", Present: true, At: at(3)},
				{CardID: c2.ID, Key: "y", Present: true, At: at(4)},
			}, map[int64]meeting.Headcount{c1.ID: {In: 2, Changed: true}, c2.ID: {In: 1, Changed: true}}},
			{"one came and went, another left: the count moves by the net", []meeting.Presence{
				{CardID: c1.ID, Key: "c", Present: true, At: at(6)},
				{CardID: c1.ID, Key: "c", Present: false, At: at(7)},
				{CardID: c1.ID, Key: "b", Present: false, At: at(7)},
			}, map[int64]meeting.Headcount{c1.ID: {In: 1, Changed: true}}},
			{"nothing newer than what is recorded", []meeting.Presence{
				{CardID: c1.ID, Key: "a", Present: false, At: at(0)},
				{CardID: c2.ID, Key: "y", Present: true, At: at(4)},
			}, map[int64]meeting.Headcount{c1.ID: {In: 1}, c2.ID: {In: 1}}},
			{"a join and a leave stamped the same instant: came and went", []meeting.Presence{
				{CardID: c2.ID, Key: "z", Present: false, At: at(9)},
				{CardID: c2.ID, Key: "z", Present: true, At: at(9)},
				{CardID: c2.ID, Key: "y", Present: false, At: at(9)},
			}, map[int64]meeting.Headcount{c2.ID: {In: 0, Changed: true}}},
		}
		for _, st := range steps {
			got, err := s.SetParticipants(ctx, st.ps)
			if err != nil || !maps.Equal(got, st.want) {
				t.Errorf("%s: %v %v, want %v", st.name, got, err, st.want)
			}
		}
	})

	t.Run("the cards of several meetings", func(t *testing.T) {
		s := open(t)
		for i, m := range []int64{21, 22, 21, 23} {
			_ = s.CreateCard(ctx, &meeting.Card{ChannelID: "c", CreatorID: "u", MeetingID: m, Status: meeting.StatusStarted,
				CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
		}
		cards, err := s.CardsByMeetings(ctx, []int64{21, 23, 99})
		var got []string
		for _, c := range cards {
			got = append(got, fmt.Sprintf("%d@%s", c.MeetingID, c.CreatedAt.Sub(t0)))
		}
		slices.Sort(got)
		if want := []string{"21@0s", "21@2m0s", "23@3m0s"}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("cards of 21, 23 and 99: %v %v, want %v", got, err, want)
		}
		var of21 []*meeting.Card
		for _, c := range cards {
			if c.MeetingID == 21 {
				of21 = append(of21, c)
			}
		}
		if !of21[0].CreatedAt.After(of21[1].CreatedAt) {
			t.Errorf("a meeting's cards oldest first: %v, %v", of21[0].CreatedAt, of21[1].CreatedAt)
		}
	})

	t.Run("prune forgets only what expired", func(t *testing.T) {
		clock := NewClock(t0)
		s := openAt(t, clock.Now)
		for _, c := range []*meeting.ConnectState{
			{ID: "old", Owner: meeting.UserOwner("u1"), UserID: "u1", Expires: t0.Add(10 * time.Minute)},
			{ID: "fresh", Owner: meeting.UserOwner("u2"), UserID: "u2", Expires: t0.Add(25*time.Hour + 10*time.Minute)},
		} {
			if err := s.SaveConnect(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.UseNonce(ctx, "n-old", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.UseNonce(ctx, "n-fresh", t0.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Writes alone delete nothing, however late they happen.
		clock.Advance(25 * time.Hour)
		if err := s.SaveConnect(ctx, &meeting.ConnectState{ID: "later", Owner: meeting.UserOwner("u3"), UserID: "u3", Expires: clock.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Connect(ctx, "old"); err != nil {
			t.Fatalf("a write pruned the store: %v", err)
		}
		if err := s.Prune(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Connect(ctx, "old"); !errors.Is(err, meeting.ErrNotFound) {
			t.Errorf("a link that expired a day ago survived Prune: %v", err)
		}
		for _, id := range []string{"fresh", "later"} {
			if _, err := s.Connect(ctx, id); err != nil {
				t.Errorf("Prune deleted the live link %s: %v", id, err)
			}
		}
		// The expired nonce is forgotten (what it protected no longer verifies); the live one still refuses reuse.
		if err := s.UseNonce(ctx, "n-old", clock.Now().Add(time.Hour)); err != nil {
			t.Errorf("an expired nonce was not forgotten: %v", err)
		}
		if err := s.UseNonce(ctx, "n-fresh", t0.Add(48*time.Hour)); meeting.KindOf(err) != meeting.KindActionInvalid {
			t.Errorf("Prune forgot a live nonce: %v", err)
		}
	})

	t.Run("token owners by Zoom user", func(t *testing.T) {
		s := open(t)
		_ = s.SaveToken(ctx, meeting.UserOwner("a"), &meeting.Token{AccessToken: "x", ZoomUserID: "z1"})
		_ = s.SaveToken(ctx, meeting.UserOwner("b"), &meeting.Token{AccessToken: "y", ZoomUserID: "z2"})
		owners, err := s.TokenOwners(ctx, "z1")
		if err != nil || len(owners) != 1 || owners[0] != meeting.UserOwner("a") {
			t.Errorf("owners %v %v", owners, err)
		}
	})
}

// RunQueue tests a meeting.Queue (usually the same store).
func RunQueue(t *testing.T, openAt Opener[meeting.Queue]) {
	ctx := context.Background()
	open := func(t *testing.T) meeting.Queue { return openAt(t, NewClock(t0).Now) }
	ev := func(uuid string) *meeting.Job {
		e := meeting.Event{Type: meeting.EventMeetingEnded, MeetingID: 81000000001, UUID: uuid, EndTime: t0,
			Recording: &meeting.Recording{Passcode: "rec-SECRET"}}
		return &meeting.Job{Key: e.DedupeKey(), Kind: meeting.JobEvent, Event: &e, NotBefore: t0, CreatedAt: t0}
	}
	t.Run("events are stored once", func(t *testing.T) {
		q := open(t)
		for i, want := range []bool{true, false} {
			if added, err := q.Enqueue(ctx, ev("u1==")); err != nil || added != want {
				t.Fatalf("enqueue %d: %v %v", i, added, err)
			}
		}
		jobs, err := q.Due(ctx, t0, 10, time.Minute)
		if err != nil || len(jobs) != 1 || jobs[0].Event == nil || jobs[0].Event.UUID != "u1==" || jobs[0].Event.Recording.Passcode != "rec-SECRET" {
			t.Fatalf("due %+v %v", jobs, err)
		}
		if again, _ := q.Due(ctx, t0, 10, time.Minute); len(again) != 0 {
			t.Errorf("a leased job was handed out twice")
		}
		after, _ := q.Due(ctx, t0.Add(2*time.Minute), 10, time.Minute)
		if len(after) != 1 {
			t.Fatalf("a job whose lease ran out (its process died) did not come back")
		}
		if err := q.Complete(ctx, after[0]); err != nil {
			t.Fatal(err)
		}
		if added, _ := q.Enqueue(ctx, ev("u1==")); added {
			t.Error("a repeated delivery of an applied event was stored again")
		}
		if due, _ := q.Due(ctx, t0.Add(time.Hour), 10, time.Minute); len(due) != 0 {
			t.Errorf("completed job still due: %+v", due)
		}
	})
	t.Run("events completed together", func(t *testing.T) {
		q := open(t)
		for _, uuid := range []string{"t1==", "t2==", "t3=="} {
			if _, err := q.Enqueue(ctx, ev(uuid)); err != nil {
				t.Fatal(err)
			}
		}
		jobs, err := q.Due(ctx, t0, 10, time.Minute)
		if err != nil || len(jobs) != 3 {
			t.Fatalf("due %+v %v", jobs, err)
		}
		if lost, err := q.CompleteAll(ctx, jobs); err != nil || len(lost) != 0 {
			t.Fatalf("CompleteAll: lost %+v, %v", lost, err)
		}
		if due, _ := q.Due(ctx, t0.Add(time.Hour), 10, time.Minute); len(due) != 0 {
			t.Errorf("completed jobs still due: %+v", due)
		}
		for _, uuid := range []string{"t1==", "t3=="} {
			if added, _ := q.Enqueue(ctx, ev(uuid)); added {
				t.Errorf("a repeated delivery of %s, completed together with others, was stored again", uuid)
			}
		}
	})
	t.Run("received events: replays refused, repeated deliveries applied once", func(t *testing.T) {
		q := open(t)
		received := func(uuid, nonce string) *meeting.Job {
			j := ev(uuid)
			j.Nonce = nonce
			return j
		}
		// Zoom delivering u1 twice (two requests, two signatures), and u3 once.
		for _, j := range []*meeting.Job{received("u1==", "req-1"), received("u1==", "req-2"), received("u3==", "req-3")} {
			if err := q.Receive(ctx, j); err != nil {
				t.Fatalf("receive %s: %v", j.Nonce, err)
			}
		}
		if err := q.Receive(ctx, received("u4==", "req-1")); meeting.KindOf(err) != meeting.KindActionInvalid {
			t.Fatalf("a replayed request was accepted: %v", err)
		}
		jobs, err := q.Due(ctx, t0, 10, time.Minute)
		if err != nil || len(jobs) != 2 {
			t.Fatalf("due %+v %v; want u1 and u3 once each", jobs, err)
		}
		for i, uuid := range []string{"u1==", "u3=="} {
			if jobs[i].Event == nil || jobs[i].Event.UUID != uuid || jobs[i].Event.Recording.Passcode != "rec-SECRET" {
				t.Errorf("job %d = %+v, want the event of %s intact", i, jobs[i].Event, uuid)
			}
			_ = q.Complete(ctx, jobs[i])
		}
		// A late delivery of an applied event is dropped; it is not applied again.
		if err := q.Receive(ctx, received("u1==", "req-5")); err != nil {
			t.Fatal(err)
		}
		if due, _ := q.Due(ctx, t0.Add(time.Hour), 10, time.Minute); len(due) != 0 {
			t.Errorf("a repeated delivery of an applied event is due again: %+v", due)
		}
	})
	t.Run("concurrent deliveries: each request stored once, its replays refused", func(t *testing.T) {
		q := open(t)
		// 40 requests carrying 20 events, each request sent twice at the same moment (a captured request
		// replayed while the original is being stored).
		const requests = 40
		results := make([]error, 2*requests)
		var wg sync.WaitGroup
		for i := range 2 * requests {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j := ev(fmt.Sprintf("c%d==", i%requests/2))
				j.Nonce = fmt.Sprintf("req-c%d", i%requests)
				results[i] = q.Receive(ctx, j)
			}()
		}
		wg.Wait()
		for r := range requests {
			a, b := results[r], results[r+requests]
			okA, okB := a == nil, b == nil
			replayA, replayB := meeting.KindOf(a) == meeting.KindActionInvalid, meeting.KindOf(b) == meeting.KindActionInvalid
			if !(okA && replayB) && !(replayA && okB) {
				t.Errorf("request %d sent twice: %v and %v; want one stored and one refused as a replay", r, a, b)
			}
		}
		jobs, err := q.Due(ctx, t0, 100, time.Minute)
		if err != nil || len(jobs) != requests/2 {
			t.Fatalf("due %d jobs, %v; want the %d events once each", len(jobs), err, requests/2)
		}
	})
	t.Run("prune keeps applied events for as long as Zoom repeats them", func(t *testing.T) {
		clock := NewClock(t0)
		q := openAt(t, clock.Now)
		p, ok := q.(meeting.Pruner)
		if !ok {
			t.Fatalf("%T has no Prune", q)
		}
		j := ev("u9==")
		j.Nonce = "req-9"
		if err := q.Receive(ctx, j); err != nil {
			t.Fatal(err)
		}
		jobs, err := q.Due(ctx, t0, 10, time.Minute)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("due %+v %v", jobs, err)
		}
		_ = q.Complete(ctx, jobs[0])
		// An hour later the request's signature no longer verifies; its event is still remembered.
		clock.Advance(time.Hour)
		if err := p.Prune(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		late := ev("u9==")
		late.Nonce = "req-10"
		if err := q.Receive(ctx, late); err != nil {
			t.Fatal(err)
		}
		if due, _ := q.Due(ctx, clock.Now(), 10, time.Minute); len(due) != 0 {
			t.Errorf("a repeated delivery an hour later was applied again: %+v", due)
		}
		// A week later it is forgotten: the same event would be applied again (Zoom stopped repeating long ago).
		clock.Advance(8 * 24 * time.Hour)
		if err := p.Prune(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if added, err := q.Enqueue(ctx, ev("u9==")); err != nil || !added {
			t.Errorf("an event applied 8 days ago is still remembered: added %v err %v", added, err)
		}
	})
	t.Run("retry and dead letters", func(t *testing.T) {
		q := open(t)
		_, _ = q.Enqueue(ctx, ev("u2=="))
		jobs, _ := q.Due(ctx, t0, 10, time.Minute)
		_ = q.Retry(ctx, jobs[0], t0.Add(30*time.Second), "chat unavailable")
		if due, _ := q.Due(ctx, t0.Add(10*time.Second), 10, time.Minute); len(due) != 0 {
			t.Error("a retried job ran before its time")
		}
		due, _ := q.Due(ctx, t0.Add(31*time.Second), 10, time.Minute)
		if len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "chat unavailable" {
			t.Fatalf("retried job %+v", due)
		}
		_ = q.Bury(ctx, due[0], "card deleted")
		dead, err := q.DeadLetters(ctx, 10)
		if err != nil || len(dead) != 1 || dead[0].LastError != "card deleted" {
			t.Errorf("dead letters %+v %v", dead, err)
		}
		if later, _ := q.Due(ctx, t0.Add(time.Hour), 10, time.Minute); len(later) != 0 {
			t.Error("a dead job is still due")
		}
	})
	t.Run("a claim that outlived its lease changes nothing", func(t *testing.T) {
		clock := NewClock(t0)
		q := openAt(t, clock.Now)
		lostLease(t, clock, q, q)
	})
	t.Run("refreshes coalesce", func(t *testing.T) {
		q := open(t)
		refresh := func(at time.Duration) *meeting.Job {
			return &meeting.Job{Key: "refresh:7", Kind: meeting.JobRefresh, Coalesce: true, CardID: 7, NotBefore: t0.Add(at), CreatedAt: t0}
		}
		for _, st := range []struct {
			at   time.Duration
			want bool
		}{
			{7 * time.Second, true},  // stored
			{9 * time.Second, false}, // covered by the pending one, which runs earlier: nothing to write
			{5 * time.Second, true},  // moves the pending one earlier
		} {
			if added, err := q.Enqueue(ctx, refresh(st.at)); err != nil || added != st.want {
				t.Errorf("a refresh for +%v: added %v (err %v), want %v", st.at, added, err, st.want)
			}
		}
		if due, _ := q.Due(ctx, t0.Add(4*time.Second), 10, time.Minute); len(due) != 0 {
			t.Fatal("due early")
		}
		due, _ := q.Due(ctx, t0.Add(5*time.Second), 10, time.Minute)
		if len(due) != 1 || due[0].CardID != 7 {
			t.Fatalf("due %+v", due)
		}
		// A change while the refresh runs: the refresh must run once more.
		_, _ = q.Enqueue(ctx, refresh(6*time.Second))
		_ = q.Complete(ctx, due[0])
		again, _ := q.Due(ctx, t0.Add(7*time.Second), 10, time.Minute)
		if len(again) != 1 {
			t.Fatalf("a refresh requested while one ran was lost")
		}
		_ = q.Complete(ctx, again[0])
		if last, _ := q.Due(ctx, t0.Add(time.Hour), 10, time.Minute); len(last) != 0 {
			t.Errorf("completed refresh still due: %+v", last)
		}
		if added, _ := q.Enqueue(ctx, refresh(0)); !added {
			t.Error("a new refresh after a completed one was refused")
		}
	})
}

// setParticipant records one participant's presence and returns the card's count and whether it changed.
func setParticipant(ctx context.Context, s meeting.Store, cardID int64, key string, present bool, at time.Time) (int, bool, error) {
	counts, err := s.SetParticipants(ctx, []meeting.Presence{{CardID: cardID, Key: key, Present: present, At: at}})
	return counts[cardID].In, counts[cardID].Changed, err
}
