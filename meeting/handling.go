package meeting

import "log/slog"

// Handling is what mmzoom does with an error of one kind, wherever it meets it: the HTTP status an inbound
// adapter answers with when it answers with an error status at all (slash commands and buttons answer 200
// with the user's message: Mattermost shows nothing else), the level it is logged at, and whether a queued
// job that failed with it is tried again (otherwise it becomes a dead letter). Metrics count errors by kind
// with the same level and retryability, so the one table below is the only place these decisions live.
type Handling struct {
	// Status is an HTTP status code (the domain imports no transport, hence a number).
	Status int
	// Level is the log level: what users cause is Info, what an upstream's outage causes is Warn, what
	// breaks or needs an admin is Error.
	Level slog.Level
	// Retry says a job failing this way may succeed later; false makes it a dead letter at once.
	Retry bool
}

// Status codes used in the table (net/http's names, without importing a transport into the domain).
const (
	statusForbidden   = 403
	statusNotFound    = 404
	statusConflict    = 409
	statusInternal    = 500
	statusBadGateway  = 502
	statusUnavailable = 503
)

// handling is the table: one row per Kind (a test checks that every kind has one). ok is false for a kind
// without a row. It is a switch rather than a map so that the table is code, not package state.
func handling(k Kind) (h Handling, ok bool) {
	switch k {
	// A bug, or a failure of mmzoom's own database: retried, since most of these pass (a locked or
	// unreachable database).
	case KindInternal:
		return Handling{statusInternal, slog.LevelError, true}, true
	// Users' own situation: they are told what to do; nothing broke.
	case KindNotConnected, KindAccountNotSetUp, KindNotConfirmed, KindZoomUserNotFound, KindEmailUntrusted, KindNoEmail:
		return Handling{statusForbidden, slog.LevelInfo, true}, true
	case KindNotAdmin, KindLinkInvalid, KindZoomAccountTaken, KindZoomNotAccountAdmin:
		return Handling{statusForbidden, slog.LevelInfo, false}, true
	// A forged, expired or reused request (a replayed webhook among them): refused, and never retried.
	case KindActionInvalid, KindNothingToDo:
		return Handling{statusConflict, slog.LevelInfo, false}, true
	// The app's Zoom credentials are refused: only an admin can fix it, but a job waits for the fix.
	case KindCredentialsRefused:
		return Handling{statusBadGateway, slog.LevelError, true}, true
	// Zoom or Mattermost cannot serve now: said to the user, retried by the queue.
	case KindZoomUnavailable, KindZoomRateLimited:
		return Handling{statusBadGateway, slog.LevelWarn, true}, true
	case KindZoomRejected:
		return Handling{statusBadGateway, slog.LevelError, true}, true
	case KindChatUnavailable:
		return Handling{statusUnavailable, slog.LevelWarn, true}, true
	// Mattermost refused the bot, or the card, post or channel is gone: retrying cannot help.
	case KindForbidden:
		return Handling{statusBadGateway, slog.LevelError, false}, true
	case KindNotFound:
		return Handling{statusNotFound, slog.LevelWarn, false}, true
	}
	return Handling{}, false
}

// HandlingOf is the row of k; an unknown kind is handled as KindInternal.
func HandlingOf(k Kind) Handling {
	if h, ok := handling(k); ok {
		return h
	}
	h, _ := handling(KindInternal)
	return h
}

// Kinds lists every kind in the table, for adapters and tests that must cover them all.
func Kinds() []Kind {
	return []Kind{
		KindInternal, KindNotConnected, KindAccountNotSetUp, KindCredentialsRefused, KindNotConfirmed,
		KindZoomUserNotFound, KindEmailUntrusted, KindNoEmail, KindNotAdmin, KindZoomUnavailable,
		KindZoomRateLimited, KindZoomRejected, KindChatUnavailable, KindForbidden, KindNotFound,
		KindLinkInvalid, KindActionInvalid, KindZoomAccountTaken, KindZoomNotAccountAdmin, KindNothingToDo,
	}
}
