-- Statements the chaos scenarios run. Each scenario journals the original
-- values of every row it touches before it touches it.

-- name: pick_claims
-- Recent claims, newest first, skipping rows another session has locked.
-- UPDLOCK keeps an update lock on each returned row until the transaction
-- ends, and READPAST skips rows locked by other sessions: together they do
-- what FOR UPDATE SKIP LOCKED does in PostgreSQL. ROWLOCK keeps the locks at
-- row level, so READPAST skips single rows and not whole pages. The order
-- follows the clustered key, so the scan stops after TOP rows and locks no
-- others. Claim ids grow with time, so this order is also newest first.
SELECT TOP (%(count)s) claim_id, service_date
FROM healthcare.pharmacy_claims WITH (UPDLOCK, READPAST, ROWLOCK)
WHERE service_date >= DATEADD(DAY, -30, CAST(SYSUTCDATETIME() AS date))
ORDER BY service_date DESC, claim_id DESC;

-- name: touch_claim
-- Takes the claim's row lock with an update that changes no value, so the
-- drill has nothing to put back and never undoes an application's later
-- change to the claim.
UPDATE healthcare.pharmacy_claims
SET updated_at = updated_at
WHERE claim_id = %(claim_id)s AND service_date = %(service_date)s;

-- name: hold
-- WAITFOR DELAY takes a time of day, not a number, so the seconds become a
-- datetime on 1900-01-01. The delay is at most 24 hours.
DECLARE @seconds float = %(seconds)s;
DECLARE @delay datetime = DATEADD(
    MILLISECOND, CAST(@seconds * 1000 AS int), CAST(0 AS datetime)
);
WAITFOR DELAY @delay;

-- name: begin
BEGIN TRANSACTION;

-- name: commit
COMMIT TRANSACTION;

-- name: rollback
-- A deadlock victim's transaction is already rolled back, and ROLLBACK
-- without an open transaction raises error 3903.
IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;

-- name: set_deadlock_timeout
-- SQL Server has no setting for how long a lock wait lasts before the
-- deadlock search. Its lock monitor searches every 5 seconds, and more often
-- while it keeps finding deadlocks. SET LOCK_TIMEOUT is no substitute,
-- because it would end the lock wait with error 1222 before the monitor
-- finds the cycle, and no deadlock would be recorded. The statement instead
-- makes this session the deadlock victim in preference to the application's
-- sessions. It takes no timeout parameter because a SET run with parameters
-- runs inside sp_executesql and is undone when that call returns.
SET DEADLOCK_PRIORITY LOW;

-- name: ping
SELECT 1;

-- name: corrupt_customers
-- Data Corruption: customers from a faulty import, with no email and an
-- invalid state code. GENERATE_SERIES needs SQL Server 2022.
INSERT INTO commerce.customers (email, first_name, last_name, state)
OUTPUT inserted.customer_id
SELECT NULL, N'Imported', CONCAT(N'Customer ', g.value), 'ZZ'
FROM GENERATE_SERIES(1, %(rows)s) AS g;

-- name: corrupt_orders
-- Data Corruption: orders whose totals are far outside any real basket.
INSERT INTO commerce.orders (customer_id, status, total_amount)
OUTPUT inserted.order_id
SELECT TOP (%(rows)s) c.customer_id, 'placed', 987654.32
FROM commerce.customers AS c
ORDER BY c.customer_id;

-- name: corrupt_claims
-- Data Corruption: copies of recent claims with an impossible quantity and
-- days supply, left pending.
INSERT INTO healthcare.pharmacy_claims (
    service_date, prescription_id, pharmacy_id, patient_id, ndc, fill_number,
    quantity, days_supply, ingredient_cost, claim_status
)
OUTPUT inserted.claim_id, inserted.service_date
SELECT TOP (%(rows)s)
    c.service_date, c.prescription_id, c.pharmacy_id, c.patient_id, c.ndc,
    c.fill_number, 50000, 999, c.ingredient_cost, 'pending'
FROM healthcare.pharmacy_claims AS c
WHERE c.service_date >= DATEADD(DAY, -30, CAST(SYSUTCDATETIME() AS date))
    AND c.claim_status = 'paid'
ORDER BY c.service_date DESC, c.claim_id DESC;

-- name: skip_foreign_keys
-- Orphaned Records: SQL Server cannot skip foreign keys for one session, so
-- the drill disables the two constraints for the whole table while it writes,
-- as a bulk load with CHECK_CONSTRAINTS off does. Other sessions could write
-- orphans in that moment too.
ALTER TABLE healthcare.prescriptions NOCHECK CONSTRAINT fk_prescriptions_patient_id;
ALTER TABLE commerce.orders NOCHECK CONSTRAINT fk_orders_customer_id;

-- name: check_foreign_keys
-- Orphaned Records: enable the constraints again without checking the rows
-- already there, which leaves them untrusted until trust_foreign_keys.
ALTER TABLE healthcare.prescriptions
WITH NOCHECK CHECK CONSTRAINT fk_prescriptions_patient_id;
ALTER TABLE commerce.orders WITH NOCHECK CHECK CONSTRAINT fk_orders_customer_id;

-- name: trust_foreign_keys
-- After the rollback: check every row again, so the optimizer trusts the
-- constraints (sys.foreign_keys.is_not_trusted = 0).
ALTER TABLE healthcare.prescriptions
WITH CHECK CHECK CONSTRAINT fk_prescriptions_patient_id;
ALTER TABLE commerce.orders WITH CHECK CHECK CONSTRAINT fk_orders_customer_id;

