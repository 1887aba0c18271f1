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
-- Proportion of days covered (PDC) per patient and drug class over the last
-- period_days UTC days. Only paid maintenance fills count (days_supply of at
-- least min_days_supply), and a patient and class are measured once they have
-- fills on two different dates. The period runs from the first fill to today.
-- Days that several fills cover count once; early refills are not carried
-- forward. Returns the patients measured and those below pdc_threshold in at
-- least one class.
WITH period AS (
    SELECT
        CAST(SYSUTCDATETIME() AS date) AS period_end,
        DATEADD(
            DAY, 1 - %(period_days)s, CAST(SYSUTCDATETIME() AS date)
        ) AS period_start
),
fills AS (
    SELECT
        c.patient_id,
        m.drug_class,
        c.service_date AS fill_start,
        CASE
            WHEN DATEADD(DAY, c.days_supply, c.service_date)
                < DATEADD(DAY, 1, p.period_end)
                THEN DATEADD(DAY, c.days_supply, c.service_date)
            ELSE DATEADD(DAY, 1, p.period_end)
        END AS fill_end
    FROM healthcare.pharmacy_claims AS c
    INNER JOIN healthcare.medications AS m ON m.ndc = c.ndc
    CROSS JOIN period AS p
    WHERE c.claim_status = 'paid'
        AND c.days_supply >= %(min_days_supply)s
        AND c.service_date BETWEEN p.period_start AND p.period_end
),
measured AS (
    SELECT patient_id, drug_class, MIN(fill_start) AS index_date
    FROM fills
    GROUP BY patient_id, drug_class
    HAVING COUNT(DISTINCT fill_start) >= 2
),
ordered AS (
    -- covered_until is the end of the coverage of all earlier fills, so each
    -- fill adds only the days past it.
    SELECT
        f.patient_id,
        f.drug_class,
        f.fill_start,
        f.fill_end,
        MAX(f.fill_end) OVER (
            PARTITION BY f.patient_id, f.drug_class
            ORDER BY f.fill_start, f.fill_end
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS covered_until
    FROM fills AS f
    INNER JOIN measured AS x
        ON x.patient_id = f.patient_id AND x.drug_class = f.drug_class
),
added AS (
    SELECT
        patient_id,
        drug_class,
        DATEDIFF(
            DAY,
            CASE
                WHEN covered_until > fill_start THEN covered_until
                ELSE fill_start
            END,
            fill_end
        ) AS new_days
    FROM ordered
),
covered AS (
    SELECT
        patient_id,
        drug_class,
        SUM(CASE WHEN new_days > 0 THEN new_days ELSE 0 END) AS covered_days
    FROM added
    GROUP BY patient_id, drug_class
),
pdc AS (
    SELECT
        x.patient_id,
        CAST(c.covered_days AS float)
        / (DATEDIFF(DAY, x.index_date, p.period_end) + 1) AS pdc
    FROM measured AS x
    INNER JOIN covered AS c
        ON c.patient_id = x.patient_id AND c.drug_class = x.drug_class
    CROSS JOIN period AS p
)
SELECT
    COUNT(DISTINCT patient_id) AS patients_measured,
    COUNT(DISTINCT CASE WHEN pdc < %(pdc_threshold)s THEN patient_id END)
        AS patients_below
FROM pdc;
