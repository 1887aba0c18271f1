-- Catalog look-ups for quarantine_data. The move itself is built per table
-- in engine/remediation/quarantine_sql.py.

-- name: referencing_keys
-- Single-column foreign keys that reference a column of the table, with the
-- referencing table and column: rows they point at must not be moved.
SELECT
    con.conrelid::regclass::text AS child_table,
    child.attname AS child_column,
    parent.attname AS parent_column
FROM pg_constraint AS con
INNER JOIN pg_attribute AS child
    ON child.attrelid = con.conrelid AND child.attnum = con.conkey[1]
INNER JOIN pg_attribute AS parent
    ON parent.attrelid = con.confrelid AND parent.attnum = con.confkey[1]
WHERE con.contype = 'f'
    AND con.conparentid = 0
    AND cardinality(con.conkey) = 1
    AND con.confrelid = to_regclass(%(table_name)s);

-- name: quarantined_tables
-- The tables a drill's quarantined rows came from.
SELECT DISTINCT source_table
FROM public.warroom_quarantine
WHERE drill_id = %(drill_id)s;
