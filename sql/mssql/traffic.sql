-- The demo workload: short autocommit statements on the claims tables.
-- Service dates are UTC dates, as in the seed data.

-- name: insert_claim
INSERT INTO healthcare.pharmacy_claims (
    service_date, prescription_id, pharmacy_id, patient_id, ndc, quantity,
    days_supply, ingredient_cost, dispensing_fee, copay, plan_paid,
    claim_status, reject_code
)
OUTPUT inserted.claim_id, inserted.service_date, inserted.claim_status
SELECT CAST(SYSUTCDATETIME() AS date), p.prescription_id, %(pharmacy_id)s,
    p.patient_id, m.ndc, p.quantity, p.days_supply, %(ingredient_cost)s,
    %(dispensing_fee)s, %(copay)s, %(plan_paid)s, %(claim_status)s,
    %(reject_code)s
FROM healthcare.prescriptions AS p
INNER JOIN healthcare.medications AS m ON m.medication_id = p.medication_id
WHERE p.prescription_id = %(prescription_id)s;

-- name: claims_today
SELECT claim_status, COUNT(*) AS claims, SUM(plan_paid) AS plan_paid
FROM healthcare.pharmacy_claims
WHERE service_date = CAST(SYSUTCDATETIME() AS date)
GROUP BY claim_status;

-- name: patient_history
SELECT TOP (20) c.claim_id, c.service_date, c.claim_status, m.drug_name
FROM healthcare.pharmacy_claims AS c
INNER JOIN healthcare.medications AS m ON m.ndc = c.ndc
WHERE c.patient_id = %(patient_id)s
    AND c.service_date >= DATEADD(DAY, -30, CAST(SYSUTCDATETIME() AS date))
ORDER BY c.service_date DESC;

-- name: pending_prior_authorizations
SELECT TOP (10) prior_authorization_id, prescription_id, requested_at
FROM healthcare.prior_authorizations
WHERE status = 'pending'
ORDER BY requested_at;

-- name: settle_pending
-- Adjudicates today's oldest pending claim that no other session has locked.
-- The variables take each parameter once, because the statement reads
-- claim_status and copay several times. Updating through the TOP (1) view
-- with UPDLOCK and READPAST skips claims another session holds, like
-- FOR UPDATE SKIP LOCKED. SET reads the old column values throughout, and
-- IIF replaces LEAST(), which SQL Server has only from 2022.
DECLARE @claim_status varchar(10) = %(claim_status)s;
DECLARE @reject_code varchar(3) = %(reject_code)s;
DECLARE @copay decimal(12, 2) = %(copay)s;
WITH oldest_pending AS (
    SELECT TOP (1) claim_id, claim_status, reject_code, copay, plan_paid,
        ingredient_cost, dispensing_fee, updated_at
    FROM healthcare.pharmacy_claims WITH (UPDLOCK, READPAST, ROWLOCK)
    WHERE claim_status = 'pending'
        AND service_date = CAST(SYSUTCDATETIME() AS date)
    ORDER BY submitted_at
)
UPDATE oldest_pending
SET claim_status = @claim_status,
    reject_code = @reject_code,
    copay = CASE WHEN @claim_status = 'paid'
        THEN IIF(@copay < ingredient_cost + dispensing_fee,
            @copay, ingredient_cost + dispensing_fee)
        ELSE 0 END,
    plan_paid = CASE WHEN @claim_status = 'paid'
        THEN ingredient_cost + dispensing_fee
            - IIF(@copay < ingredient_cost + dispensing_fee,
                @copay, ingredient_cost + dispensing_fee)
        ELSE 0 END,
    updated_at = SYSUTCDATETIME()
OUTPUT inserted.claim_id;

-- name: reverse_paid
-- Reverses one paid claim, unless another session, such as a chaos drill,
-- has it locked: READPAST skips the row instead of waiting for it.
UPDATE healthcare.pharmacy_claims WITH (READPAST, ROWLOCK)
SET claim_status = 'reversed', updated_at = SYSUTCDATETIME()
WHERE claim_id = %(claim_id)s AND service_date = %(service_date)s
    AND claim_status = 'paid';
