-- PHI governance: the catalog scan, the masked export of patients and the
-- queries of the PHI access log. sql/postgres/governance.sql has the same
-- names. accessed_at is datetime2 in UTC, so since and until are naive UTC.

-- name: catalog_columns
-- Every column of every table and view outside the system schemas. An indexed
-- view, such as healthcare.claims_by_drug_class, is a view with a clustered
-- index, so it is listed with TABLE_TYPE 'VIEW' and its values are not sampled.
SELECT
    c.TABLE_SCHEMA AS table_schema,
    c.TABLE_NAME AS table_name,
    t.TABLE_TYPE AS table_type,
    c.COLUMN_NAME AS column_name,
    c.ORDINAL_POSITION AS ordinal_position,
    c.DATA_TYPE AS data_type,
    CAST(CASE WHEN c.IS_NULLABLE = 'YES' THEN 1 ELSE 0 END AS bit) AS is_nullable
FROM INFORMATION_SCHEMA.COLUMNS AS c
INNER JOIN INFORMATION_SCHEMA.TABLES AS t
    ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA NOT IN ('sys', 'INFORMATION_SCHEMA')
ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION;

-- name: patients_page
-- One page of the masked export, after the last patient_id of the page
-- before, so the export never keeps more than batch_rows rows in memory.
SELECT TOP (%(batch_rows)s)
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
ORDER BY p.patient_id;

-- name: access_reads_by_user
-- Reads of patient records per user between since and until.
SELECT TOP (%(max_rows)s)
    l.user_name,
    COUNT_BIG(*) AS reads,
    COUNT_BIG(DISTINCT l.patient_id) AS patients,
    SUM(CASE WHEN l.access_type = 'view' THEN 1 ELSE 0 END) AS views,
    SUM(CASE WHEN l.access_type = 'update' THEN 1 ELSE 0 END) AS updates,
    SUM(CASE WHEN l.access_type = 'export' THEN 1 ELSE 0 END) AS exports,
    MIN(l.accessed_at) AS first_read_at,
    MAX(l.accessed_at) AS last_read_at
FROM healthcare.phi_access_log AS l
WHERE l.accessed_at >= %(since)s AND l.accessed_at < %(until)s
GROUP BY l.user_name
ORDER BY reads DESC, l.user_name;

-- name: access_patients_of_user
-- The patients one user read between since and until, newest read first.
SELECT TOP (%(max_rows)s)
    l.patient_id,
    COUNT_BIG(*) AS reads,
    MIN(l.accessed_at) AS first_read_at,
    MAX(l.accessed_at) AS last_read_at
FROM healthcare.phi_access_log AS l
WHERE l.user_name = %(user_name)s
    AND l.accessed_at >= %(since)s
    AND l.accessed_at < %(until)s
GROUP BY l.patient_id
ORDER BY last_read_at DESC, l.patient_id;

-- name: access_readers_of_patient
-- Every read of one patient's record between since and until, newest first.
SELECT TOP (%(max_rows)s)
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
ORDER BY l.accessed_at DESC, l.access_id DESC;

-- name: lineage_table_exists
-- Whether the ETL pipelines' lineage table is installed (sql/mssql/etl.sql).
SELECT COUNT(*) AS found
FROM INFORMATION_SCHEMA.TABLES AS t
WHERE t.TABLE_SCHEMA = 'healthcare' AND t.TABLE_NAME = 'etl_lineage';

-- name: lineage_rows
-- The newest runs of the ETL pipelines, one row per run; times are UTC.
SELECT TOP (%(max_rows)s)
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
ORDER BY l.run_id DESC;
