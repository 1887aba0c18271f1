-- The incident metrics pipeline: the war room's incidents, read from the
-- engine's store and passed in as JSON, rolled up per day, kind and
-- severity. Installed after etl.sql, whose lineage procedure it calls. Every
-- batch can run again.
-- NOTE: only sqlfluff's tsql parser has checked this file; it has not run on
-- a live SQL Server.

-- One row per incident of a target, with the SLA figures the engine computed
-- (engine/incidents/sla.py). Rows are kept when the store prunes an incident,
-- so the rollup keeps its history.
IF OBJECT_ID(N'dbo.warroom_incident_facts', N'U') IS NULL
    CREATE TABLE dbo.warroom_incident_facts (
        target_name nvarchar(200) NOT NULL,
        incident_id bigint NOT NULL,
        kind nvarchar(100) NOT NULL,
        severity nvarchar(20) NOT NULL,
        status nvarchar(20) NOT NULL,
        is_drill bit NOT NULL,
        detected_at datetimeoffset(3) NOT NULL,
        resolved_at datetimeoffset(3) NULL,
        seconds_to_detect decimal(12, 1) NOT NULL,
        seconds_to_acknowledge decimal(12, 1) NULL,
        seconds_to_resolve decimal(12, 1) NULL,
        resolved_automatically bit NOT NULL,
        breached bit NOT NULL,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_warroom_incident_facts_updated_at
            DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_warroom_incident_facts
            PRIMARY KEY CLUSTERED (target_name, incident_id)
    );
GO

-- Per target, UTC day of detection, kind and severity. A mean leaves out the
-- incidents it does not apply to: acknowledgement needs a person's status
-- change, resolution a resolved incident.
IF OBJECT_ID(N'dbo.warroom_incident_metrics', N'U') IS NULL
    CREATE TABLE dbo.warroom_incident_metrics (
        target_name nvarchar(200) NOT NULL,
        day date NOT NULL,
        kind nvarchar(100) NOT NULL,
        severity nvarchar(20) NOT NULL,
        incidents int NOT NULL,
        drills int NOT NULL,
        resolved int NOT NULL,
        resolved_automatically int NOT NULL,
        breaches int NOT NULL,
        mean_seconds_to_detect decimal(12, 1) NULL,
        mean_seconds_to_acknowledge decimal(12, 1) NULL,
        mean_seconds_to_resolve decimal(12, 1) NULL,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_warroom_incident_metrics_updated_at
            DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_warroom_incident_metrics
            PRIMARY KEY CLUSTERED (target_name, day, kind, severity)
    );
GO

