-- Statements the chaos scenarios run. Each scenario journals the original
-- values of every row it touches before it touches it.

-- name: pick_claims
-- Recent claims, newest first, skipping rows another session has locked.
SELECT claim_id, service_date
FROM healthcare.pharmacy_claims
WHERE service_date >= current_date - 30
ORDER BY claim_id DESC
LIMIT %(count)s
FOR UPDATE SKIP LOCKED;

-- name: touch_claim
-- Takes the claim's row lock with an update that changes no value, so the
-- drill has nothing to put back and never undoes an application's later
-- change to the claim.
UPDATE healthcare.pharmacy_claims
SET updated_at = updated_at
WHERE claim_id = %(claim_id)s AND service_date = %(service_date)s;

-- name: hold
SELECT pg_sleep(%(seconds)s);

-- name: begin
BEGIN;

-- name: commit
COMMIT;

-- name: rollback
ROLLBACK;

-- name: set_deadlock_timeout
-- SET takes no bind parameters, so set_config() carries the value.
SELECT set_config('deadlock_timeout', %(timeout)s, false);

-- name: ping
SELECT 1;

-- name: corrupt_customers
-- Data Corruption: customers from a faulty import, with no email and an
-- invalid state code.
INSERT INTO commerce.customers (email, first_name, last_name, state)
SELECT NULL, 'Imported', 'Customer ' || g, 'ZZ'
FROM generate_series(1, %(rows)s) AS g
RETURNING customer_id;

-- name: corrupt_orders
-- Data Corruption: orders whose totals are far outside any real basket.
INSERT INTO commerce.orders (customer_id, status, total_amount)
SELECT c.customer_id, 'placed', 987654.32
FROM (
    SELECT customer_id FROM commerce.customers ORDER BY customer_id
    LIMIT %(rows)s
) AS c
RETURNING order_id;

-- name: corrupt_claims
-- Data Corruption: copies of recent claims with an impossible quantity and
-- days supply, left pending.
INSERT INTO healthcare.pharmacy_claims (
    service_date, prescription_id, pharmacy_id, patient_id, ndc, fill_number,
    quantity, days_supply, ingredient_cost, claim_status
)
SELECT
    c.service_date, c.prescription_id, c.pharmacy_id, c.patient_id, c.ndc,
    c.fill_number, 50000, 999, c.ingredient_cost, 'pending'
FROM (
    SELECT * FROM healthcare.pharmacy_claims
    WHERE service_date >= current_date - 30 AND claim_status = 'paid'
    ORDER BY claim_id DESC
    LIMIT %(rows)s
) AS c
RETURNING claim_id, service_date;

-- name: skip_foreign_keys
-- Orphaned Records: a session in replica mode does not fire the foreign key
-- triggers, as a logical replication apply or a pg_restore with
-- --disable-triggers does. Needs a superuser, as the embedded target is.
SELECT set_config('session_replication_role', 'replica', false);

-- name: orphan_prescriptions
-- Orphaned Records: prescriptions for patients that do not exist.
INSERT INTO healthcare.prescriptions (
    patient_id, provider_id, medication_id, written_date, quantity,
    days_supply, refills_authorized, diagnosis_code
)
SELECT
    (SELECT max(patient_id) FROM healthcare.patients) + 100000 + g,
    p.provider_id, p.medication_id, current_date, p.quantity, p.days_supply,
    p.refills_authorized, p.diagnosis_code
FROM generate_series(1, %(rows)s) AS g
CROSS JOIN LATERAL (
    SELECT * FROM healthcare.prescriptions ORDER BY prescription_id LIMIT 1
) AS p
RETURNING prescription_id;

-- name: orphan_orders
-- Orphaned Records: orders for customers that do not exist.
INSERT INTO commerce.orders (customer_id, status, total_amount)
SELECT (SELECT max(customer_id) FROM commerce.customers) + 100000 + g,
    'placed', 25.00
FROM generate_series(1, %(rows)s) AS g
RETURNING order_id;

-- name: lock_drug_interactions
-- Job Failure: hold a table the statistics job must read, so its statement
-- waits and times out as a job stalled on slow storage would. Run inside a
-- transaction; the lock lasts until it ends.
LOCK TABLE healthcare.drug_interactions IN ACCESS EXCLUSIVE MODE;

-- name: pick_burst_pharmacy
-- Claim Volume Spike: the pharmacy with the fewest claims submitted in the
-- last hour, so the burst is far above its normal traffic.
SELECT p.pharmacy_id
FROM healthcare.pharmacies AS p
ORDER BY (
    SELECT count(*) FROM healthcare.pharmacy_claims AS c
    WHERE c.pharmacy_id = p.pharmacy_id
        AND c.submitted_at >= now() - interval '1 hour'
), p.pharmacy_id
LIMIT 1;

