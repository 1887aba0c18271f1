-- Statements the validation engine runs besides the rules themselves.

-- name: columns
-- Every column of the user schemas, for the check that each rule names a
-- table and columns that exist.
SELECT table_schema, table_name, column_name, data_type
FROM INFORMATION_SCHEMA.COLUMNS
WHERE table_schema NOT IN ('sys', 'INFORMATION_SCHEMA')
ORDER BY table_schema, table_name, ordinal_position;

-- name: primary_keys
-- The primary key columns of every table, in key order, to name sample rows.
SELECT kcu.table_schema, kcu.table_name, kcu.column_name
FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS AS tc
INNER JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE AS kcu
    ON kcu.constraint_schema = tc.constraint_schema
    AND kcu.constraint_name = tc.constraint_name
    AND kcu.table_name = tc.table_name
WHERE tc.constraint_type = 'PRIMARY KEY'
ORDER BY kcu.table_schema, kcu.table_name, kcu.ordinal_position;
