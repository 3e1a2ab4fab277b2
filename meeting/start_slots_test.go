package meeting

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// A burst of starts runs at most StartConcurrency at a time; the others wait for a slot and then start
// normally, each with its card.
func TestStartsBeyondTheConcurrencyWaitForASlot(t *testing.T) {
	f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true; c.StartConcurrency = 2 })
	f.zoom.gate, f.zoom.entered = make(chan struct{}), make(chan struct{}, 5)
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for i := range 5 {
		f.chat.channels[fmt.Sprint("c", i)] = &Channel{ID: fmt.Sprint("c", i), TeamID: "team", Type: ChannelOpen}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Start(context.Background(), StartRequest{UserID: "alice", ChannelID: fmt.Sprint("c", i), TeamID: "team"})
			errs <- err
		}()
	}
	<-f.zoom.entered
	<-f.zoom.entered
	waitFor(t, "three starts waiting", func() bool { r, w := f.svc.StartLoad(); return r == 2 && w == 3 })
	for range 3 {
		f.zoom.gate <- struct{}{} // one start finishes, so one more may call Zoom
		<-f.zoom.entered
	}
	f.zoom.gate <- struct{}{}
	f.zoom.gate <- struct{}{}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a start failed: %v", err)
		}
	}
	if f.zoom.maxInFlight != 2 || len(f.zoom.created) != 5 {
		t.Errorf("%d Zoom calls at once (want 2), %d meetings (want 5)", f.zoom.maxInFlight, len(f.zoom.created))
	}
	for i := range 5 {
		if posts := f.chat.postsIn(fmt.Sprint("c", i)); len(posts) != 1 || posts[0].Type != PostType {
			t.Errorf("channel c%d: posts %+v, want its card", i, posts)
		}
	}
}

// A start that cannot get a slot before its context ends says Zoom is not answering, and calls nothing.
func TestStartWithoutASlotGivesUpCleanly(t *testing.T) {
	f := newFixture(KindS2S, func(c *Config) { c.TrustUnverifiedEmail = true; c.StartConcurrency = 1 })
	f.zoom.gate, f.zoom.entered = make(chan struct{}), make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.Start(context.Background(), StartRequest{UserID: "alice", ChannelID: "town", TeamID: "team"})
		done <- err
	}()
	<-f.zoom.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.svc.Start(ctx, StartRequest{UserID: "alice", ChannelID: "design", TeamID: "team"})
	if !errors.Is(err, ErrZoomUnavailable) {
		t.Errorf("err %v, want Zoom unavailable", err)
	}
	f.zoom.gate <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(f.zoom.created) != 1 || len(f.chat.postsIn("design")) != 0 {
		t.Errorf("%d meetings, %d posts in design; want only the first start's meeting", len(f.zoom.created), len(f.chat.postsIn("design")))
	}
}

// waitFor lets other goroutines run until cond holds: what it waits for follows from what the test did, so
// only a broken implementation keeps it spinning (bounded by a count, not a duration).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i == 10_000_000 {
			t.Fatalf("never: %s", what)
		}
		runtime.Gosched()
	}
}
