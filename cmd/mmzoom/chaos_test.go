package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// TestMain lets the test binary run as `mmzoom <MMZOOM_TEST_CHILD>` (e.g. "serve") when asked, so the chaos
// test can kill -9 a real mmzoom process and start it again, and the load harness's test can start its
// processes.
func TestMain(m *testing.M) {
	if args := strings.Fields(os.Getenv("MMZOOM_TEST_CHILD")); len(args) > 0 {
		// As main does: SIGTERM and SIGINT stop mmzoom gracefully (the shutdown test sends SIGTERM).
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, args, os.Getenv, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// child is mmzoom running as a separate process.
type child struct {
	t    *testing.T
	env  []string
	url  string
	cmd  *exec.Cmd
	logs *syncBuffer
}

func (c *child) start() error {
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(append(os.Environ(), c.env...), "MMZOOM_TEST_CHILD=serve")
	c.cmd.Stdout, c.cmd.Stderr = io.Discard, c.logs
	if err := c.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(c.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("mmzoom did not come up: %s", c.logs.String())
}

// kill is kill -9: no shutdown, no flush.
func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// TestNothingIsLostThroughFailuresAndKills runs 1,000 Zoom events for 100 meetings through a real mmzoom
// process while the Mattermost simulator fails 30% of the bot's writes (half before the change is made, half
// after it, so mmzoom cannot know) and mmzoom is killed with SIGKILL three times. Every card must end right,
// and thread replies may repeat only where mmzoom could not have known: a reply that Mattermost created but
// answered 500, or one posted just before a kill (at most one per kill).
func TestNothingIsLostThroughFailuresAndKills(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test: runs a separate mmzoom process for a while")
	}
	dir := t.TempDir()
	w, err := startWorld(context.Background(), demoSetup{kind: meeting.KindS2S, dir: dir, external: true,
		logger:          slog.New(slog.DiscardHandler),
		zoomRetryDelays: []time.Duration{300 * time.Millisecond, time.Second, 3 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	w.Zoom.SetDailyLimit(-1)
	cfgFile := filepath.Join(dir, "mmzoom.json")
	// Retries wait at most 2 s (5 min in production) so the run converges in seconds.
	if err := os.WriteFile(cfgFile, []byte(`{"retry_max_backoff":"2s","log_level":"warn"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	mm := &child{t: t, env: w.Config.environ(cfgFile), url: w.MMZoomURL, logs: &syncBuffer{}}
	if err := mm.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mm.kill)

	const meetings = 100
	ctx := context.Background()
	var cards []chaosCard
	seen := map[int64]bool{}
	for i := range meetings {
		// Each meeting in a channel of its own: a start in a channel whose card is still open asks "join the
		// running meeting, or start another?" instead of starting, and no recent-meeting window is short
		// enough that two starts cannot fall inside it.
		ch := mmsim.Channel{TeamID: w.Team.ID, Type: "O", Name: fmt.Sprintf("chaos-%d", i), DisplayName: fmt.Sprintf("Chaos %d", i)}
		if i%2 == 1 {
			ch.Type = "P" // the bot cannot edit here: thread replies
		}
		ch = w.Mattermost.AddChannel(ch, w.Alice.ID)
		res, err := w.Mattermost.ExecuteCommand(ctx, w.Alice.ID, ch.ID, w.Team.ID, "", fmt.Sprintf("/zoom start Meeting %d", i))
		if err != nil || res.Error != "" {
			t.Fatalf("start %d: %v %+v", i, err, res)
		}
		// The card is the one post the start made; anything else (a question, an error) fails here rather
		// than later as a card that is counted twice.
		all := w.Mattermost.Posts(ch.ID)
		if len(all) != 1 || all[0].Props[meeting.PropMeetingID] == nil {
			t.Fatalf("start %d made %d posts, want its card; the reply was %q", i, len(all), res.Response.Text)
		}
		p := all[0]
		id, _ := strconv.ParseInt(p.Props[meeting.PropMeetingID].(string), 10, 64)
		if seen[id] {
			t.Fatalf("start %d: meeting %d has a card already", i, id)
		}
		seen[id] = true
		cards = append(cards, chaosCard{post: p, id: id, channel: ch})
	}

	w.Mattermost.SetFailureRate(0.3, true, 42)
	events := 0
	var mu sync.Mutex
	phase := func(name string, f func(c chaosCard) int) {
		var wg sync.WaitGroup
		for _, c := range cards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := f(c)
				mu.Lock()
				events += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := w.Zoom.WaitDeliveries(wctx); err != nil {
			t.Fatalf("%s: deliveries: %v", name, err)
		}
	}
	participants := map[int64][]string{}
	var pmu sync.Mutex
	kills := 0
	// killAfter kills mmzoom with SIGKILL after delay (in the middle of a phase) and starts it again.
	killAfter := func(delay time.Duration) (wait func()) {
		done := make(chan error, 1)
		go func() {
			time.Sleep(delay)
			mm.kill()
			done <- mm.start()
		}()
		return func() {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			kills++
		}
	}
	phase("start", func(c chaosCard) int { _ = w.Zoom.StartMeeting(ctx, c.id); return 2 }) // started, and the host joined
	killAfter(0)()
	phase("join", func(c chaosCard) int {
		for j := range 6 {
			pid, err := w.Zoom.JoinMeeting(ctx, c.id, fmt.Sprintf("P%d", j))
			if err != nil {
				t.Error(err)
			}
			pmu.Lock()
			participants[c.id] = append(participants[c.id], pid)
			pmu.Unlock()
		}
		return 6
	})
	time.Sleep(1100 * time.Millisecond) // leaves stamped after the joins, as in life
	wait := killAfter(100 * time.Millisecond)
	phase("leave", func(c chaosCard) int {
		pmu.Lock()
		ids := participants[c.id][:2]
		pmu.Unlock()
		for _, pid := range ids {
			if err := w.Zoom.LeaveMeeting(ctx, c.id, pid); err != nil {
				t.Error(err)
			}
		}
		return 2
	})
	wait()
	wait = killAfter(50 * time.Millisecond)
	phase("end", func(c chaosCard) int { _ = w.Zoom.EndMeeting(ctx, c.id); return 1 })
	wait()
	if events != 11*meetings || kills != 3 {
		t.Fatalf("%d events and %d kills, want %d and 3", events, kills, 11*meetings)
	}
	// Zoom gives up on an event after three retries: an event refused through all of them would be Zoom's
	// loss, not mmzoom's. Check none was.
	for _, d := range w.Zoom.Deliveries() {
		if d.Attempt == 4 && d.Status != http.StatusOK {
			t.Errorf("Zoom gave up on a %s delivery", d.Event)
		}
	}

	// Converge: the queue retries what Mattermost refused.
	if problems := convergeCards(w, cards, 60*time.Second, 500*time.Millisecond); len(problems) > 0 {
		t.Fatalf("%d cards wrong after the run, e.g. %v\nmmzoom log:\n%s", len(problems), problems[:min(5, len(problems))], mm.logs.String())
	}

	// Duplicate thread replies. A reply whose answer Mattermost lost is retried with the same
	// pending_post_id within seconds, and Mattermost answers it with the reply it made: no duplicate. A kill
	// between a reply and its record can leave one per kill (the job's rerun after 30 seconds would post
	// again; here the restart comes sooner, so it is usually none).
	dups := duplicateReplies(w, cards)
	if dups > kills {
		t.Errorf("%d duplicate thread replies (%d writes failed after Mattermost made them); want at most %d, one per kill", dups, len(w.Mattermost.FailedAfterCommit()), kills)
	}
	t.Logf("%d events, %d kills, %d writes failed after Mattermost made them, %d duplicate replies", events, kills, len(w.Mattermost.FailedAfterCommit()), dups)
}

// chaosCard is a card a chaos test started, with its meeting and channel.
type chaosCard struct {
	post    mmsim.Post
	id      int64
	channel mmsim.Channel
}

// convergeCards checks every card until none is wrong or wait has passed (the queue retries what failed),
// looking again every poll, and returns what is still wrong.
func convergeCards(w *demoWorld, cards []chaosCard, wait, poll time.Duration) []string {
	deadline := time.Now().Add(wait)
	for {
		var problems []string
		for _, c := range cards {
			problems = append(problems, checkChaosCard(w, c.post, c.id, c.channel)...)
		}
		if len(problems) == 0 || time.Now().After(deadline) {
			return problems
		}
		time.Sleep(poll)
	}
}

// duplicateReplies counts the bot's thread replies of one kind posted more than once under the cards of
// private channels (where the news goes in the thread).
func duplicateReplies(w *demoWorld, cards []chaosCard) int {
	extra := 0
	for _, c := range cards {
		if c.channel.Type != "P" {
			continue
		}
		seen := map[string]int{}
		for _, p := range w.Mattermost.Posts(c.channel.ID) {
			if p.RootID == c.post.ID && p.UserID == w.Bot.ID {
				seen[kindOfReply(p.Message)]++
			}
		}
		for _, n := range seen {
			extra += n - 1
		}
	}
	return extra
}

func kindOfReply(msg string) string {
	if strings.Contains(msg, "has ended") {
		return "ended"
	}
	return "started"
}

// checkChaosCard says what is wrong with a card after the run.
func checkChaosCard(w *demoWorld, card mmsim.Post, id int64, ch mmsim.Channel) []string {
	if ch.Type == "P" {
		var started, ended bool
		for _, p := range w.Mattermost.Posts(ch.ID) {
			if p.RootID == card.ID && p.UserID == w.Bot.ID {
				started = started || kindOfReply(p.Message) == "started"
				ended = ended || kindOfReply(p.Message) == "ended"
			}
		}
		// A start still waiting for Mattermost when the meeting ended is not announced late: the channel is
		// told the meeting ended, which is the truth by then.
		if !ended {
			return []string{fmt.Sprintf("meeting %d: thread has started=%v ended=%v", id, started, ended)}
		}
		return nil
	}
	// Where the bot can edit the card (it joins public channels), the card itself shows the news: a reply in
	// its thread would mean a failed join was taken for a refusal.
	for _, p := range w.Mattermost.Posts(ch.ID) {
		if p.RootID == card.ID && p.UserID == w.Bot.ID {
			return []string{fmt.Sprintf("meeting %d: a thread reply %q in a public channel", id, p.Message)}
		}
	}
	p, _ := w.Mattermost.Post(card.ID)
	if p.Props[meeting.PropStatus] != string(meeting.StatusEnded) {
		return []string{fmt.Sprintf("meeting %d: status %v", id, p.Props[meeting.PropStatus])}
	}
	// The host and six joined, two left.
	if n, _ := p.Props[meeting.PropParticipants].(float64); n != 5 {
		return []string{fmt.Sprintf("meeting %d: %v participants, want 5", id, p.Props[meeting.PropParticipants])}
	}
	if _, ok := p.Props[meeting.PropDuration].(float64); !ok {
		return []string{fmt.Sprintf("meeting %d: no duration", id)}
	}
	return nil
}
