-- Catalog look-ups for quarantine_data. The move itself is built per table
-- in engine/remediation/quarantine_sql.py.

-- name: referencing_keys
-- Single-column foreign keys that reference a column of the table, with the
-- referencing table and column: rows they point at must not be moved.
SELECT
    QUOTENAME(OBJECT_SCHEMA_NAME(fkc.parent_object_id)) + N'.'
    + QUOTENAME(OBJECT_NAME(fkc.parent_object_id)) AS child_table,
    COL_NAME(fkc.parent_object_id, fkc.parent_column_id) AS child_column,
    COL_NAME(fkc.referenced_object_id, fkc.referenced_column_id)
        AS parent_column
FROM sys.foreign_key_columns AS fkc
WHERE fkc.referenced_object_id = OBJECT_ID(%(table_name)s)
    AND NOT EXISTS (
        SELECT 1 FROM sys.foreign_key_columns AS other
        WHERE other.constraint_object_id = fkc.constraint_object_id
            AND other.constraint_column_id > 1
    );

-- name: quarantined_tables
-- The tables a drill's quarantined rows came from.
SELECT DISTINCT source_table
FROM dbo.warroom_quarantine
WHERE drill_id = %(drill_id)s;
