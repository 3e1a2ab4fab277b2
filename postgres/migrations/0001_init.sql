-- mmzoom on PostgreSQL: the same state as the SQLite store (see sqlite/migrations), shared by every replica.
-- Times are Unix milliseconds (0 = unknown), as in SQLite, so both stores compare times the same way.
-- Secret columns (bytea) hold values sealed by package seal, bound to their field and row.

CREATE TABLE tokens (
	owner        text PRIMARY KEY,
	access       bytea NOT NULL,
	refresh      bytea,
	expiry       bigint NOT NULL,
	scope        text NOT NULL DEFAULT '',
	zoom_user_id text NOT NULL DEFAULT '',
	zoom_email   text NOT NULL DEFAULT '',
	confirmed    boolean NOT NULL DEFAULT false,
	updated_at   bigint NOT NULL
);
CREATE INDEX tokens_by_zoom_user ON tokens (zoom_user_id);

CREATE TABLE connect_states (
	id           text PRIMARY KEY,
	owner        text NOT NULL,
	user_id      text NOT NULL,
	browser_hash text NOT NULL DEFAULT '',
	verifier     bytea,
	expires      bigint NOT NULL,
	pending      text
);

CREATE TABLE cards (
	id                bigserial PRIMARY KEY,
	post_id           text NOT NULL DEFAULT '',
	channel_id        text NOT NULL,
	team_id           text NOT NULL DEFAULT '',
	root_id           text NOT NULL DEFAULT '',
	creator_id        text NOT NULL,
	creator_username  text NOT NULL DEFAULT '',
	creator_locale    text NOT NULL DEFAULT '',
	meeting_id        bigint NOT NULL,
	uuid              text NOT NULL DEFAULT '',
	personal          boolean NOT NULL DEFAULT false,
	topic             text NOT NULL DEFAULT '',
	join_url          text NOT NULL DEFAULT '',
	passcode          bytea,
	show_passcode     boolean NOT NULL DEFAULT false,
	status            text NOT NULL,
	participants      integer NOT NULL DEFAULT 0,
	created_at        bigint NOT NULL,
	started_at        bigint NOT NULL DEFAULT 0,
	ended_at          bigint NOT NULL DEFAULT 0,
	host_zoom_id      text NOT NULL DEFAULT '',
	updated_at        bigint NOT NULL,
	recording_url     text NOT NULL DEFAULT '',
	announced         text NOT NULL DEFAULT '',
	updates_in_thread boolean NOT NULL DEFAULT false
);
CREATE INDEX cards_by_channel ON cards (channel_id, created_at);
CREATE INDEX cards_by_meeting ON cards (meeting_id);
CREATE INDEX cards_open_by_update ON cards (updated_at, id) WHERE status <> 'ended';

CREATE TABLE card_participants (
	card_id bigint NOT NULL,
	key     text NOT NULL,
	present boolean NOT NULL,
	at      bigint NOT NULL,
	PRIMARY KEY (card_id, key)
);

CREATE TABLE user_settings (
	user_id text PRIMARY KEY,
	pmi     text NOT NULL
);

CREATE TABLE command_tokens (
	token_id      text PRIMARY KEY,
	team_id       text NOT NULL,
	first_used_at bigint NOT NULL
);

CREATE TABLE nonces (
	nonce   text PRIMARY KEY,
	expires bigint NOT NULL
);
CREATE INDEX nonces_by_expiry ON nonces (expires);

-- Durable jobs. A claim sets locked_until and a new lease number; Complete, Retry and Bury change the job
-- only while the lease they hold is still the job's, so a replica that lost its lease cannot undo the work
-- of the replica that took the job over.
CREATE TABLE jobs (
	id           bigserial PRIMARY KEY,
	key          text NOT NULL UNIQUE,
	kind         text NOT NULL,
	payload      bytea,
	card_id      bigint NOT NULL DEFAULT 0,
	meeting_id   bigint NOT NULL DEFAULT 0, -- an event's Zoom meeting (not secret): its events are claimed in order
	status       text NOT NULL DEFAULT 'pending', -- pending, done, dead
	attempts     integer NOT NULL DEFAULT 0,
	version      integer NOT NULL DEFAULT 0,
	not_before   bigint NOT NULL,
	locked_until bigint NOT NULL DEFAULT 0,
	lease        bigint NOT NULL DEFAULT 0,
	created_at   bigint NOT NULL,
	updated_at   bigint NOT NULL,
	last_error   text NOT NULL DEFAULT ''
);
CREATE INDEX jobs_due ON jobs (not_before, id) WHERE status = 'pending';
CREATE INDEX jobs_pending_by_meeting ON jobs (meeting_id) WHERE status = 'pending' AND meeting_id <> 0;
CREATE INDEX jobs_dead ON jobs (updated_at) WHERE status = 'dead';
CREATE INDEX jobs_done ON jobs (updated_at) WHERE status = 'done';

-- Received Zoom events, stored before Zoom is answered. The unique nonce (the request's signature) is the
-- replay check every replica shares. Rows are moved into jobs by flipping drained, never by a cursor: ids
-- come from a sequence and transactions commit in any order, so "id > last moved" would skip a row whose
-- transaction committed after a higher id had been moved.
CREATE TABLE inbox (
	id          bigserial PRIMARY KEY,
	nonce       text NOT NULL UNIQUE,
	key         text NOT NULL,
	meeting_id  bigint NOT NULL DEFAULT 0,
	payload     bytea NOT NULL,
	received_at bigint NOT NULL,
	drained     boolean NOT NULL DEFAULT false
);
CREATE INDEX inbox_undrained ON inbox (id) WHERE NOT drained;
CREATE INDEX inbox_by_received ON inbox (received_at);
