-- Statements that run the ETL procedures of etl.sql and read their lineage.

-- name: run_patient_adherence
CALL healthcare.etl_patient_adherence(%(period_start)s, %(period_end)s);

-- name: last_lineage
-- The newest lineage row of one pipeline.
SELECT rows_read, rows_written, rows_rejected, duration_ms
FROM healthcare.etl_lineage
WHERE pipeline = %(pipeline)s
ORDER BY run_id DESC
LIMIT 1;

-- name: run_dim_patient
CALL healthcare.etl_dim_patient();

-- name: run_claim_ingestion
CALL healthcare.etl_claim_ingestion(%(batch_id)s);

-- name: unprocessed_batches
-- Batches with staged rows not yet loaded or rejected, oldest first.
SELECT batch_id
FROM healthcare.claims_staging
WHERE processed_at IS NULL
GROUP BY batch_id
ORDER BY min(received_at);

-- name: run_summaries
CALL healthcare.etl_summaries(%(date_from)s, %(date_to)s);

-- name: run_incident_metrics
CALL healthcare.etl_incident_metrics(
    %(target)s, %(incidents)s::jsonb, %(date_from)s, %(date_to)s
);

-- name: adherence_rows
-- Whether the adherence pipeline has written any row: 0 or 1.
SELECT count(*) FROM (
    SELECT 1 FROM healthcare.patient_adherence LIMIT 1
) AS one_row;
