-- PHI governance: the catalog scan, the masked export of patients and the
-- queries of the PHI access log. sql/mssql/governance.sql has the same names.

-- name: catalog_columns
-- Every column of every table and view outside the system schemas. Partitions
-- are left out: their parent lists the same columns once.
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
ORDER BY c.table_schema, c.table_name, c.ordinal_position;

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
