package meeting

import (
	"context"
	"time"
)

// Zoom is the Zoom REST API as the service needs it; package zoom implements it. The owner picks the
// credential: UserOwner(id) is that user's own OAuth token (user kind), AccountOwner is the account token
// (account kind: the admin's grant; s2s kind: the account_credentials token). Errors are *Error values of
// kind KindNotConnected (no usable token; a token Zoom refuses is forgotten), KindZoomUserNotFound,
// KindZoomRateLimited, KindZoomUnavailable or KindZoomRejected.
type Zoom interface {
	// User looks up a Zoom user: "me", a Zoom user id or an e-mail address.
	User(ctx context.Context, owner Owner, userID string) (*ZoomUser, error)
	// CreateMeeting creates a meeting hosted by userID ("me", an id or an e-mail address).
	CreateMeeting(ctx context.Context, owner Owner, userID string, req MeetingRequest) (*ZoomMeeting, error)
	// Meeting gets a meeting's current state (KindNotFound when Zoom no longer knows it).
	Meeting(ctx context.Context, owner Owner, meetingID int64) (*ZoomMeeting, error)
	// PastMeeting gets an ended meeting instance by UUID (KindNotFound until it has ended).
	PastMeeting(ctx context.Context, owner Owner, uuid string) (*PastMeeting, error)
}

// PastMeeting is an ended meeting instance as Zoom reports it.
type PastMeeting struct {
	UUID         string
	StartTime    time.Time
	EndTime      time.Time
	Participants int
}

// Authorizer runs Zoom's OAuth authorization-code flow (with PKCE); package zoom implements it.
type Authorizer interface {
	// AuthCodeURL is the Zoom consent page to send the browser to.
	AuthCodeURL(state, verifier string) string
	// Exchange trades an authorization code for a token.
	Exchange(ctx context.Context, code, verifier string) (*Token, error)
	// Revoke asks Zoom to revoke the grant behind tok.
	Revoke(ctx context.Context, tok *Token) error
}

// Chat is Mattermost as the service needs it, acting as mmzoom's bot; package mattermost implements it.
// Errors are *Error values: KindForbidden when the bot lacks a permission (403), KindNotFound (404),
// KindChatUnavailable (down, 5xx, 429).
type Chat interface {
	User(ctx context.Context, id string) (*ChatUser, error)
	// UserByEmail finds the user with an e-mail address (KindNotFound: nobody; KindForbidden: addresses are
	// hidden from the bot).
	UserByEmail(ctx context.Context, email string) (*ChatUser, error)
	Channel(ctx context.Context, id string) (*Channel, error)
	// RequireEmailVerification reports the server's EmailSettings.RequireEmailVerification.
	RequireEmailVerification(ctx context.Context) (bool, error)
	// BotIsMember reports whether the bot is a member of a channel (false where it may not even look).
	BotIsMember(ctx context.Context, channelID string) (bool, error)
	// JoinChannel adds the bot to a public channel.
	JoinChannel(ctx context.Context, channelID string) error
	// CreatePost posts as the bot and returns the new post's id.
	CreatePost(ctx context.Context, p *Post) (string, error)
	// PatchPost replaces a bot post's message and props (the whole props map, as Mattermost does).
	PatchPost(ctx context.Context, postID string, p *Post) error
	// SendDirect posts p in the direct channel between the bot and userID, opening it if needed.
	SendDirect(ctx context.Context, userID string, p *Post) (string, error)
}

// Store keeps mmzoom's state; packages sqlite and postgres implement it. Token values are encrypted at rest
// by the implementation. Lookups of something absent return an error of kind KindNotFound.
type Store interface {
	Token(ctx context.Context, owner Owner) (*Token, error)
	SaveToken(ctx context.Context, owner Owner, t *Token) error
	DeleteToken(ctx context.Context, owner Owner) error

	// SaveConnect stores a connect link's state (insert or update).
	SaveConnect(ctx context.Context, c *ConnectState) error
	// Connect reads a connect state without consuming it.
	Connect(ctx context.Context, id string) (*ConnectState, error)
	// TakeConnect reads and deletes a connect state, so that it can be used once.
	TakeConnect(ctx context.Context, id string) (*ConnectState, error)

	CreateCard(ctx context.Context, c *Card) error // sets c.ID
	UpdateCard(ctx context.Context, c *Card) error
	Card(ctx context.Context, id int64) (*Card, error)
	// OpenCards lists a channel's cards that are not ended and were created at or after since, newest first.
	OpenCards(ctx context.Context, channelID string, since time.Time) ([]*Card, error)
	// CardsByMeeting lists the cards of a Zoom meeting id, newest first.
	CardsByMeeting(ctx context.Context, meetingID int64) ([]*Card, error)
	// CardsByMeetings lists the cards of several Zoom meeting ids, each meeting's newest first.
	CardsByMeetings(ctx context.Context, meetingIDs []int64) ([]*Card, error)
	// MarkAnnounced records which status the card's channel has been shown.
	MarkAnnounced(ctx context.Context, cardID int64, s Status) error
	// SetParticipants records whether participants are in their card's meeting, each as of its At: for each
	// participant, the presence that wins (Presence.Supersedes) among ps and the one recorded before is
	// kept. It returns, for each card of ps, how many participants are in and whether the call changed
	// anyone's presence.
	SetParticipants(ctx context.Context, ps []Presence) (map[int64]Headcount, error)
	// TokenOwners lists the owners of tokens that belong to a Zoom user.
	TokenOwners(ctx context.Context, zoomUserID string) ([]Owner, error)
	// StaleCards lists up to limit cards that have not ended and were last updated before before, oldest
	// first: meetings Zoom may never have told mmzoom the end of.
	StaleCards(ctx context.Context, before time.Time, limit int) ([]*Card, error)

	// Settings returns a user's settings; a user who never chose gets an empty PMI (DefaultPMI applies).
	Settings(ctx context.Context, userID string) (*UserSettings, error)
	SaveSettings(ctx context.Context, s *UserSettings) error

	// BindCommandToken binds a slash-command token (by its id, never the token itself) to the team it was
	// first used from and returns the team it is bound to.
	BindCommandToken(ctx context.Context, tokenID, teamID string) (string, error)
	// UseNonce records a single-use nonce; it fails with KindActionInvalid if the nonce was used before.
	UseNonce(ctx context.Context, nonce string, expires time.Time) error

	Pruner
}

// Pruner deletes what has outlived its use as of now (expired connect links and nonces, received events
// whose request no longer verifies, applied events old enough that Zoom no longer repeats them). Nothing
// else deletes them: the janitor (Service.RunJanitor) calls it.
type Pruner interface {
	Prune(ctx context.Context, now time.Time) error
}

// ConnectState is one connect link: single use, bound to a Mattermost user, expiring after ConnectTTL, and
// bound to the browser that opened it by the hash of an HttpOnly cookie.
type ConnectState struct {
	ID          string
	Owner       Owner
	UserID      string // the Mattermost user the link was shown to
	BrowserHash string // hex SHA-256 of the browser cookie, set when the link is first opened
	Verifier    string // PKCE code verifier (encrypted at rest)
	Expires     time.Time
	Pending     *StartRequest // the /zoom start that asked for the connection, run once the account is confirmed
}

// ConnectTTL is how long a connect link lives.
const ConnectTTL = 10 * time.Minute
