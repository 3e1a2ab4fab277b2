-- Received Zoom events (issue 3), stored before Zoom is answered. Appending here is the cheapest durable write
-- SQLite offers: one B-tree, written at its end, so the deliveries sharing a commit share its pages. Nothing
-- random is indexed on this path: the replay check is answered from memory (see inbox.go) and repeated
-- deliveries are recognised when Due moves rows into jobs, in large batches off the path Zoom waits on.
-- payload is sealed as in jobs (same associated data: the key). Rows stay, their nonce recording the request,
-- until it could no longer verify.
CREATE TABLE inbox (
	id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: inbox_cursor points into it
	nonce       TEXT NOT NULL,
	key         TEXT NOT NULL,
	payload     BLOB NOT NULL,
	received_at INTEGER NOT NULL
);

-- The last inbox row moved into jobs.
CREATE TABLE inbox_cursor (drained INTEGER NOT NULL);
INSERT INTO inbox_cursor (drained) VALUES (0);
