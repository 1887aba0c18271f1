-- Formulary statements for the revert_formulary remediation and the drill
-- that changes the formulary.

-- name: revert_formulary
-- Put each listed NDC back to the values before its latest recorded change,
-- if the formulary still has that change's values, and record the revert as
-- a change of its own. Returns the NDCs reverted. ndcs is comma-separated.
SET XACT_ABORT ON;
BEGIN TRANSACTION;
DECLARE @reverted TABLE (
    ndc char(11) NOT NULL,
    tier_after smallint NOT NULL,
    prior_auth_after bit NOT NULL,
    tier_before smallint NOT NULL,
    prior_auth_before bit NOT NULL
);
WITH latest AS (
    SELECT
        c.ndc, c.tier_before, c.prior_auth_before, c.tier_after,
        c.prior_auth_after,
        ROW_NUMBER() OVER (PARTITION BY c.ndc ORDER BY c.change_id DESC) AS n
    FROM healthcare.formulary_changes AS c
    WHERE c.ndc IN (SELECT s.value FROM STRING_SPLIT(%(ndcs)s, ',') AS s)
)
UPDATE f
SET tier = l.tier_before,
    prior_auth_required = l.prior_auth_before,
    updated_at = SYSUTCDATETIME()
OUTPUT inserted.ndc, l.tier_after, l.prior_auth_after, l.tier_before,
    l.prior_auth_before
INTO @reverted
FROM healthcare.formulary AS f
INNER JOIN latest AS l ON l.ndc = f.ndc AND l.n = 1
WHERE f.tier = l.tier_after
    AND f.prior_auth_required = l.prior_auth_after
    AND l.tier_before IS NOT NULL
    AND l.prior_auth_before IS NOT NULL;
INSERT INTO healthcare.formulary_changes (
    ndc, tier_before, prior_auth_before, tier_after, prior_auth_after,
    source, incident_id, drill_id
)
OUTPUT inserted.ndc
SELECT
    r.ndc, r.tier_after, r.prior_auth_after, r.tier_before,
    r.prior_auth_before, %(source)s, %(incident_id)s, %(drill_id)s
FROM @reverted AS r;
COMMIT TRANSACTION;

-- name: record_change
-- Formulary Change: the sync records the change it is about to make.
INSERT INTO healthcare.formulary_changes (
    ndc, tier_before, prior_auth_before, tier_after, prior_auth_after, source
)
OUTPUT inserted.change_id
VALUES (
    %(ndc)s, %(tier)s, %(prior_auth_required)s, 3, 1,
    N'weekly formulary sync'
);

-- name: discard_drill_changes
-- The changes remediation recorded during a drill, removed by its rollback.
DELETE FROM healthcare.formulary_changes WHERE drill_id = %(drill_id)s;
