-- Cards the bot can post but never edit (a private channel, DM or group message it is not a member of) say
-- from the start that their updates follow in the card's thread.
ALTER TABLE cards ADD COLUMN updates_in_thread INTEGER NOT NULL DEFAULT 0;
