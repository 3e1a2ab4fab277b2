package meeting

import (
	"context"
	"slices"
	"sync"
)

// Locker makes rules that span several steps hold across every process sharing the store: the events of
// one meeting are applied one at a time, and a periodic job (reconciliation, pruning) runs in one process at
// a time. Package postgres implements it with advisory locks; LocalLocker is the single-process version
// (SQLite, tests).
type Locker interface {
	// LockMeeting waits for the lock of meetingID's cards and returns its release.
	LockMeeting(ctx context.Context, meetingID int64) (unlock func(), err error)
	// LockMeetings waits for the locks of several meetings' cards and returns their release. Every caller
	// takes them in one order, so that two holders of several cannot wait for each other; a holder of one
	// lock takes no other.
	LockMeetings(ctx context.Context, meetingIDs []int64) (unlock func(), err error)
	// TryLock takes the lock called name if nobody holds it; ok is false when somebody does.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// LocalLocker is a Locker for one process: striped mutexes per meeting, and named locks.
type LocalLocker struct {
	meetings [64]sync.Mutex
	mu       sync.Mutex
	held     map[string]bool
}

var _ Locker = (*LocalLocker)(nil)

// LockMeeting waits for meetingID's mutex.
func (l *LocalLocker) LockMeeting(ctx context.Context, meetingID int64) (func(), error) {
	mu := &l.meetings[l.stripe(meetingID)]
	mu.Lock()
	return mu.Unlock, nil
}

// stripe is the mutex a meeting shares with others.
func (l *LocalLocker) stripe(meetingID int64) int {
	return int(uint64(meetingID) % uint64(len(l.meetings)))
}

// LockMeetings waits for the mutexes of several meetings, in the order of their stripes.
func (l *LocalLocker) LockMeetings(ctx context.Context, meetingIDs []int64) (func(), error) {
	stripes := make([]int, 0, len(meetingIDs))
	for _, id := range meetingIDs {
		stripes = append(stripes, l.stripe(id))
	}
	slices.Sort(stripes)
	stripes = slices.Compact(stripes)
	for _, i := range stripes {
		l.meetings[i].Lock()
	}
	return func() {
		for _, i := range stripes {
			l.meetings[i].Unlock()
		}
	}, nil
}

// TryLock takes the named lock unless it is held.
func (l *LocalLocker) TryLock(ctx context.Context, name string) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[name] {
		return nil, false, nil
	}
	if l.held == nil {
		l.held = map[string]bool{}
	}
	l.held[name] = true
	return func() {
		l.mu.Lock()
		delete(l.held, name)
		l.mu.Unlock()
	}, true, nil
}

// Tokens is the part of the store that keeps Zoom tokens.
type Tokens interface {
	Token(ctx context.Context, owner Owner) (*Token, error)
	SaveToken(ctx context.Context, owner Owner, t *Token) error
	DeleteToken(ctx context.Context, owner Owner) error
}

// TokenLocker serializes the refresh of one owner's Zoom token across every process sharing the store: Zoom
// rotates the refresh token on each use, so two processes refreshing with the same one would have the
// second refused and the grant forgotten. LockToken runs f holding owner's lock; f reads and writes the
// token through the Tokens it is given (inside the lock). Package postgres implements it.
type TokenLocker interface {
	LockToken(ctx context.Context, owner Owner, f func(Tokens) error) error
}
