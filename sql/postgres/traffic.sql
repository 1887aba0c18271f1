-- The demo workload: short autocommit statements on the claims tables.

-- name: insert_claim
INSERT INTO healthcare.pharmacy_claims (
    service_date, prescription_id, pharmacy_id, patient_id, ndc, quantity,
    days_supply, ingredient_cost, dispensing_fee, copay, plan_paid,
    claim_status, reject_code
)
SELECT current_date, p.prescription_id, %(pharmacy_id)s, p.patient_id, m.ndc,
    p.quantity, p.days_supply, %(ingredient_cost)s, %(dispensing_fee)s,
    %(copay)s, %(plan_paid)s, %(claim_status)s, %(reject_code)s
FROM healthcare.prescriptions AS p
JOIN healthcare.medications AS m USING (medication_id)
WHERE p.prescription_id = %(prescription_id)s
RETURNING claim_id, service_date, claim_status;

-- name: claims_today
SELECT claim_status, count(*), sum(plan_paid)
FROM healthcare.pharmacy_claims
WHERE service_date = current_date
GROUP BY claim_status;

-- name: patient_history
SELECT c.claim_id, c.service_date, c.claim_status, m.drug_name
FROM healthcare.pharmacy_claims AS c
JOIN healthcare.medications AS m USING (ndc)
WHERE c.patient_id = %(patient_id)s AND c.service_date >= current_date - 30
ORDER BY c.service_date DESC
LIMIT 20;

-- name: pending_prior_authorizations
SELECT prior_authorization_id, prescription_id, requested_at
FROM healthcare.prior_authorizations
WHERE status = 'pending'
ORDER BY requested_at
LIMIT 10;

-- name: settle_pending
-- Adjudicates today's oldest pending claim that no other session has locked.
UPDATE healthcare.pharmacy_claims AS c
SET claim_status = %(claim_status)s,
    reject_code = %(reject_code)s,
    copay = CASE WHEN %(claim_status)s = 'paid'
        THEN least(%(copay)s, c.ingredient_cost + c.dispensing_fee) ELSE 0 END,
    plan_paid = CASE WHEN %(claim_status)s = 'paid'
        THEN c.ingredient_cost + c.dispensing_fee
            - least(%(copay)s, c.ingredient_cost + c.dispensing_fee)
        ELSE 0 END,
    updated_at = now()
WHERE (c.claim_id, c.service_date) = (
    SELECT claim_id, service_date
    FROM healthcare.pharmacy_claims
    WHERE claim_status = 'pending' AND service_date = current_date
    ORDER BY submitted_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING c.claim_id;

-- name: reverse_paid
-- Reverses one paid claim, unless another session, such as a chaos drill,
-- has it locked.
UPDATE healthcare.pharmacy_claims AS c
SET claim_status = 'reversed', updated_at = now()
WHERE (c.claim_id, c.service_date) = (
    SELECT claim_id, service_date
    FROM healthcare.pharmacy_claims
    WHERE claim_id = %(claim_id)s AND service_date = %(service_date)s
        AND claim_status = 'paid'
    FOR UPDATE SKIP LOCKED
);
