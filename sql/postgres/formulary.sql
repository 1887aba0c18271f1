-- Formulary statements for the revert_formulary remediation and the drill
-- that changes the formulary.

-- name: revert_formulary
-- Put each listed NDC back to the values before its latest recorded change,
-- if the formulary still has that change's values, and record the revert as
-- a change of its own. Returns the NDCs reverted. ndcs is comma-separated.
WITH latest AS (
    SELECT DISTINCT ON (c.ndc)
        c.ndc, c.tier_before, c.prior_auth_before, c.tier_after,
        c.prior_auth_after
    FROM healthcare.formulary_changes AS c
    WHERE c.ndc = ANY(string_to_array(%(ndcs)s, ','))
    ORDER BY c.ndc, c.change_id DESC
),
reverted AS (
    UPDATE healthcare.formulary AS f
    SET tier = l.tier_before,
        prior_auth_required = l.prior_auth_before,
        updated_at = now()
    FROM latest AS l
    WHERE f.ndc = l.ndc
        AND f.tier = l.tier_after
        AND f.prior_auth_required = l.prior_auth_after
        AND l.tier_before IS NOT NULL
        AND l.prior_auth_before IS NOT NULL
    RETURNING
        f.ndc, l.tier_after, l.prior_auth_after, l.tier_before,
        l.prior_auth_before
)
INSERT INTO healthcare.formulary_changes (
    ndc, tier_before, prior_auth_before, tier_after, prior_auth_after,
    source, incident_id, drill_id
)
SELECT
    r.ndc, r.tier_after, r.prior_auth_after, r.tier_before,
    r.prior_auth_before, %(source)s, %(incident_id)s, %(drill_id)s
FROM reverted AS r
RETURNING ndc;

-- name: record_change
-- Formulary Change: the sync records the change it is about to make.
INSERT INTO healthcare.formulary_changes (
    ndc, tier_before, prior_auth_before, tier_after, prior_auth_after, source
)
VALUES (
    %(ndc)s, %(tier)s, %(prior_auth_required)s, 3, true,
    'weekly formulary sync'
)
RETURNING change_id;

-- name: discard_drill_changes
-- The changes remediation recorded during a drill, removed by its rollback.
DELETE FROM healthcare.formulary_changes WHERE drill_id = %(drill_id)s;