-- name: orphan_prescriptions
-- Orphaned Records: prescriptions for patients that do not exist.
INSERT INTO healthcare.prescriptions (
    patient_id, provider_id, medication_id, written_date, quantity,
    days_supply, refills_authorized, diagnosis_code
)
OUTPUT inserted.prescription_id
SELECT
    (SELECT MAX(patient_id) FROM healthcare.patients) + 100000 + g.value,
    p.provider_id, p.medication_id, CAST(SYSUTCDATETIME() AS date),
    p.quantity, p.days_supply, p.refills_authorized, p.diagnosis_code
FROM GENERATE_SERIES(1, %(rows)s) AS g
CROSS APPLY (
    SELECT TOP (1) * FROM healthcare.prescriptions ORDER BY prescription_id
) AS p;

-- name: orphan_orders
-- Orphaned Records: orders for customers that do not exist.
INSERT INTO commerce.orders (customer_id, status, total_amount)
OUTPUT inserted.order_id
SELECT (SELECT MAX(customer_id) FROM commerce.customers) + 100000 + g.value,
    'placed', 25.00
FROM GENERATE_SERIES(1, %(rows)s) AS g;

-- name: lock_drug_interactions
-- Job Failure: hold a table the statistics job must read, so its statement
-- waits and times out as a job stalled on slow storage would. Run inside a
-- transaction; the exclusive table lock lasts until it ends.
SELECT TOP (1) interaction_id
FROM healthcare.drug_interactions WITH (TABLOCKX, HOLDLOCK);

-- name: pick_burst_pharmacy
-- Claim Volume Spike: the pharmacy with the fewest claims submitted in the
-- last hour, so the burst is far above its normal traffic.
SELECT TOP (1) p.pharmacy_id
FROM healthcare.pharmacies AS p
ORDER BY (
    SELECT COUNT(*) FROM healthcare.pharmacy_claims AS c
    WHERE c.pharmacy_id = p.pharmacy_id
        AND c.submitted_at >= DATEADD(HOUR, -1, SYSUTCDATETIME())
), p.pharmacy_id;

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
OUTPUT inserted.claim_id, inserted.service_date
SELECT
    CAST(SYSUTCDATETIME() AS date), rx.prescription_id, %(pharmacy_id)s,
    rx.patient_id, m.ndc, 0, rx.quantity, rx.days_supply, 12.50, 1.75,
    CASE WHEN s.status = 'paid' THEN 5.00 ELSE 0 END,
    CASE WHEN s.status = 'paid' THEN 9.25 ELSE 0 END,
    s.status, s.reject_code
FROM (
    SELECT TOP (%(claims)s) prescription_id, patient_id, medication_id,
        quantity, days_supply,
        ROW_NUMBER() OVER (ORDER BY prescription_id DESC) AS n
    FROM healthcare.prescriptions
    ORDER BY prescription_id DESC
) AS rx
INNER JOIN healthcare.medications AS m ON m.medication_id = rx.medication_id
CROSS APPLY (SELECT rx.n - 20 * (rx.n / 20) AS bucket) AS b
CROSS APPLY (
    SELECT
        CASE
            WHEN b.bucket < 10 THEN 'paid'
            WHEN b.bucket < 17 THEN 'rejected'
            ELSE 'pending'
        END AS status,
        CASE
            WHEN b.bucket BETWEEN 10 AND 12 THEN '75'
            WHEN b.bucket BETWEEN 13 AND 14 THEN '70'
            WHEN b.bucket BETWEEN 15 AND 16 THEN '76'
        END AS reject_code
) AS s;

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
OUTPUT inserted.access_id
SELECT
    DATEADD(
        MILLISECOND,
        -CAST(%(spread_minutes)s * 60000.0 * g.value / %(reads)s AS int),
        SYSUTCDATETIME()
    ),
    %(user_name)s, p.patient_id, 'view', N'claim review', N'claims-portal'
FROM GENERATE_SERIES(1, %(reads)s) AS g
CROSS APPLY (
    SELECT patient_id FROM healthcare.patients
    ORDER BY patient_id
    OFFSET g.value * 37 - 4000 * (g.value * 37 / 4000) ROWS
    FETCH NEXT 1 ROWS ONLY
) AS p;

-- name: pick_generics
-- Formulary Change: generic entries on tier 1 or 2 without prior
-- authorization, locked until the change commits.
SELECT TOP (%(rows)s)
    f.ndc, f.tier, f.prior_auth_required, f.effective_date, f.updated_at
FROM healthcare.formulary AS f WITH (UPDLOCK, READPAST, ROWLOCK)
INNER JOIN healthcare.medications AS m ON m.ndc = f.ndc
WHERE m.is_generic = 1 AND f.tier <= 2 AND f.prior_auth_required = 0
ORDER BY f.ndc;

-- name: move_to_tier_3
-- Formulary Change: a sync moves the generic to tier 3 with prior
-- authorization required.
UPDATE healthcare.formulary
SET tier = 3, prior_auth_required = 1,
    effective_date = CAST(SYSUTCDATETIME() AS date),
    updated_at = SYSUTCDATETIME()
WHERE ndc = %(ndc)s;