-- Upsert the incidents in @incidents (a JSON array of objects with the
-- columns of warroom_incident_facts), then recompute the metrics of @target
-- for the detection days @date_from to @date_to, with the rules of the
-- PostgreSQL procedure in sql/postgres/incident_metrics.sql.
CREATE OR ALTER PROCEDURE healthcare.etl_incident_metrics
    @target nvarchar(200),
    @incidents nvarchar(max),
    @date_from date,
    @date_to date
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @started datetime2(3) = SYSUTCDATETIME();
    DECLARE @read bigint;
    DECLARE @facts bigint;
    DECLARE @metrics bigint;

    SELECT @read = COUNT_BIG(*) FROM OPENJSON(@incidents);

    BEGIN TRANSACTION;

    MERGE dbo.warroom_incident_facts WITH (HOLDLOCK) AS f
    USING (
        SELECT
            i.incident_id, i.kind, i.severity, i.status, i.is_drill,
            i.detected_at, i.resolved_at, i.seconds_to_detect,
            i.seconds_to_acknowledge, i.seconds_to_resolve,
            i.resolved_automatically, i.breached
        FROM OPENJSON(@incidents) WITH (
            incident_id bigint,
            kind nvarchar(100),
            severity nvarchar(20),
            status nvarchar(20),
            is_drill bit,
            detected_at datetimeoffset(3),
            resolved_at datetimeoffset(3),
            seconds_to_detect decimal(12, 1),
            seconds_to_acknowledge decimal(12, 1),
            seconds_to_resolve decimal(12, 1),
            resolved_automatically bit,
            breached bit
        ) AS i
    ) AS s
        ON f.target_name = @target AND f.incident_id = s.incident_id
    WHEN MATCHED AND EXISTS (
        SELECT
            f.kind, f.severity, f.status, f.is_drill, f.detected_at,
            f.resolved_at, f.seconds_to_detect, f.seconds_to_acknowledge,
            f.seconds_to_resolve, f.resolved_automatically, f.breached
        EXCEPT
        SELECT
            s.kind, s.severity, s.status, s.is_drill, s.detected_at,
            s.resolved_at, s.seconds_to_detect, s.seconds_to_acknowledge,
            s.seconds_to_resolve, s.resolved_automatically, s.breached
    ) THEN UPDATE SET
        kind = s.kind, severity = s.severity, status = s.status,
        is_drill = s.is_drill, detected_at = s.detected_at,
        resolved_at = s.resolved_at, seconds_to_detect = s.seconds_to_detect,
        seconds_to_acknowledge = s.seconds_to_acknowledge,
        seconds_to_resolve = s.seconds_to_resolve,
        resolved_automatically = s.resolved_automatically,
        breached = s.breached, updated_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        target_name, incident_id, kind, severity, status, is_drill,
        detected_at, resolved_at, seconds_to_detect, seconds_to_acknowledge,
        seconds_to_resolve, resolved_automatically, breached
    ) VALUES (
        @target, s.incident_id, s.kind, s.severity, s.status, s.is_drill,
        s.detected_at, s.resolved_at, s.seconds_to_detect,
        s.seconds_to_acknowledge, s.seconds_to_resolve,
        s.resolved_automatically, s.breached
    );
    SET @facts = @@ROWCOUNT;

    -- The rows in the day range for @target only: NOT MATCHED BY SOURCE
    -- deletes a group that has no incident left.
    WITH scope AS (
        SELECT
            m.target_name, m.day, m.kind, m.severity, m.incidents, m.drills,
            m.resolved, m.resolved_automatically, m.breaches,
            m.mean_seconds_to_detect, m.mean_seconds_to_acknowledge,
            m.mean_seconds_to_resolve, m.updated_at
        FROM dbo.warroom_incident_metrics AS m
        WHERE m.target_name = @target AND m.day BETWEEN @date_from AND @date_to
    )

    MERGE scope AS m
    USING (
        SELECT
            CAST(SWITCHOFFSET(f.detected_at, '+00:00') AS date) AS day,
            f.kind,
            f.severity,
            COUNT(*) AS incidents,
            SUM(CAST(f.is_drill AS int)) AS drills,
            COUNT(f.resolved_at) AS resolved,
            SUM(CAST(f.resolved_automatically AS int)) AS resolved_automatically,
            SUM(CAST(f.breached AS int)) AS breaches,
            CAST(ROUND(AVG(f.seconds_to_detect), 1) AS decimal(12, 1))
                AS mean_seconds_to_detect,
            CAST(ROUND(AVG(f.seconds_to_acknowledge), 1) AS decimal(12, 1))
                AS mean_seconds_to_acknowledge,
            CAST(ROUND(AVG(f.seconds_to_resolve), 1) AS decimal(12, 1))
                AS mean_seconds_to_resolve
        FROM dbo.warroom_incident_facts AS f
        WHERE f.target_name = @target
            AND CAST(SWITCHOFFSET(f.detected_at, '+00:00') AS date)
                BETWEEN @date_from AND @date_to
        GROUP BY
            CAST(SWITCHOFFSET(f.detected_at, '+00:00') AS date),
            f.kind,
            f.severity
    ) AS r
        ON m.day = r.day AND m.kind = r.kind AND m.severity = r.severity
    WHEN MATCHED AND EXISTS (
        SELECT
            m.incidents, m.drills, m.resolved, m.resolved_automatically,
            m.breaches, m.mean_seconds_to_detect,
            m.mean_seconds_to_acknowledge, m.mean_seconds_to_resolve
        EXCEPT
        SELECT
            r.incidents, r.drills, r.resolved, r.resolved_automatically,
            r.breaches, r.mean_seconds_to_detect,
            r.mean_seconds_to_acknowledge, r.mean_seconds_to_resolve
    ) THEN UPDATE SET
        incidents = r.incidents, drills = r.drills, resolved = r.resolved,
        resolved_automatically = r.resolved_automatically,
        breaches = r.breaches,
        mean_seconds_to_detect = r.mean_seconds_to_detect,
        mean_seconds_to_acknowledge = r.mean_seconds_to_acknowledge,
        mean_seconds_to_resolve = r.mean_seconds_to_resolve,
        updated_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        target_name, day, kind, severity, incidents, drills, resolved,
        resolved_automatically, breaches, mean_seconds_to_detect,
        mean_seconds_to_acknowledge, mean_seconds_to_resolve
    ) VALUES (
        @target, r.day, r.kind, r.severity, r.incidents, r.drills, r.resolved,
        r.resolved_automatically, r.breaches, r.mean_seconds_to_detect,
        r.mean_seconds_to_acknowledge, r.mean_seconds_to_resolve
    )
    WHEN NOT MATCHED BY SOURCE THEN DELETE;
    SET @metrics = @@ROWCOUNT;

    COMMIT TRANSACTION;

    EXEC healthcare.etl_record_lineage N'incident_metrics',
        N'warroom store: incidents',
        N'dbo.warroom_incident_facts, dbo.warroom_incident_metrics',
        @read, @facts + @metrics, @started;
END;
GO
