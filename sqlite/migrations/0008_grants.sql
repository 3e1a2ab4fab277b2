-- Grant management (package meeting, grants.go): which Zoom app (client ID) issued each token, so that a token
-- from a previous app is recognised as unusable, and when it last started a meeting. SaveToken's upsert does
-- not touch these columns, so a refresh keeps them; a new connection sets client_id again. Portable SQL: the
-- PostgreSQL store needs the same two columns (last_used_at BIGINT).
ALTER TABLE tokens ADD COLUMN client_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
