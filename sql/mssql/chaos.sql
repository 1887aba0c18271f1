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
SELECT TOP (%(count)s) claim_id, service_date, claim_status, updated_at
FROM healthcare.pharmacy_claims WITH (UPDLOCK, READPAST, ROWLOCK)
WHERE service_date >= DATEADD(DAY, -30, CAST(SYSUTCDATETIME() AS date))
ORDER BY service_date DESC, claim_id DESC;

-- name: touch_claim
UPDATE healthcare.pharmacy_claims
SET updated_at = SYSUTCDATETIME()
WHERE claim_id = %(claim_id)s AND service_date = %(service_date)s;

-- name: restore_claim
UPDATE healthcare.pharmacy_claims
SET claim_status = %(claim_status)s, updated_at = %(updated_at)s
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
