-- What restoring a journal entry does: 'update' puts the original values
-- back with the table's named restore statement, 'insert' deletes the row a
-- drill added, 'row' writes the whole original row back (insert or update).

ALTER TABLE drill_journal ADD COLUMN operation TEXT NOT NULL DEFAULT 'update';
