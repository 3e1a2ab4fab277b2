-- How many participants each card's meeting has in it, as SQLite's migration 0010: kept up to date as events
-- arrive, instead of counting the card's participant rows at every event.
CREATE TABLE card_presence (
	card_id bigint PRIMARY KEY,
	present integer NOT NULL
);
INSERT INTO card_presence (card_id, present)
	SELECT card_id, count(*) FROM card_participants WHERE present GROUP BY card_id;
