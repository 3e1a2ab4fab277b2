-- Scheduled meetings and channel subscriptions (issue 12). What is searched by is a column; the rest of the
-- schedule (occurrences, recurrence, topic) is JSON in data. Times are Unix milliseconds. last_start is the
-- start of the last occurrence, so upcoming lists skip schedules that are over.
CREATE TABLE schedules (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	card_id      INTEGER NOT NULL DEFAULT 0,
	meeting_id   INTEGER NOT NULL,
	channel_id   TEXT NOT NULL,
	creator_id   TEXT NOT NULL,
	subscription INTEGER NOT NULL DEFAULT 0,
	cancelled    INTEGER NOT NULL DEFAULT 0,
	first_start  INTEGER NOT NULL DEFAULT 0,
	last_start   INTEGER NOT NULL DEFAULT 0,
	data         TEXT NOT NULL,
	updated_at   INTEGER NOT NULL
);
CREATE INDEX schedules_by_meeting ON schedules (meeting_id);
CREATE INDEX schedules_by_card ON schedules (card_id);
CREATE INDEX schedules_by_channel ON schedules (channel_id, last_start);
CREATE INDEX schedules_by_creator ON schedules (creator_id, last_start);
