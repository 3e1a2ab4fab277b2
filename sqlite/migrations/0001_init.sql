-- Zoom OAuth tokens, one row per owner ("account" or "user:<mattermost user id>"). access and refresh are
-- sealed (package seal) with the owner in the associated data, so a value copied to another row does not open.
CREATE TABLE tokens (
	owner        TEXT PRIMARY KEY,
	access       BLOB NOT NULL,
	refresh      BLOB,
	expiry       INTEGER NOT NULL,
	scope        TEXT NOT NULL DEFAULT '',
	zoom_user_id TEXT NOT NULL DEFAULT '',
	zoom_email   TEXT NOT NULL DEFAULT '',
	confirmed    INTEGER NOT NULL DEFAULT 0,
	updated_at   INTEGER NOT NULL
);

-- Connect links in flight. verifier (the PKCE code verifier) is sealed.
CREATE TABLE connect_states (
	id           TEXT PRIMARY KEY,
	owner        TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	browser_hash TEXT NOT NULL DEFAULT '',
	verifier     BLOB,
	expires      INTEGER NOT NULL,
	pending      TEXT
);

-- Meeting cards: one Zoom meeting instance shown by one bot post. Times are Unix milliseconds, 0 = unknown.
CREATE TABLE cards (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	post_id          TEXT NOT NULL DEFAULT '',
	channel_id       TEXT NOT NULL,
	team_id          TEXT NOT NULL DEFAULT '',
	root_id          TEXT NOT NULL DEFAULT '',
	creator_id       TEXT NOT NULL,
	creator_username TEXT NOT NULL DEFAULT '',
	creator_locale   TEXT NOT NULL DEFAULT '',
	meeting_id       INTEGER NOT NULL,
	uuid             TEXT NOT NULL DEFAULT '',
	personal         INTEGER NOT NULL DEFAULT 0,
	topic            TEXT NOT NULL DEFAULT '',
	join_url         TEXT NOT NULL DEFAULT '',
	passcode         BLOB,
	show_passcode    INTEGER NOT NULL DEFAULT 0,
	status           TEXT NOT NULL,
	participants     INTEGER NOT NULL DEFAULT 0,
	created_at       INTEGER NOT NULL,
	started_at       INTEGER NOT NULL DEFAULT 0,
	ended_at         INTEGER NOT NULL DEFAULT 0,
	host_zoom_id     TEXT NOT NULL DEFAULT '',
	updated_at       INTEGER NOT NULL
);
CREATE INDEX cards_by_channel ON cards (channel_id, created_at);
CREATE INDEX cards_by_meeting ON cards (meeting_id);

CREATE TABLE user_settings (
	user_id TEXT PRIMARY KEY,
	pmi     TEXT NOT NULL
);

-- Slash-command tokens (by a hash, never the token) and the team each was first used from.
CREATE TABLE command_tokens (
	token_id      TEXT PRIMARY KEY,
	team_id       TEXT NOT NULL,
	first_used_at INTEGER NOT NULL
);

-- Single-use button nonces, kept until their button expires.
CREATE TABLE nonces (
	nonce   TEXT PRIMARY KEY,
	expires INTEGER NOT NULL
);
CREATE INDEX nonces_by_expiry ON nonces (expires);
