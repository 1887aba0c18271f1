-- The data checks that run with the validation rules every
-- validation.interval_seconds: the claim burst and the PHI access audit.

-- name: claim_burst
-- Pharmacies that submitted more than burst_max claims in the last
-- burst_minutes. Demo traffic spreads its claims over every pharmacy, so one
-- pharmacy far above the rest is a resubmitted batch or a looping client.
SELECT
    c.pharmacy_id,
    count(*) AS claims,
    count(*) FILTER (WHERE c.claim_status = 'rejected') AS rejected,
    min(c.submitted_at) AS first_submitted_at,
    now() AS read_at
FROM healthcare.pharmacy_claims AS c
WHERE c.submitted_at >= now() - make_interval(mins => %(burst_minutes)s)
GROUP BY c.pharmacy_id
HAVING count(*) > %(burst_max)s
ORDER BY claims DESC;

-- name: phi_access_anomalies
-- Users who read the records of at least max_patients different patients in
-- the last window_minutes and whose PHI access is not suspended.
SELECT
    l.user_name,
    count(*) AS reads,
    count(DISTINCT l.patient_id) AS patients,
    min(l.accessed_at) AS first_read_at,
    max(l.accessed_at) AS last_read_at
FROM healthcare.phi_access_log AS l
WHERE l.accessed_at >= now() - make_interval(mins => %(window_minutes)s)
    AND NOT EXISTS (
        SELECT 1 FROM healthcare.phi_access_suspensions AS s
        WHERE s.user_name = l.user_name
    )
GROUP BY l.user_name
HAVING count(DISTINCT l.patient_id) >= %(max_patients)s
ORDER BY patients DESC;

-- name: suspend_phi_user
-- Suspend a user's PHI access pending a privacy review; a second call keeps
-- the first suspension.
INSERT INTO healthcare.phi_access_suspensions (user_name, reason, incident_id)
VALUES (%(user_name)s, %(reason)s, %(incident_id)s)
ON CONFLICT (user_name) DO NOTHING;
