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
-- Proportion of days covered (PDC) per patient and drug class over the last
-- period_days UTC days. Only paid maintenance fills count (days_supply of at
-- least min_days_supply), and a patient and class are measured once they have
-- fills on two different dates. The period runs from the first fill to today.
-- Days that several fills cover count once; early refills are not carried
-- forward. Returns the patients measured and those below pdc_threshold in at
-- least one class.
WITH period AS (
    SELECT
        (now() AT TIME ZONE 'UTC')::date AS period_end,
        (now() AT TIME ZONE 'UTC')::date - (%(period_days)s - 1) AS period_start
),
fills AS (
    SELECT
        c.patient_id,
        m.drug_class,
        c.service_date AS fill_start,
        least(c.service_date + c.days_supply, p.period_end + 1) AS fill_end
    FROM healthcare.pharmacy_claims AS c
    INNER JOIN healthcare.medications AS m ON m.ndc = c.ndc
    CROSS JOIN period AS p
    WHERE c.claim_status = 'paid'
        AND c.days_supply >= %(min_days_supply)s
        AND c.service_date BETWEEN p.period_start AND p.period_end
),
measured AS (
    SELECT patient_id, drug_class, min(fill_start) AS index_date
    FROM fills
    GROUP BY patient_id, drug_class
    HAVING count(DISTINCT fill_start) >= 2
),
ordered AS (
    -- covered_until is the end of the coverage of all earlier fills, so each
    -- fill adds only the days past it.
    SELECT
        f.patient_id,
        f.drug_class,
        f.fill_start,
        f.fill_end,
        max(f.fill_end) OVER (
            PARTITION BY f.patient_id, f.drug_class
            ORDER BY f.fill_start, f.fill_end
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS covered_until
    FROM fills AS f
    INNER JOIN measured AS x
        ON x.patient_id = f.patient_id AND x.drug_class = f.drug_class
),
covered AS (
    SELECT
        patient_id,
        drug_class,
        sum(greatest(
            0, fill_end - greatest(fill_start, coalesce(covered_until, fill_start))
        )) AS covered_days
    FROM ordered
    GROUP BY patient_id, drug_class
),
pdc AS (
    SELECT
        x.patient_id,
        c.covered_days::numeric / (p.period_end - x.index_date + 1) AS pdc
    FROM measured AS x
    INNER JOIN covered AS c
        ON c.patient_id = x.patient_id AND c.drug_class = x.drug_class
    CROSS JOIN period AS p
)
SELECT
    count(DISTINCT patient_id) AS patients_measured,
    count(DISTINCT patient_id) FILTER (
        WHERE pdc < %(pdc_threshold)s
    ) AS patients_below
FROM pdc;
