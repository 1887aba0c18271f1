-- Healthcare figures of the pharmacy-claims schema, read every
-- healthcare.refresh_seconds off the poll's hot path. submitted_at holds UTC
-- times (SYSUTCDATETIME()), and days are UTC days.
-- TODO: run these statements on a live SQL Server; so far only sqlfluff's
-- tsql parser has checked them.

-- name: claim_figures
-- One row of counts. "Today" means claims received today: submitted_at is
-- when the claim reached the processor, while service_date is the fill date,
-- which a pharmacy may submit days later. The rejection rate counts claims
-- submitted in the last window_minutes that are adjudicated (not pending);
-- the generic dispensing rate counts today's paid claims.
-- NOTE: no index covers submitted_at, so this scans every claims partition.
WITH bounds AS (
    SELECT
        SYSUTCDATETIME() AS read_at,
        CAST(CAST(SYSUTCDATETIME() AS date) AS datetime2(3)) AS day_start,
        DATEADD(MINUTE, -%(window_minutes)s, SYSUTCDATETIME()) AS window_start
)
SELECT
    b.read_at,
    COUNT(CASE WHEN c.submitted_at >= b.day_start THEN 1 END) AS claims_today,
    COUNT(
        CASE
            WHEN c.submitted_at >= b.window_start AND c.claim_status <> 'pending'
                THEN 1
        END
    ) AS window_adjudicated,
    COUNT(
        CASE
            WHEN c.submitted_at >= b.window_start AND c.claim_status = 'rejected'
                THEN 1
        END
    ) AS window_rejected,
    COUNT(
        CASE
            WHEN c.submitted_at >= b.day_start AND c.claim_status = 'paid' THEN 1
        END
    ) AS paid_today,
    COUNT(
        CASE
            WHEN c.submitted_at >= b.day_start AND c.claim_status = 'paid'
                AND m.is_generic = 1
                THEN 1
        END
    ) AS generic_paid_today
FROM bounds AS b
LEFT JOIN healthcare.pharmacy_claims AS c
    ON c.submitted_at >= CASE
        WHEN b.day_start < b.window_start THEN b.day_start ELSE b.window_start
    END
LEFT JOIN healthcare.medications AS m ON m.ndc = c.ndc
GROUP BY b.read_at;

-- name: adherence
-- The adherence pipeline's newest period in healthcare.patient_adherence, as
-- the PostgreSQL statement reads it. No row when the pipeline has not
-- written any.
WITH newest AS (
    SELECT TOP (1) period_start, period_end
    FROM healthcare.patient_adherence
    ORDER BY period_end DESC, period_start DESC
),
patients AS (
    SELECT
        a.patient_id,
        MIN(a.pdc) AS lowest_pdc
    FROM healthcare.patient_adherence AS a
    INNER JOIN newest AS n
        ON n.period_start = a.period_start AND n.period_end = a.period_end
    GROUP BY a.patient_id
)
SELECT
    n.period_end,
    COUNT(*) AS patients_measured,
    SUM(CASE WHEN p.lowest_pdc >= %(pdc_threshold)s THEN 1 ELSE 0 END)
        AS patients_adherent
FROM patients AS p
CROSS JOIN newest AS n
GROUP BY n.period_end;
