-- Scheduled meetings and channel subscriptions, as SQLite's migration 0005: what is searched by is a column,
-- the rest of the schedule (occurrences, recurrence, topic) is JSON in data. Times are Unix milliseconds.
CREATE TABLE schedules (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	card_id      bigint NOT NULL DEFAULT 0,
	meeting_id   bigint NOT NULL,
	channel_id   text NOT NULL,
	creator_id   text NOT NULL,
	subscription boolean NOT NULL DEFAULT false,
	cancelled    boolean NOT NULL DEFAULT false,
	first_start  bigint NOT NULL DEFAULT 0,
	last_start   bigint NOT NULL DEFAULT 0,
	data         jsonb NOT NULL,
	updated_at   bigint NOT NULL
);
CREATE INDEX schedules_by_meeting ON schedules (meeting_id);
CREATE INDEX schedules_by_card ON schedules (card_id);
CREATE INDEX schedules_by_channel ON schedules (channel_id, last_start);
CREATE INDEX schedules_by_creator ON schedules (creator_id, last_start);
