-- PHI governance: the catalog scan, the masked export of patients and the
-- queries of the PHI access log. sql/mssql/governance.sql has the same names.

-- name: catalog_columns
-- Every column of every table, view and materialized view outside the system
-- schemas. Partitions are left out: their parent lists the same columns once.
-- information_schema.columns leaves out materialized views, so the second
-- branch reads their columns from pg_attribute. It builds data_type and
-- is_nullable the way information_schema.columns does in PostgreSQL 16, so a
-- column copied from a table gets the same data_type. That is the type name
-- without its length, 'ARRAY' for an array, the base type for a domain, and
-- 'USER-DEFINED' for a type outside pg_catalog. Like information_schema, it
-- lists only relations that the current user owns or has a column privilege on.
SELECT
    c.table_schema,
    c.table_name,
    t.table_type,
    c.column_name,
    c.ordinal_position,
    c.data_type,
    c.is_nullable = 'YES' AS is_nullable
FROM information_schema.columns AS c
INNER JOIN information_schema.tables AS t
    ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
    AND c.table_schema NOT LIKE 'pg\_toast%'
    AND NOT EXISTS (
        SELECT 1
        FROM pg_catalog.pg_class AS p
        INNER JOIN pg_catalog.pg_namespace AS n ON n.oid = p.relnamespace
        WHERE n.nspname = c.table_schema
            AND p.relname = c.table_name
            AND p.relispartition
    )
UNION ALL
SELECT
    n.nspname AS table_schema,
    r.relname AS table_name,
    'MATERIALIZED VIEW' AS table_type,
    a.attname AS column_name,
    a.attnum::integer AS ordinal_position,
    CASE
        WHEN b.typelem <> 0 AND b.typlen = -1 THEN 'ARRAY'
        WHEN bn.nspname = 'pg_catalog' THEN pg_catalog.format_type(b.oid, NULL)
        ELSE 'USER-DEFINED'
    END AS data_type,
    NOT (a.attnotnull OR (t.typtype = 'd' AND t.typnotnull)) AS is_nullable
FROM pg_catalog.pg_attribute AS a
INNER JOIN pg_catalog.pg_class AS r ON r.oid = a.attrelid
INNER JOIN pg_catalog.pg_namespace AS n ON n.oid = r.relnamespace
INNER JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
INNER JOIN pg_catalog.pg_type AS b
    ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
INNER JOIN pg_catalog.pg_namespace AS bn ON bn.oid = b.typnamespace
WHERE r.relkind = 'm'
    AND a.attnum > 0
    AND NOT a.attisdropped
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND (
        pg_catalog.pg_has_role(r.relowner, 'USAGE')
        OR pg_catalog.has_column_privilege(
            r.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'
        )
    )
ORDER BY table_schema, table_name, ordinal_position;

-- name: patients_page
-- One page of the masked export, after the last patient_id of the page
-- before, so the export never keeps more than batch_rows rows in memory.
SELECT
    p.patient_id,
    p.member_id,
    p.first_name,
    p.last_name,
    p.date_of_birth,
    p.gender,
    p.zip_code,
    p.state,
    p.created_at
FROM healthcare.patients AS p
WHERE p.patient_id > %(after_id)s
ORDER BY p.patient_id
LIMIT %(batch_rows)s;

-- name: access_reads_by_user
-- Reads of patient records per user between since and until.
SELECT
    l.user_name,
    count(*) AS reads,
    count(DISTINCT l.patient_id) AS patients,
    count(*) FILTER (WHERE l.access_type = 'view') AS views,
    count(*) FILTER (WHERE l.access_type = 'update') AS updates,
    count(*) FILTER (WHERE l.access_type = 'export') AS exports,
    min(l.accessed_at) AS first_read_at,
    max(l.accessed_at) AS last_read_at
FROM healthcare.phi_access_log AS l
WHERE l.accessed_at >= %(since)s AND l.accessed_at < %(until)s
GROUP BY l.user_name
ORDER BY reads DESC, l.user_name
LIMIT %(max_rows)s;

-- name: access_patients_of_user
-- The patients one user read between since and until, newest read first.
SELECT
    l.patient_id,
    count(*) AS reads,
    min(l.accessed_at) AS first_read_at,
    max(l.accessed_at) AS last_read_at
FROM healthcare.phi_access_log AS l
WHERE l.user_name = %(user_name)s
    AND l.accessed_at >= %(since)s
    AND l.accessed_at < %(until)s
GROUP BY l.patient_id
ORDER BY last_read_at DESC, l.patient_id
LIMIT %(max_rows)s;

-- name: access_readers_of_patient
-- Every read of one patient's record between since and until, newest first.
SELECT
    l.access_id,
    l.accessed_at,
    l.user_name,
    l.access_type,
    l.purpose,
    l.application
FROM healthcare.phi_access_log AS l
WHERE l.patient_id = %(patient_id)s
    AND l.accessed_at >= %(since)s
    AND l.accessed_at < %(until)s
ORDER BY l.accessed_at DESC, l.access_id DESC
LIMIT %(max_rows)s;

-- name: lineage_table_exists
-- Whether the ETL pipelines' lineage table is installed (sql/postgres/etl.sql).
SELECT count(*) AS found
FROM information_schema.tables AS t
WHERE t.table_schema = 'healthcare' AND t.table_name = 'etl_lineage';

-- name: lineage_rows
-- The newest runs of the ETL pipelines, one row per run.
SELECT
    l.run_id,
    l.pipeline,
    l.source,
    l.target,
    l.rows_read,
    l.rows_written,
    l.rows_rejected,
    l.started_at,
    l.ended_at,
    l.duration_ms
FROM healthcare.etl_lineage AS l
ORDER BY l.run_id DESC
LIMIT %(max_rows)s;
