-- Statements the chaos scenarios run. Each scenario journals the original
-- values of every row it touches before it touches it.

-- name: pick_claims
-- Recent claims, newest first, skipping rows another session has locked.
SELECT claim_id, service_date, claim_status, updated_at
FROM healthcare.pharmacy_claims
WHERE service_date >= current_date - 30
ORDER BY claim_id DESC
LIMIT %(count)s
FOR UPDATE SKIP LOCKED;

-- name: touch_claim
UPDATE healthcare.pharmacy_claims
SET updated_at = clock_timestamp()
WHERE claim_id = %(claim_id)s AND service_date = %(service_date)s;

-- name: restore_claim
UPDATE healthcare.pharmacy_claims
SET claim_status = %(claim_status)s, updated_at = %(updated_at)s
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
