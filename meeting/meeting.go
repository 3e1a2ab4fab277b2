// Package meeting holds mmzoom's domain: Zoom meetings started from Mattermost, the cards that show them in
// a channel, the Zoom identities users act as, and the rules that tie them together. It imports no transport:
// Zoom, Mattermost and storage are reached through the small interfaces declared in this package and
// implemented by the adapter packages (zoom, mattermost, sqlite, postgres).
package meeting

import (
	"strconv"
	"strings"
	"time"
)

// AppKind is the kind of Zoom OAuth app mmzoom is configured with. It decides whose token acts for a user.
type AppKind string

// The three Zoom app kinds mmzoom supports.
const (
	// KindUser is a user-managed General App (or legacy user-level OAuth app): each user connects their own
	// Zoom account and mmzoom calls Zoom with that user's token, addressing them as "me".
	KindUser AppKind = "user"
	// KindAccount is an admin-managed General App (or legacy account-level app): a Mattermost system admin
	// authorizes once and users are found in the Zoom account by their Mattermost e-mail.
	KindAccount AppKind = "account"
	// KindS2S is a Server-to-Server OAuth app (account_credentials grant): no consent at all, users are found
	// by e-mail.
	KindS2S AppKind = "s2s"
)

// Valid reports whether k is one of the supported kinds.
func (k AppKind) Valid() bool { return k == KindUser || k == KindAccount || k == KindS2S }

// Status is where a meeting card is in its life. A card only ever moves forward: waiting → started → ended.
type Status string

// Card statuses, in the order a card moves through them. These strings are part of the props contract
// shared with the webapp plugin (testdata/card_props.golden.json).
const (
	StatusWaiting Status = "waiting"
	StatusStarted Status = "started"
	StatusEnded   Status = "ended"
)

// rank orders statuses so that updates can refuse to move a card backwards.
func (s Status) rank() int {
	switch s {
	case StatusStarted:
		return 1
	case StatusEnded, StatusCancelled:
		return 2
	}
	return 0
}

// PMIPreference is a user's choice between their Personal Meeting ID and a fresh meeting ID.
type PMIPreference string

// The Personal Meeting ID preferences offered by `/zoom settings` (the same three as the upstream plugin).
const (
	PMIAsk    PMIPreference = "ask"
	PMIAlways PMIPreference = "pmi"
	PMINever  PMIPreference = "new"
)

// DefaultPMI applies to users who never chose: a fresh meeting ID each time, so that starting a meeting is
// one step and an old link cannot be reused to walk into a later meeting.
const DefaultPMI = PMINever

// Effective is the preference in force: p, or DefaultPMI when the user never chose.
func (p PMIPreference) Effective() PMIPreference {
	if p == "" {
		return DefaultPMI
	}
	return p
}

// Valid reports whether p is a known preference.
func (p PMIPreference) Valid() bool { return p == PMIAsk || p == PMIAlways || p == PMINever }

// Card is a meeting card: one Zoom meeting instance shown by one bot post in one channel.
type Card struct {
	ID              int64  // store id
	PostID          string // Mattermost post id of the card
	ChannelID       string
	TeamID          string
	RootID          string // thread the card was posted in, if any
	CreatorID       string // Mattermost user id of the starter
	CreatorUsername string
	CreatorLocale   string // locale the card's fallback text is written in
	MeetingID       int64  // Zoom meeting id (int64: Zoom ids exceed 32 bits)
	UUID            string // Zoom meeting instance uuid; learned from meeting.started for PMI cards
	Personal        bool   // started on the host's Personal Meeting ID
	Topic           string
	JoinURL         string // Zoom's join_url; carries the passcode unless the account strips it
	Passcode        string
	ShowPasscode    bool // admin setting in force when the card was created
	Status          Status
	Participants    int
	CreatedAt       time.Time
	StartedAt       time.Time
	EndedAt         time.Time
	HostZoomID      string
	RecordingURL    string // the cloud recording, once Zoom says it is ready
	// Announced is the status the channel has been shown (in place or by a thread reply).
	Announced Status
	// UpdatesInThread: the bot could post the card but can never edit it (a private channel, DM or group
	// message it is not a member of), so the card says from the start that its news follows in its thread.
	UpdatesInThread bool
	UpdatedAt       time.Time
	// Schedule is the schedule a scheduled card shows, loaded by the service before the card is rendered;
	// the card store does not keep it (the schedule store does).
	Schedule *Schedule
}

// MeetingIDString is the meeting id as the props contract carries it: a decimal string, because JavaScript
// numbers cannot hold every int64.
func (c *Card) MeetingIDString() string { return strconv.FormatInt(c.MeetingID, 10) }

// Duration is how long the meeting lasted by Zoom's own start and end times; zero until both are known.
func (c *Card) Duration() time.Duration {
	if c.StartedAt.IsZero() || c.EndedAt.IsZero() || c.EndedAt.Before(c.StartedAt) {
		return 0
	}
	return c.EndedAt.Sub(c.StartedAt)
}

// Advance moves the card to status s if that is forward; it reports whether anything changed.
func (c *Card) Advance(s Status) bool {
	if s.rank() <= c.Status.rank() {
		return false
	}
	c.Status = s
	return true
}

