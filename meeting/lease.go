package meeting

import "errors"

// ErrLeaseLost is what Queue.Complete, Retry and Bury return for a claim that is no longer the job's: its
// lease ran out and the job was claimed again (by another replica, or by this one). Nothing was changed:
// the new claim decides what becomes of the job.
var ErrLeaseLost = &Error{Kind: KindInternal, Err: errors.New("the job's lease was lost to a newer claim")}
