-- The replies posted after a meeting (summary, transcript, chat: only their post ids), the channel policy and
-- channel admins' switches, and grant bookkeeping on tokens: the same as SQLite's migrations 0006 to 0008.
CREATE TABLE card_replies (
	card_id    bigint NOT NULL,
	kind       text NOT NULL,
	post_ids   text NOT NULL,
	updated_at bigint NOT NULL,
	PRIMARY KEY (card_id, kind)
);

-- The system admin's channel policy: one row (id 1) once set; no row means "all".
CREATE TABLE channel_policy (
	id         integer PRIMARY KEY CHECK (id = 1),
	mode       text NOT NULL,
	updated_by text NOT NULL DEFAULT '',
	updated_at bigint NOT NULL
);

CREATE TABLE channel_policy_channels (
	channel_id text PRIMARY KEY
);

CREATE TABLE channel_switches (
	channel_id text PRIMARY KEY,
	off        boolean NOT NULL,
	updated_by text NOT NULL,
	updated_at bigint NOT NULL
);

-- Which Zoom app issued each token, and when it last started a meeting. SaveToken's upsert leaves them alone.
ALTER TABLE tokens ADD COLUMN client_id text NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN last_used_at bigint NOT NULL DEFAULT 0;
