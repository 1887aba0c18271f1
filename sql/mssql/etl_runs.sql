-- Statements that run the ETL procedures of etl.sql and read their lineage.

-- name: run_patient_adherence
EXEC healthcare.etl_patient_adherence
    @period_start = %(period_start)s, @period_end = %(period_end)s;

-- name: last_lineage
-- The newest lineage row of one pipeline.
SELECT TOP (1) rows_read, rows_written, rows_rejected, duration_ms
FROM healthcare.etl_lineage
WHERE pipeline = %(pipeline)s
ORDER BY run_id DESC;

-- name: run_dim_patient
EXEC healthcare.etl_dim_patient;

-- name: run_claim_ingestion
EXEC healthcare.etl_claim_ingestion @batch_id = %(batch_id)s;

-- name: unprocessed_batches
-- Batches with staged rows not yet loaded or rejected, oldest first.
SELECT batch_id
FROM healthcare.claims_staging
WHERE processed_at IS NULL
GROUP BY batch_id
ORDER BY min(received_at);

-- name: run_summaries
EXEC healthcare.etl_summaries @date_from = %(date_from)s, @date_to = %(date_to)s;

-- name: run_incident_metrics
EXEC healthcare.etl_incident_metrics @target = %(target)s,
    @incidents = %(incidents)s, @date_from = %(date_from)s,
    @date_to = %(date_to)s;

-- name: adherence_rows
-- Whether the adherence pipeline has written any row: 0 or 1.
SELECT COUNT(*) FROM (
    SELECT TOP (1) 1 AS present FROM healthcare.patient_adherence
) AS one_row;