-- name: claim_burst
-- Claim Volume Spike: claims copied from recent prescriptions, all from one
-- pharmacy and submitted now: half paid, a third rejected (75: prior
-- authorization required, 70: not covered, 76: plan limits exceeded), the
-- rest pending.
INSERT INTO healthcare.pharmacy_claims (
    service_date, prescription_id, pharmacy_id, patient_id, ndc, fill_number,
    quantity, days_supply, ingredient_cost, dispensing_fee, copay, plan_paid,
    claim_status, reject_code
)
SELECT
    current_date, rx.prescription_id, %(pharmacy_id)s, rx.patient_id, m.ndc, 0,
    rx.quantity, rx.days_supply, 12.50, 1.75,
    CASE WHEN s.status = 'paid' THEN 5.00 ELSE 0 END,
    CASE WHEN s.status = 'paid' THEN 9.25 ELSE 0 END,
    s.status, s.reject_code
FROM (
    SELECT prescription_id, patient_id, medication_id, quantity, days_supply,
        mod(row_number() OVER (ORDER BY prescription_id DESC), 20) AS bucket
    FROM healthcare.prescriptions
    ORDER BY prescription_id DESC
    LIMIT %(claims)s
) AS rx
INNER JOIN healthcare.medications AS m ON m.medication_id = rx.medication_id
CROSS JOIN LATERAL (
    SELECT
        CASE
            WHEN rx.bucket < 10 THEN 'paid'
            WHEN rx.bucket < 17 THEN 'rejected'
            ELSE 'pending'
        END AS status,
        CASE
            WHEN rx.bucket BETWEEN 10 AND 12 THEN '75'
            WHEN rx.bucket BETWEEN 13 AND 14 THEN '70'
            WHEN rx.bucket BETWEEN 15 AND 16 THEN '76'
        END AS reject_code
) AS s
RETURNING claim_id, service_date;

-- name: phi_suspension
-- PHI Exposure: a suspension the drill's user already has. The PHI audit
-- skips suspended users, so the drill would go undetected.
SELECT suspended_at, reason FROM healthcare.phi_access_suspensions
WHERE user_name = %(user_name)s;

-- name: lift_drill_suspension
-- PHI Exposure rollback: lift the suspension that remediation of one of the
-- drill's incidents added, and no other.
DELETE FROM healthcare.phi_access_suspensions
WHERE incident_id = %(incident_id)s;

-- name: phi_reads
-- PHI Exposure: one user reads many different patients' records within
-- minutes, spread over the last spread_minutes.
INSERT INTO healthcare.phi_access_log (
    accessed_at, user_name, patient_id, access_type, purpose, application
)
SELECT
    now() - make_interval(secs => (%(spread_minutes)s * 60.0 * g) / %(reads)s),
    %(user_name)s, p.patient_id, 'view', 'claim review', 'claims-portal'
FROM generate_series(1, %(reads)s) AS g
INNER JOIN LATERAL (
    SELECT patient_id FROM healthcare.patients
    ORDER BY patient_id LIMIT 1 OFFSET mod(g * 37, 4000)
) AS p ON true
RETURNING access_id;

-- name: pick_generics
-- Formulary Change: generic entries on tier 1 or 2 without prior
-- authorization, locked until the change commits.
SELECT f.ndc, f.tier, f.prior_auth_required, f.effective_date, f.updated_at
FROM healthcare.formulary AS f
INNER JOIN healthcare.medications AS m ON m.ndc = f.ndc
WHERE m.is_generic AND f.tier <= 2 AND NOT f.prior_auth_required
ORDER BY f.ndc
LIMIT %(rows)s
FOR UPDATE OF f SKIP LOCKED;

-- name: move_to_tier_3
-- Formulary Change: a sync moves the generic to tier 3 with prior
-- authorization required.
UPDATE healthcare.formulary
SET tier = 3, prior_auth_required = true, effective_date = current_date,
    updated_at = clock_timestamp()
WHERE ndc = %(ndc)s;

-- name: check_foreign_keys
-- Orphaned Records: back to the default replication role, so this session
-- checks foreign keys again.
SELECT set_config('session_replication_role', 'origin', false);

-- name: trust_foreign_keys
-- After the rollback. PostgreSQL needs nothing here: replica mode skipped the
-- checks for one session and left the constraints valid.
SELECT 1;
