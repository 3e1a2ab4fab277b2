-- How many participants each card's meeting has in it, kept up to date as events arrive (issue 11): counting
-- the card's participant rows at every event made one event cost as much as the meeting was large.
CREATE TABLE card_presence (
	card_id INTEGER PRIMARY KEY,
	present INTEGER NOT NULL
);
INSERT INTO card_presence (card_id, present)
	SELECT card_id, count(*) FROM card_participants WHERE present = 1 GROUP BY card_id;
