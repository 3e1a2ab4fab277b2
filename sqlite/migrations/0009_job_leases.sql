-- Each claim of a job gets a new lease number (issue 11): Complete, Retry and Bury change the job only while
-- their claim is still its latest, so a claim that outlived its lease cannot undo the work of the next one.
ALTER TABLE jobs ADD COLUMN lease INTEGER NOT NULL DEFAULT 0;
