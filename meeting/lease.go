package meeting

import (
	"errors"
	"time"
)

// ErrLeaseLost is what Queue.Complete, Retry and Bury return for a claim that is no longer the job's: its
// lease ran out and the job was claimed again (by another replica, or by this one). Nothing was changed:
// the new claim decides what becomes of the job.
var ErrLeaseLost = &Error{Kind: KindInternal, Err: errors.New("the job's lease was lost to a newer claim")}

// DefaultLease is how long a claimed job is a processor's before another process may take it over.
const DefaultLease = time.Minute

// SetLease sets how long the processor's claims last (DefaultLease unless set). A job that runs longer may
// run twice; a process that dies holds its jobs, and on PostgreSQL the later events of their meetings, that
// long.
func (p *Processor) SetLease(d time.Duration) { p.lease = d }
