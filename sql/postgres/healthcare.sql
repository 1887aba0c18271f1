-- Healthcare figures of the pharmacy-claims schema, read every
-- healthcare.refresh_seconds off the poll's hot path. Days are UTC days, as
-- in the seed data and the traffic workload.

-- name: claim_figures
-- One row of counts. "Today" means claims received today: submitted_at is
-- when the claim reached the processor, while service_date is the fill date,
-- which a pharmacy may submit days later. The rejection rate counts claims
-- submitted in the last window_minutes that are adjudicated (not pending);
-- the generic dispensing rate counts today's paid claims.
-- NOTE: no index covers submitted_at, so this scans every claims partition.
WITH bounds AS (
    SELECT
        now() AS read_at,
        date_trunc('day', now(), 'UTC') AS day_start,
        now() - make_interval(mins => %(window_minutes)s) AS window_start
)
SELECT
    b.read_at,
    count(c.claim_id) FILTER (
        WHERE c.submitted_at >= b.day_start
    ) AS claims_today,
    count(c.claim_id) FILTER (
        WHERE c.submitted_at >= b.window_start AND c.claim_status <> 'pending'
    ) AS window_adjudicated,
    count(c.claim_id) FILTER (
        WHERE c.submitted_at >= b.window_start AND c.claim_status = 'rejected'
    ) AS window_rejected,
    count(c.claim_id) FILTER (
        WHERE c.submitted_at >= b.day_start AND c.claim_status = 'paid'
    ) AS paid_today,
    count(c.claim_id) FILTER (
        WHERE c.submitted_at >= b.day_start AND c.claim_status = 'paid'
            AND m.is_generic
    ) AS generic_paid_today
FROM bounds AS b
LEFT JOIN healthcare.pharmacy_claims AS c
    ON c.submitted_at >= least(b.day_start, b.window_start)
LEFT JOIN healthcare.medications AS m ON m.ndc = c.ndc
GROUP BY b.read_at;

-- name: adherence
-- The adherence pipeline's newest period in healthcare.patient_adherence:
-- its end, the patients measured and those whose PDC is at least
-- pdc_threshold in every drug class measured. No row when the
-- pipeline has not written any.
WITH newest AS (
    SELECT period_start, period_end
    FROM healthcare.patient_adherence
    ORDER BY period_end DESC, period_start DESC
    LIMIT 1
),
patients AS (
    SELECT a.patient_id, min(a.pdc) AS lowest_pdc
    FROM healthcare.patient_adherence AS a
    INNER JOIN newest AS n
        ON n.period_start = a.period_start AND n.period_end = a.period_end
    GROUP BY a.patient_id
)
SELECT
    n.period_end,
    count(*) AS patients_measured,
    count(*) FILTER (WHERE p.lowest_pdc >= %(pdc_threshold)s) AS patients_adherent
FROM patients AS p
CROSS JOIN newest AS n
GROUP BY n.period_end;
