package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// A burst of concurrent starts reads and writes through a few connections that stay open: without a bound,
// database/sql opened one SQLite connection per concurrent query and closed all but two right after, so
// every query of a burst paid for opening a connection and compiling its statements again.
func TestBurstSharesAFewConnectionsThatStayOpen(t *testing.T) {
	s := openWith(t, filepath.Join(t.TempDir(), "mmzoom.db"), time.Now, newKey(t))
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for i := range 100 {
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, err := s.Settings(ctx, fmt.Sprintf("u%d", i))
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := s.OpenCards(ctx, "c1", time.Now().Add(-time.Hour))
			errs <- err
		}()
		go func() {
			defer wg.Done()
			errs <- s.CreateCard(ctx, &meeting.Card{ChannelID: "c1", CreatorID: fmt.Sprintf("u%d", i), MeetingID: int64(i + 1),
				Passcode: "pw", Status: meeting.StatusWaiting, CreatedAt: time.Now()})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	cards, err := s.OpenCards(ctx, "c1", time.Now().Add(-time.Hour))
	if err != nil || len(cards) != 100 {
		t.Fatalf("after the burst: %d cards, %v; want all 100", len(cards), err)
	}
	st := s.db.Stats()
	if st.OpenConnections > maxConns || st.MaxIdleClosed != 0 {
		t.Errorf("after the burst: %d connections open (at most %d), %d closed right after use (want 0)",
			st.OpenConnections, maxConns, st.MaxIdleClosed)
	}
}