// Token is a Zoom OAuth token as mmzoom stores it. The store encrypts AccessToken and RefreshToken at rest.
type Token struct {
	AccessToken  string
	RefreshToken string
	Expiry       time.Time
	Scope        string
	ZoomUserID   string // whose token it is, learned from GET /users/me after the code exchange
	ZoomEmail    string
	Confirmed    bool // the Mattermost user confirmed the linked Zoom account (user kind)
}

// Owner names whose token a row holds: one Mattermost user (user kind) or the whole account.
type Owner string

// AccountOwner owns the single account-level token of the account kind.
const AccountOwner Owner = "account"

// UserOwner is the owner of a Mattermost user's own Zoom token.
func UserOwner(mattermostUserID string) Owner { return Owner("user:" + mattermostUserID) }

// ZoomUser is a Zoom user as mmzoom needs it.
type ZoomUser struct {
	ID       string
	Email    string
	Name     string
	PMI      int64
	Timezone string
}

// MeetingRequest is what mmzoom asks Zoom to create.
type MeetingRequest struct {
	Topic   string
	UsePMI  bool
	Options MeetingOptions // the admin's defaults with the user's allowed overrides
}

// ZoomMeeting is a meeting Zoom created.
type ZoomMeeting struct {
	ID       int64
	UUID     string
	HostID   string
	Topic    string
	JoinURL  string
	StartURL string // carries a host token: given to the starter only, never posted, logged or stored
	Password string
	Status   string
	Created  time.Time
}

// ChatUser is a Mattermost user as mmzoom needs it.
type ChatUser struct {
	ID          string
	Username    string
	DisplayName string // "First Last", else the nickname; may be empty
	Email       string
	Locale      string
	AuthService string // "" for e-mail/password sign-in; "saml", "ldap", "gitlab", … for SSO
	Roles       string
	IsBot       bool
	// Timezone is the IANA timezone in force in the user's Mattermost settings (automatic or manual); ""
	// when Mattermost does not know it.
	Timezone string
}

// IsSystemAdmin reports whether the user holds Mattermost's system_admin role.
func (u *ChatUser) IsSystemAdmin() bool { return hasWord(u.Roles, "system_admin") }

// ChannelType is Mattermost's one-letter channel type.
type ChannelType string

// Mattermost channel types.
const (
	ChannelOpen    ChannelType = "O"
	ChannelPrivate ChannelType = "P"
	ChannelDirect  ChannelType = "D"
	ChannelGroup   ChannelType = "G"
)

// Channel is a Mattermost channel as mmzoom needs it.
type Channel struct {
	ID     string
	TeamID string
	Type   ChannelType
	Name   string
}

// UserSettings are a Mattermost user's mmzoom preferences.
type UserSettings struct {
	UserID string
	PMI    PMIPreference
}

// Button is an interactive message button. The Mattermost adapter turns Action into a signed integration
// context, so that a click can be trusted only for the user, channel and action it was made for.
type Button struct {
	ID     string
	Name   string
	Style  string // "primary", "danger", "default"
	Action Action
}

// Action is what a button click asks mmzoom to do.
type Action struct {
	Name      string // one of the Action* constants
	UserID    string // the only user allowed to click; "" lets anyone click (the service checks who may act)
	ChannelID string
	// Once makes the button single use. The single-use buttons of one post are one question: the first
	// answer spends them all, so a question takes one answer.
	Once    bool
	Args    map[string]string // action arguments (card id, topic, …); never secrets
	Expires time.Time

	// Set by the Mattermost adapter on a click that came back verified:

	// Nonce is the question's single-use nonce (Once buttons only); Service.Click spends it.
	Nonce string
	// OnEphemeral says the button sits on an ephemeral reply. Mattermost cannot update such a post, so a click
	// on it is answered with text only (see Reply.Update).
	OnEphemeral bool
	// TriggerID is the click's trigger id, with which a dialog can be opened in the clicker's client.
	TriggerID string
}

// Action names carried by buttons.
const (
	ActionJoinRecent  = "join_recent"  // join the meeting of a recent card instead of starting one
	ActionStartNew    = "start_new"    // start a new meeting although a recent one is running
	ActionStartPMI    = "start_pmi"    // answer to the PMI question: use the Personal Meeting ID
	ActionStartFresh  = "start_fresh"  // answer to the PMI question: use a new meeting ID
	ActionSetPMI      = "set_pmi"      // /zoom settings: store a PMI preference
	ActionConfirmLink = "confirm_link" // confirm a newly linked Zoom account
	ActionRejectLink  = "reject_link"  // "this is not my Zoom account"
	ActionCancelStart = "cancel_start" // answer to the big-channel question: no meeting
	ActionRevokeAll   = "revoke_all"   // a system admin confirms /zoom admin revoke-all
	ActionCancelAdmin = "cancel_admin" // a system admin cancels /zoom admin revoke-all
)

func hasWord(list, word string) bool {
	for _, w := range strings.FieldsFunc(list, func(r rune) bool { return r == ' ' || r == ',' }) {
		if w == word {
			return true
		}
	}
	return false
}
