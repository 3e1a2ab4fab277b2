package httpapi

import (
	"errors"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/zoom"
)

// Reasons a Zoom webhook is refused before it reaches the domain. They are metric label values: a fixed,
// small set, never anything taken from the request.
const (
	RefusedNoSignature  = "no_signature"  // x-zm-signature or x-zm-request-timestamp missing or unreadable
	RefusedBadSignature = "bad_signature" // signed with another secret, or the body was altered
	RefusedStale        = "stale"         // timestamp outside the 5-minute window
	RefusedReplayed     = "replayed"      // a request already received
	RefusedMalformed    = "malformed"     // signed, but not an event
	RefusedTooLarge     = "too_large"
	RefusedUnreadable   = "unreadable"
)

// WebhookRefusals counts refused webhooks by reason; package metrics implements it.
type WebhookRefusals interface {
	Refused(reason string)
}

// refusalReason names a verification failure.
func refusalReason(err error) string {
	switch {
	case errors.Is(err, zoom.ErrBadSignature):
		return RefusedBadSignature
	case errors.Is(err, zoom.ErrStale):
		return RefusedStale
	default:
		return RefusedNoSignature
	}
}

// uncounted counts nothing: the default when no metrics are wired.
type uncounted struct{}

func (uncounted) Refused(string)               {}
func (uncounted) Failure(string, meeting.Kind) {}

var (
	_ WebhookRefusals  = uncounted{}
	_ meeting.Failures = uncounted{}
)
