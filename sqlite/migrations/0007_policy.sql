-- Where meetings may start (package meeting, policy.go). Portable SQL: the PostgreSQL store needs the same
-- three tables (with BIGINT for the millisecond times).

-- The system admin's channel policy: one row (id 1) once set; no row means "all".
CREATE TABLE channel_policy (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	mode       TEXT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL
);

-- The channels of the "listed" mode.
CREATE TABLE channel_policy_channels (
	channel_id TEXT PRIMARY KEY
);

-- A channel admin's switch: meetings off (or back on) in one channel.
CREATE TABLE channel_switches (
	channel_id TEXT PRIMARY KEY,
	off        INTEGER NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
