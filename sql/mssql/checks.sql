-- The data checks that run with the validation rules every
-- validation.interval_seconds: the claim burst and the PHI access audit.

-- name: claim_burst
-- Pharmacies that submitted more than burst_max claims in the last
-- burst_minutes. submitted_at is UTC without a zone.
SELECT
    c.pharmacy_id,
    COUNT_BIG(*) AS claims,
    SUM(CASE WHEN c.claim_status = 'rejected' THEN 1 ELSE 0 END) AS rejected,
    MIN(c.submitted_at) AS first_submitted_at,
    SYSUTCDATETIME() AS read_at
FROM healthcare.pharmacy_claims AS c
WHERE c.submitted_at >= DATEADD(MINUTE, -%(burst_minutes)s, SYSUTCDATETIME())
GROUP BY c.pharmacy_id
HAVING COUNT_BIG(*) > %(burst_max)s
ORDER BY claims DESC;

-- name: phi_access_anomalies
-- Users who read the records of at least max_patients different patients in
-- the last window_minutes and whose PHI access is not suspended.
SELECT
    l.user_name,
    COUNT_BIG(*) AS reads,
    COUNT(DISTINCT l.patient_id) AS patients,
    MIN(l.accessed_at) AS first_read_at,
    MAX(l.accessed_at) AS last_read_at
FROM healthcare.phi_access_log AS l
WHERE l.accessed_at >= DATEADD(MINUTE, -%(window_minutes)s, SYSUTCDATETIME())
    AND NOT EXISTS (
        SELECT 1 FROM healthcare.phi_access_suspensions AS s
        WHERE s.user_name = l.user_name
    )
GROUP BY l.user_name
HAVING COUNT(DISTINCT l.patient_id) >= %(max_patients)s
ORDER BY patients DESC;

-- name: suspend_phi_user
-- Suspend a user's PHI access pending a privacy review; a second call keeps
-- the first suspension.
INSERT INTO healthcare.phi_access_suspensions (user_name, reason, incident_id)
SELECT %(user_name)s, %(reason)s, %(incident_id)s
WHERE NOT EXISTS (
    SELECT 1 FROM healthcare.phi_access_suspensions WITH (UPDLOCK, HOLDLOCK)
    WHERE user_name = %(user_name)s
);
