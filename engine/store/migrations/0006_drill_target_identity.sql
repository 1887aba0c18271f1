-- The database a drill ran on (Target.identity), so recovery replays a
-- journal only on that database. NULL for drills recorded before this
-- column: recovery matches those by target name alone.

ALTER TABLE drills ADD COLUMN target_identity TEXT;
