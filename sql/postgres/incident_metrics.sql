-- The incident metrics pipeline: the war room's incidents, read from the
-- engine's store and passed in as JSON, rolled up per day, kind and
-- severity. Installed after etl.sql, whose lineage procedure it calls. Every
-- statement can run again.

-- One row per incident of a target, with the SLA figures the engine computed
-- (engine/incidents/sla.py). Rows are kept when the store prunes an incident,
-- so the rollup keeps its history.
CREATE TABLE IF NOT EXISTS public.warroom_incident_facts (
    target_name text NOT NULL,
    incident_id bigint NOT NULL,
    kind text NOT NULL,
    severity text NOT NULL,
    status text NOT NULL,
    is_drill boolean NOT NULL,
    detected_at timestamptz NOT NULL,
    resolved_at timestamptz,
    seconds_to_detect numeric(12, 1) NOT NULL,
    seconds_to_acknowledge numeric(12, 1),
    seconds_to_resolve numeric(12, 1),
    resolved_automatically boolean NOT NULL,
    breached boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (target_name, incident_id)
);

-- Per target, UTC day of detection, kind and severity. A mean leaves out the
-- incidents it does not apply to: acknowledgement needs a person's status
-- change, resolution a resolved incident.
CREATE TABLE IF NOT EXISTS public.warroom_incident_metrics (
    target_name text NOT NULL,
    day date NOT NULL,
    kind text NOT NULL,
    severity text NOT NULL,
    incidents integer NOT NULL,
    drills integer NOT NULL,
    resolved integer NOT NULL,
    resolved_automatically integer NOT NULL,
    breaches integer NOT NULL,
    mean_seconds_to_detect numeric(12, 1),
    mean_seconds_to_acknowledge numeric(12, 1),
    mean_seconds_to_resolve numeric(12, 1),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (target_name, day, kind, severity)
);

-- Upsert the incidents in p_incidents (a JSON array of objects with the
-- columns of warroom_incident_facts), then recompute the metrics of
-- p_target for the detection days p_from to p_to. Rows whose figures are
-- unchanged are left alone, so a second run writes nothing, and a metrics
-- row whose group no longer has an incident is deleted.
CREATE OR REPLACE PROCEDURE healthcare.etl_incident_metrics(
    p_target text, p_incidents jsonb, p_from date, p_to date
)
LANGUAGE plpgsql
AS $$
DECLARE
    v_started timestamptz := clock_timestamp();
    v_read bigint;
    v_facts bigint;
    v_metrics bigint;
    v_deleted bigint;
