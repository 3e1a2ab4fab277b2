-- Posts mmzoom made in a card's thread after the meeting (issue 13): the AI Companion summary (one post, or
-- several when it is split), the transcript and the meeting chat. Only the posts' ids are kept, in order and
-- separated by spaces: nothing of a summary, transcript or chat is stored. Plain SQL that PostgreSQL takes
-- as it is (BIGINT for card_id there).
CREATE TABLE card_replies (
	card_id    INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	post_ids   TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (card_id, kind)
);
