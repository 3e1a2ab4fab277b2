-- Meeting lifecycle from Zoom webhooks (issue 3).
ALTER TABLE cards ADD COLUMN recording_url TEXT NOT NULL DEFAULT '';
-- The status the card's channel has been shown: where the bot cannot edit the card, a change of status is
-- announced once in the card's thread.
ALTER TABLE cards ADD COLUMN announced TEXT NOT NULL DEFAULT '';
CREATE INDEX tokens_by_zoom_user ON tokens (zoom_user_id);

-- Who is in a meeting: one row per participant, the latest join or leave winning.
CREATE TABLE card_participants (
	card_id INTEGER NOT NULL,
	key     TEXT NOT NULL,
	present INTEGER NOT NULL,
	at      INTEGER NOT NULL,
	PRIMARY KEY (card_id, key)
);

-- Durable jobs: verified Zoom events stored before Zoom is answered, and card refreshes. payload (the event,
-- which may carry recording passcodes) is sealed. Done event jobs stay a while so Zoom's repeated deliveries
-- are recognised; dead jobs stay for the admin.
CREATE TABLE jobs (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	key          TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL,
	payload      BLOB,
	card_id      INTEGER NOT NULL DEFAULT 0,
	status       TEXT NOT NULL DEFAULT 'pending', -- pending, done, dead
	attempts     INTEGER NOT NULL DEFAULT 0,
	version      INTEGER NOT NULL DEFAULT 0,
	not_before   INTEGER NOT NULL,
	locked_until INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_due ON jobs (status, not_before);