BEGIN
    v_read := jsonb_array_length(p_incidents);

    INSERT INTO public.warroom_incident_facts AS f (
        target_name, incident_id, kind, severity, status, is_drill,
        detected_at, resolved_at, seconds_to_detect, seconds_to_acknowledge,
        seconds_to_resolve, resolved_automatically, breached
    )
    SELECT
        p_target, i.incident_id, i.kind, i.severity, i.status, i.is_drill,
        i.detected_at, i.resolved_at, i.seconds_to_detect,
        i.seconds_to_acknowledge, i.seconds_to_resolve,
        i.resolved_automatically, i.breached
    FROM jsonb_to_recordset(p_incidents) AS i (
        incident_id bigint, kind text, severity text, status text,
        is_drill boolean, detected_at timestamptz, resolved_at timestamptz,
        seconds_to_detect numeric(12, 1), seconds_to_acknowledge numeric(12, 1),
        seconds_to_resolve numeric(12, 1), resolved_automatically boolean,
        breached boolean
    )
    ON CONFLICT (target_name, incident_id) DO UPDATE SET
        kind = excluded.kind,
        severity = excluded.severity,
        status = excluded.status,
        is_drill = excluded.is_drill,
        detected_at = excluded.detected_at,
        resolved_at = excluded.resolved_at,
        seconds_to_detect = excluded.seconds_to_detect,
        seconds_to_acknowledge = excluded.seconds_to_acknowledge,
        seconds_to_resolve = excluded.seconds_to_resolve,
        resolved_automatically = excluded.resolved_automatically,
        breached = excluded.breached,
        updated_at = now()
    WHERE (
        f.kind, f.severity, f.status, f.is_drill, f.detected_at, f.resolved_at,
        f.seconds_to_detect, f.seconds_to_acknowledge, f.seconds_to_resolve,
        f.resolved_automatically, f.breached
    ) IS DISTINCT FROM (
        excluded.kind, excluded.severity, excluded.status, excluded.is_drill,
        excluded.detected_at, excluded.resolved_at, excluded.seconds_to_detect,
        excluded.seconds_to_acknowledge, excluded.seconds_to_resolve,
        excluded.resolved_automatically, excluded.breached
    );
    GET DIAGNOSTICS v_facts = ROW_COUNT;

    INSERT INTO public.warroom_incident_metrics AS m (
        target_name, day, kind, severity, incidents, drills, resolved,
        resolved_automatically, breaches, mean_seconds_to_detect,
        mean_seconds_to_acknowledge, mean_seconds_to_resolve
    )
    SELECT
        p_target,
        (f.detected_at AT TIME ZONE 'UTC')::date AS day,
        f.kind,
        f.severity,
        count(*)::integer AS incidents,
        count(*) FILTER (WHERE f.is_drill)::integer AS drills,
        count(f.resolved_at)::integer AS resolved,
        count(*) FILTER (WHERE f.resolved_automatically)::integer
            AS resolved_automatically,
        count(*) FILTER (WHERE f.breached)::integer AS breaches,
        round(avg(f.seconds_to_detect), 1) AS mean_seconds_to_detect,
        round(avg(f.seconds_to_acknowledge), 1) AS mean_seconds_to_acknowledge,
        round(avg(f.seconds_to_resolve), 1) AS mean_seconds_to_resolve
    FROM public.warroom_incident_facts AS f
    WHERE f.target_name = p_target
        AND (f.detected_at AT TIME ZONE 'UTC')::date BETWEEN p_from AND p_to
    GROUP BY 2, 3, 4
    ON CONFLICT (target_name, day, kind, severity) DO UPDATE SET
        incidents = excluded.incidents,
        drills = excluded.drills,
        resolved = excluded.resolved,
        resolved_automatically = excluded.resolved_automatically,
        breaches = excluded.breaches,
        mean_seconds_to_detect = excluded.mean_seconds_to_detect,
        mean_seconds_to_acknowledge = excluded.mean_seconds_to_acknowledge,
        mean_seconds_to_resolve = excluded.mean_seconds_to_resolve,
        updated_at = now()
    WHERE (
        m.incidents, m.drills, m.resolved, m.resolved_automatically, m.breaches,
        m.mean_seconds_to_detect, m.mean_seconds_to_acknowledge,
        m.mean_seconds_to_resolve
    ) IS DISTINCT FROM (
        excluded.incidents, excluded.drills, excluded.resolved,
        excluded.resolved_automatically, excluded.breaches,
        excluded.mean_seconds_to_detect, excluded.mean_seconds_to_acknowledge,
        excluded.mean_seconds_to_resolve
    );
    GET DIAGNOSTICS v_metrics = ROW_COUNT;

    DELETE FROM public.warroom_incident_metrics AS m
    WHERE m.target_name = p_target
        AND m.day BETWEEN p_from AND p_to
        AND NOT EXISTS (
            SELECT 1 FROM public.warroom_incident_facts AS f
            WHERE f.target_name = m.target_name
                AND (f.detected_at AT TIME ZONE 'UTC')::date = m.day
                AND f.kind = m.kind
                AND f.severity = m.severity
        );
    GET DIAGNOSTICS v_deleted = ROW_COUNT;

    CALL healthcare.etl_record_lineage(
        'incident_metrics', 'warroom store: incidents',
        'public.warroom_incident_facts, public.warroom_incident_metrics', v_read,
        v_facts + v_metrics + v_deleted, v_started
    );
END;
$$;
