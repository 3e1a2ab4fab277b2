package meeting

import (
	"context"
	"sync"
	"testing"
	"time"
)

// LockMeetings takes several meetings' locks (also when two share a stripe: 1 and 65 of 64), holds each of
// them against LockMeeting, and two callers naming overlapping sets in opposite orders both get through.
func TestLocalLockerHoldsSeveralMeetings(t *testing.T) {
	ctx := context.Background()
	var l LocalLocker
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		unlock, _ := l.LockMeetings(ctx, []int64{65, 1, 2})
		got := make(chan struct{})
		go func() {
			u, _ := l.LockMeeting(ctx, 2)
			u()
			close(got)
		}()
		other, _ := l.LockMeeting(ctx, 3)
		other()
		select {
		case <-got:
			t.Error("a meeting held among several was taken")
		default:
		}
		unlock()
		<-got
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids := [][]int64{{4, 5, 6}, {6, 5, 4}}[i%2]
				for range 100 {
					u, _ := l.LockMeetings(ctx, ids)
					u()
				}
			}()
		}
		wg.Wait()
	}()
	// A guard, not a measurement: without it a deadlock would hang the whole test binary.
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("LockMeetings waited forever")
	}
}
