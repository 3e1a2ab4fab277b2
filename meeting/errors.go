package meeting

import (
	"errors"
	"time"
)

// Kind classifies a domain error. Each inbound adapter turns a Kind into a status and a translated user
// message in exactly one place; everything else about the error goes to the log.
type Kind string

// Error kinds the user can be told about. The message catalogs have one entry per kind ("error.<kind>").
const (
	KindInternal           Kind = "internal"            // a bug or an unexpected failure: log it, say sorry
	KindNotConnected       Kind = "not_connected"       // user kind: the user has no usable Zoom token
	KindAccountNotSetUp    Kind = "account_not_set_up"  // account kind: no admin has authorized the app yet
	KindCredentialsRefused Kind = "credentials_refused" // s2s kind: Zoom refuses the app's account ID, client ID or secret
	KindNotConfirmed       Kind = "not_confirmed"       // a linked Zoom account waits for the user's confirmation
	KindZoomUserNotFound   Kind = "zoom_user_not_found"
	KindEmailUntrusted     Kind = "email_untrusted"
	KindNoEmail            Kind = "no_email"
	KindNotAdmin           Kind = "not_admin"
	KindZoomUnavailable    Kind = "zoom_unavailable"
	KindZoomRateLimited    Kind = "zoom_rate_limited"
	KindZoomRejected       Kind = "zoom_rejected" // Zoom answered 4xx with a message worth showing
	KindChatUnavailable    Kind = "chat_unavailable"
	KindForbidden          Kind = "forbidden"      // Mattermost refused the bot
	KindNotFound           Kind = "not_found"      // a post, card or channel is gone
	KindLinkInvalid        Kind = "link_invalid"   // an OAuth connect link that is used, expired or someone else's
	KindActionInvalid      Kind = "action_invalid" // a button context that is forged, altered, expired or reused
	// KindZoomAccountTaken: a connect link was completed with a Zoom account whose e-mail belongs to another
	// Mattermost user (a forwarded link); Email is that address.
	KindZoomAccountTaken Kind = "zoom_account_taken"
	// KindZoomNotAccountAdmin: the account-level connection was authorized by a Zoom user who is not an
	// owner or admin of the Zoom account, so Zoom granted no :admin scope; Email is that user's.
	KindZoomNotAccountAdmin Kind = "zoom_not_account_admin"
	KindNothingToDo         Kind = "nothing_to_do"
)

// Error is a domain error with a kind the user can be told about. Detail is for the log only.
type Error struct {
	Kind       Kind
	Email      string        // for KindZoomUserNotFound / KindEmailUntrusted: the e-mail that was tried
	RetryAfter time.Duration // for KindZoomRateLimited, when Zoom said
	Message    string        // for KindZoomRejected: Zoom's own message (safe to show)
	Err        error         // the cause, for the log
}

// Error is the kind and, for the log, the cause.
func (e *Error) Error() string {
	msg := "meeting: " + string(e.Kind)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap is the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotConnected) and friends work on kinds.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) && t.Err == nil && t.Email == "" && t.Message == "" {
		return t.Kind == e.Kind
	}
	return false
}

// Sentinels for errors.Is; adapters wrap their own errors in an *Error of the right kind.
var (
	ErrNotConnected     = &Error{Kind: KindNotConnected}
	ErrNotFound         = &Error{Kind: KindNotFound}
	ErrForbidden        = &Error{Kind: KindForbidden}
	ErrZoomUnavailable  = &Error{Kind: KindZoomUnavailable}
	ErrRateLimited      = &Error{Kind: KindZoomRateLimited}
	ErrChatUnavailable  = &Error{Kind: KindChatUnavailable}
	ErrZoomUserNotFound = &Error{Kind: KindZoomUserNotFound}
)

// KindOf returns the kind of err: the kind of the first *Error in its chain, or KindInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// errorf wraps err as a domain error of kind k.
func wrap(k Kind, err error) error { return &Error{Kind: k, Err: err} }
