-- The values a drill set in a row it journaled whole ('row' entries), so
-- the rollback writes the original back only while the row still has them
-- and leaves a row that someone else changed since.

ALTER TABLE drill_journal ADD COLUMN changed_to TEXT;
