package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// A write that comes alone commits at once, however long the writer would wait to gather a burst: a quiet
// server answers Zoom without delay.
func TestALoneWriteDoesNotWaitForOthers(t *testing.T) {
	s := openWith(t, filepath.Join(t.TempDir(), "mmzoom.db"), time.Now, newKey(t))
	s.gatherWait = time.Hour // a lone write that waited would hold the test until its deadline
	ctx := context.Background()
	for i := range 20 {
		if err := s.write(ctx, func(context.Context, *sql.Tx) error { return nil }); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
}

// The writer gathers into one commit the writes already waiting and, once it holds several, those that
// arrive within gatherWait, up to maxBatch.
func TestGatherCollectsABurstIntoOneCommit(t *testing.T) {
	tests := []struct {
		name            string
		waiting, arrive int // writes queued before gathering starts, and sent while it gathers
		wait            time.Duration
		want            int
	}{
		{"a lone write", 0, 0, time.Hour, 1},
		{"the writes waiting, then the gathering time runs out", 4, 0, time.Millisecond, 5},
		{"writes keep arriving until the batch is full", 1, maxBatch, time.Hour, maxBatch},
		{"a full batch does not wait", maxBatch + 10, 0, time.Hour, maxBatch},
		{"no gathering time: only the writes waiting", 3, 0, 0, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Store{ops: make(chan writeOp, maxBatch+10), quit: make(chan struct{}), gatherWait: tt.wait}
			for range tt.waiting {
				s.ops <- writeOp{}
			}
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for range tt.arrive {
					select {
					case s.ops <- writeOp{}:
					case <-stop:
						return
					}
				}
			}()
			if got := len(s.gather(writeOp{})); got != tt.want {
				t.Errorf("a batch of %d writes, want %d", got, tt.want)
			}
		})
	}
}
