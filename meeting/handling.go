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

// handlings is the table: every Kind has a row (a test checks it). Read it through HandlingOf.
var handlings = map[Kind]Handling{
	// A bug, or a failure of mmzoom's own database: retried, since most of these pass (a locked or
	// unreachable database).
	KindInternal: {statusInternal, slog.LevelError, true},
	// Users' own situation: they are told what to do; nothing broke.
	KindNotConnected:        {statusForbidden, slog.LevelInfo, true},
	KindAccountNotSetUp:     {statusForbidden, slog.LevelInfo, true},
	KindNotConfirmed:        {statusForbidden, slog.LevelInfo, true},
	KindZoomUserNotFound:    {statusForbidden, slog.LevelInfo, true},
	KindEmailUntrusted:      {statusForbidden, slog.LevelInfo, true},
	KindNoEmail:             {statusForbidden, slog.LevelInfo, true},
	KindNotAdmin:            {statusForbidden, slog.LevelInfo, false},
	KindLinkInvalid:         {statusForbidden, slog.LevelInfo, false},
	KindZoomAccountTaken:    {statusForbidden, slog.LevelInfo, false},
	KindZoomNotAccountAdmin: {statusForbidden, slog.LevelInfo, false},
	// A forged, expired or reused request (a replayed webhook among them): refused, and never retried.
	KindActionInvalid: {statusConflict, slog.LevelInfo, false},
	KindNothingToDo:   {statusConflict, slog.LevelInfo, false},
	// The app's Zoom credentials are refused: only an admin can fix it, but a job waits for the fix.
	KindCredentialsRefused: {statusBadGateway, slog.LevelError, true},
	// Zoom or Mattermost cannot serve now: said to the user, retried by the queue.
	KindZoomUnavailable: {statusBadGateway, slog.LevelWarn, true},
	KindZoomRateLimited: {statusBadGateway, slog.LevelWarn, true},
	KindZoomRejected:    {statusBadGateway, slog.LevelError, true},
	KindChatUnavailable: {statusUnavailable, slog.LevelWarn, true},
	// Mattermost refused the bot, or the card, post or channel is gone: retrying cannot help.
	KindForbidden: {statusBadGateway, slog.LevelError, false},
	KindNotFound:  {statusNotFound, slog.LevelWarn, false},
}

// HandlingOf is the row of k; an unknown kind is handled as KindInternal.
func HandlingOf(k Kind) Handling {
	if h, ok := handlings[k]; ok {
		return h
	}
	return handlings[KindInternal]
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
