-- Whether a participant row's last change turned their presence over (came in, or left). SetParticipant decides
-- and records an event in one statement, an upsert whose RETURNING shows only the row as it now is (before
-- PostgreSQL 18); the upsert stores here what it saw of the row before, and the count moves by it.
ALTER TABLE card_participants ADD COLUMN flipped boolean NOT NULL DEFAULT false;
