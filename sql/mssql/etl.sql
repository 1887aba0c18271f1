-- ETL objects: the lineage table and the pipelines as procedures. Every
-- batch can run again: tables are created only when missing and procedures
-- with CREATE OR ALTER, so installing before each run changes nothing.

-- One row per pipeline run: what it read and wrote, and how long it took.
IF OBJECT_ID(N'healthcare.etl_lineage', N'U') IS NULL
    CREATE TABLE healthcare.etl_lineage (
        run_id bigint IDENTITY (1, 1) NOT NULL,
        pipeline nvarchar(100) NOT NULL,
        source nvarchar(400) NOT NULL,
        target nvarchar(400) NOT NULL,
        rows_read bigint NOT NULL,
        rows_written bigint NOT NULL,
        rows_rejected bigint NOT NULL,
        started_at datetime2(3) NOT NULL,
        ended_at datetime2(3) NOT NULL,
        duration_ms decimal(12, 1) NOT NULL,
        CONSTRAINT pk_etl_lineage PRIMARY KEY CLUSTERED (run_id)
    );
GO

-- One lineage row for a pipeline run that started at @started.
CREATE OR ALTER PROCEDURE healthcare.etl_record_lineage
    @pipeline nvarchar(100),
    @source nvarchar(400),
    @target nvarchar(400),
    @read bigint,
    @written bigint,
    @started datetime2(3),
    @rejected bigint = 0
AS
BEGIN
    SET NOCOUNT ON;
    INSERT INTO healthcare.etl_lineage (
        pipeline, source, target, rows_read, rows_written, rows_rejected,
        started_at, ended_at, duration_ms
    )
    VALUES (
        @pipeline, @source, @target, @read, @written, @rejected, @started,
        SYSUTCDATETIME(),
        DATEDIFF(MICROSECOND, @started, SYSUTCDATETIME()) / 1000.0
    );
END;
GO

-- The PDC of every patient and drug class for [@period_start, @period_end],
-- with the rules of the PostgreSQL procedure in sql/postgres/etl.sql: paid
-- fills dated in the period, index date the first of them, early refills of
-- the same drug carried forward, days covered twice counted once, supply
-- past the period end cut, treatment periods under 91 days excluded. Rows
-- whose figures are unchanged are left alone, so a second run writes nothing.
CREATE OR ALTER PROCEDURE healthcare.etl_patient_adherence
    @period_start date,
    @period_end date
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @started datetime2(3) = SYSUTCDATETIME();
    DECLARE @period_after date = DATEADD(DAY, 1, @period_end);
    DECLARE @read bigint;
    DECLARE @written bigint;
    DECLARE @deleted bigint;
    DECLARE @rejected bigint;

    -- A claim whose NDC is not a medication has no drug class, so the fills
    -- below leave it out and it counts as rejected. The claim's foreign key
    -- prevents this unless it was bypassed.
    SELECT
        @read = COUNT_BIG(*),
        @rejected = COALESCE(SUM(CASE WHEN m.ndc IS NULL THEN 1 ELSE 0 END), 0)
    FROM healthcare.pharmacy_claims AS c
    LEFT JOIN healthcare.medications AS m ON m.ndc = c.ndc
    WHERE c.claim_status = 'paid'
        AND c.service_date BETWEEN @period_start AND @period_end;

    WITH fills AS (
        SELECT c.patient_id, m.drug_class, m.drug_name, c.service_date,
            c.days_supply, c.claim_id
        FROM healthcare.pharmacy_claims AS c
        INNER JOIN healthcare.medications AS m ON m.ndc = c.ndc
        WHERE c.claim_status = 'paid'
            AND c.service_date BETWEEN @period_start AND @period_end
    ),
    cumulative AS (
        SELECT f.*,
            SUM(f.days_supply) OVER (
                PARTITION BY f.patient_id, f.drug_class, f.drug_name
                ORDER BY f.service_date, f.claim_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS supply_through
        FROM fills AS f
    ),
    running AS (
        SELECT c.*,
            MAX(DATEADD(DAY, -(c.supply_through - c.days_supply), c.service_date))
                OVER (
                    PARTITION BY c.patient_id, c.drug_class, c.drug_name
                    ORDER BY c.service_date, c.claim_id
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                ) AS base
        FROM cumulative AS c
    ),
    shifted AS (
        SELECT r.patient_id, r.drug_class, r.service_date,
            CASE
                WHEN DATEADD(DAY, r.supply_through - r.days_supply, r.base)
                    > @period_after THEN @period_after
                ELSE DATEADD(DAY, r.supply_through - r.days_supply, r.base)
            END AS covers_from,
            CASE
                WHEN DATEADD(DAY, r.supply_through, r.base) > @period_after
                    THEN @period_after
                ELSE DATEADD(DAY, r.supply_through, r.base)
            END AS covers_until
        FROM running AS r
    ),
    measured AS (
        SELECT patient_id, drug_class, MIN(service_date) AS index_date
        FROM shifted
        GROUP BY patient_id, drug_class
        HAVING DATEDIFF(DAY, MIN(service_date), @period_end) + 1 >= 91
    ),
    ordered AS (
        SELECT s.patient_id, s.drug_class, s.covers_from, s.covers_until,
            MAX(s.covers_until) OVER (
                PARTITION BY s.patient_id, s.drug_class
                ORDER BY s.covers_from, s.covers_until
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) AS covered_before
        FROM shifted AS s
        INNER JOIN measured AS x
            ON x.patient_id = s.patient_id AND x.drug_class = s.drug_class
    ),
    covered AS (
        SELECT patient_id, drug_class,
            SUM(CASE
                WHEN covered_before IS NULL OR covered_before <= covers_from
                    THEN DATEDIFF(DAY, covers_from, covers_until)
                WHEN covered_before >= covers_until THEN 0
                ELSE DATEDIFF(DAY, covered_before, covers_until)
            END) AS covered_days
        FROM ordered
        GROUP BY patient_id, drug_class
    )
    SELECT x.patient_id, x.drug_class, x.index_date,
        DATEDIFF(DAY, x.index_date, @period_end) + 1 AS treatment_days,
        c.covered_days,
        CAST(ROUND(
            CAST(c.covered_days AS decimal(12, 4))
            / (DATEDIFF(DAY, x.index_date, @period_end) + 1), 4
        ) AS decimal(5, 4)) AS pdc
    INTO #adherence
    FROM measured AS x
    INNER JOIN covered AS c
        ON c.patient_id = x.patient_id AND c.drug_class = x.drug_class;

    BEGIN TRANSACTION;

    MERGE healthcare.patient_adherence WITH (HOLDLOCK) AS a
    USING #adherence AS r
        ON a.patient_id = r.patient_id
        AND a.drug_class = r.drug_class
        AND a.period_start = @period_start
        AND a.period_end = @period_end
    WHEN MATCHED AND (
        a.index_date <> r.index_date OR a.treatment_days <> r.treatment_days
        OR a.covered_days <> r.covered_days OR a.pdc <> r.pdc
    ) THEN UPDATE SET
        index_date = r.index_date,
        treatment_days = r.treatment_days,
        covered_days = r.covered_days,
        pdc = r.pdc,
        computed_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        patient_id, drug_class, period_start, period_end, index_date,
        treatment_days, covered_days, pdc
    ) VALUES (
        r.patient_id, r.drug_class, @period_start, @period_end, r.index_date,
        r.treatment_days, r.covered_days, r.pdc
    );
    SET @written = @@ROWCOUNT;

    DELETE a
    FROM healthcare.patient_adherence AS a
    WHERE a.period_start = @period_start
        AND a.period_end = @period_end
        AND NOT EXISTS (
            SELECT 1 FROM #adherence AS r
            WHERE r.patient_id = a.patient_id AND r.drug_class = a.drug_class
        );
    SET @deleted = @@ROWCOUNT;

    DECLARE @adherence_written bigint = @written + @deleted;
    EXEC healthcare.etl_record_lineage N'patient_adherence',
        N'healthcare.pharmacy_claims, healthcare.medications',
        N'healthcare.patient_adherence', @read, @adherence_written, @started,
        @rejected;

    COMMIT TRANSACTION;
END;
GO

-- The patient dimension, type 2: one row per version of a patient, the
-- current one marked. row_hash covers the tracked columns, so a change to
-- any of them closes the current row and opens a new one. age_band is
-- derived from the date of birth when a version is written.
IF OBJECT_ID(N'healthcare.dim_patient', N'U') IS NULL
BEGIN
    CREATE TABLE healthcare.dim_patient (
        patient_key bigint IDENTITY (1, 1) NOT NULL,
        patient_id bigint NOT NULL,
        member_id varchar(20) NULL,
        first_name nvarchar(100) NOT NULL,
        last_name nvarchar(100) NOT NULL,
        date_of_birth date NULL,
        age_band varchar(10) NOT NULL,
        gender char(1) NOT NULL,
        zip_code char(5) NOT NULL,
        state char(2) NOT NULL,
        row_hash binary(32) NOT NULL,
        valid_from datetime2(3) NOT NULL,
        valid_to datetime2(3) NULL,
        is_current bit NOT NULL,
        CONSTRAINT pk_dim_patient PRIMARY KEY CLUSTERED (patient_key),
        CONSTRAINT ck_dim_patient_current
            CHECK ((is_current = 1 AND valid_to IS NULL)
                OR (is_current = 0 AND valid_to IS NOT NULL))
    );

    CREATE UNIQUE INDEX ux_dim_patient_current
        ON healthcare.dim_patient (patient_id) WHERE is_current = 1;
END;
GO

-- Close the current version of every patient whose tracked columns changed
-- (or who is gone) and add a current version for every patient without one.
-- A second run over unchanged patients writes nothing.
CREATE OR ALTER PROCEDURE healthcare.etl_dim_patient
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @started datetime2(3) = SYSUTCDATETIME();
    DECLARE @now datetime2(3) = SYSUTCDATETIME();
    DECLARE @today date = CAST(@now AS date);
    DECLARE @read bigint;
    DECLARE @closed bigint;
    DECLARE @opened bigint;

    SELECT
        p.patient_id, p.member_id, p.first_name, p.last_name,
        p.date_of_birth, p.gender, p.zip_code, p.state,
        -- JSON keeps each column's place, NULLs included, where CONCAT_WS
        -- would skip them.
        HASHBYTES('SHA2_256', (
            SELECT p.member_id, p.first_name, p.last_name, p.date_of_birth,
                p.gender, p.zip_code, p.state
            FOR JSON PATH, INCLUDE_NULL_VALUES, WITHOUT_ARRAY_WRAPPER
        )) AS row_hash,
        -- Whole years of age on @today.
        DATEDIFF(YEAR, p.date_of_birth, @today)
        - CASE
            WHEN DATEADD(YEAR, DATEDIFF(YEAR, p.date_of_birth, @today),
                p.date_of_birth) > @today THEN 1
            ELSE 0
        END AS age
    INTO #patient_source
    FROM healthcare.patients AS p;
    SET @read = @@ROWCOUNT;

    BEGIN TRANSACTION;

    UPDATE d
    SET valid_to = @now, is_current = 0
    FROM healthcare.dim_patient AS d
    WHERE d.is_current = 1
        AND NOT EXISTS (
            SELECT 1 FROM #patient_source AS s
            WHERE s.patient_id = d.patient_id AND s.row_hash = d.row_hash
        );
    SET @closed = @@ROWCOUNT;

    INSERT INTO healthcare.dim_patient (
        patient_id, member_id, first_name, last_name, date_of_birth,
        age_band, gender, zip_code, state, row_hash, valid_from, is_current
    )
    SELECT
        s.patient_id, s.member_id, s.first_name, s.last_name, s.date_of_birth,
        CASE
            WHEN s.age IS NULL THEN 'unknown'
            WHEN s.age < 18 THEN '0-17'
            WHEN s.age < 35 THEN '18-34'
            WHEN s.age < 50 THEN '35-49'
            WHEN s.age < 65 THEN '50-64'
            ELSE '65+'
        END,
        s.gender, s.zip_code, s.state, s.row_hash, @now, 1
    FROM #patient_source AS s
    WHERE NOT EXISTS (
        SELECT 1 FROM healthcare.dim_patient AS d
        WHERE d.patient_id = s.patient_id AND d.is_current = 1
    );
    SET @opened = @@ROWCOUNT;

    DECLARE @dimension_written bigint = @closed + @opened;
    EXEC healthcare.etl_record_lineage N'dim_patient', N'healthcare.patients',
        N'healthcare.dim_patient', @read, @dimension_written, @started;

    COMMIT TRANSACTION;
END;
GO

-- Claim ingestion: claims arrive as text in the staging table, one batch at
-- a time. The pipeline loads the valid ones into healthcare.pharmacy_claims
-- and keeps every invalid one in claims_rejects with all of its reasons
-- (a JSON array).
IF OBJECT_ID(N'healthcare.claims_staging', N'U') IS NULL
BEGIN
    CREATE TABLE healthcare.claims_staging (
        staging_id bigint IDENTITY (1, 1) NOT NULL,
        batch_id nvarchar(100) NOT NULL,
        received_at datetime2(3) NOT NULL
            CONSTRAINT df_claims_staging_received_at DEFAULT SYSUTCDATETIME(),
        service_date nvarchar(40) NULL,
        prescription_id nvarchar(40) NULL,
        pharmacy_id nvarchar(40) NULL,
        patient_id nvarchar(40) NULL,
        ndc nvarchar(40) NULL,
        quantity nvarchar(40) NULL,
        days_supply nvarchar(40) NULL,
        ingredient_cost nvarchar(40) NULL,
        claim_status nvarchar(40) NULL,
        reject_code nvarchar(40) NULL,
        processed_at datetime2(3) NULL,
        claim_id bigint NULL,
        CONSTRAINT pk_claims_staging PRIMARY KEY CLUSTERED (staging_id)
    );

    CREATE INDEX ix_claims_staging_unprocessed
        ON healthcare.claims_staging (batch_id) WHERE processed_at IS NULL;
END;
GO

IF OBJECT_ID(N'healthcare.claims_rejects', N'U') IS NULL
    CREATE TABLE healthcare.claims_rejects (
        staging_id bigint NOT NULL,
        batch_id nvarchar(100) NOT NULL,
        reasons nvarchar(max) NOT NULL,
        rejected_at datetime2(3) NOT NULL
            CONSTRAINT df_claims_rejects_rejected_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_claims_rejects PRIMARY KEY CLUSTERED (staging_id),
        CONSTRAINT ck_claims_rejects_reasons CHECK (ISJSON(reasons) = 1)
    );
GO

-- Load the unprocessed rows of one batch. A second run finds none, so it
-- changes nothing.
CREATE OR ALTER PROCEDURE healthcare.etl_claim_ingestion
    @batch_id nvarchar(100)
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @started datetime2(3) = SYSUTCDATETIME();
    DECLARE @today date = CAST(SYSUTCDATETIME() AS date);
    DECLARE @loaded TABLE (staging_id bigint NOT NULL, claim_id bigint NOT NULL);
    DECLARE @read bigint;
    DECLARE @written bigint;
    DECLARE @rejected bigint;

    BEGIN TRANSACTION;

    SELECT
        s.staging_id,
        -- YYYY-MM-DD only (style 23), whatever the session's date format.
        CASE WHEN s.service_date LIKE N'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
            THEN TRY_CONVERT(date, s.service_date, 23)
        END AS service_date,
        TRY_CAST(s.prescription_id AS bigint) AS prescription_id,
        TRY_CAST(s.pharmacy_id AS bigint) AS pharmacy_id,
        TRY_CAST(s.patient_id AS bigint) AS patient_id,
        s.ndc,
        TRY_CAST(s.quantity AS decimal(10, 3)) AS quantity,
        TRY_CAST(s.days_supply AS int) AS days_supply,
        TRY_CAST(s.ingredient_cost AS decimal(12, 2)) AS ingredient_cost,
        s.claim_status,
        NULLIF(s.reject_code, N'') AS reject_code,
        s.service_date AS service_date_text,
        s.prescription_id AS prescription_id_text,
        s.pharmacy_id AS pharmacy_id_text,
        s.patient_id AS patient_id_text
    INTO #staged
    FROM healthcare.claims_staging AS s WITH (UPDLOCK, HOLDLOCK)
    WHERE s.batch_id = @batch_id AND s.processed_at IS NULL;
    SET @read = @@ROWCOUNT;

    SELECT st.*, r.reasons
    INTO #checked
    FROM #staged AS st
    CROSS APPLY (
        SELECT N'[' + STRING_AGG(
            N'"' + STRING_ESCAPE(v.reason, 'json') + N'"', N','
        ) WITHIN GROUP (ORDER BY v.n) + N']' AS reasons
        FROM (VALUES
            (1, CASE WHEN st.service_date IS NULL THEN CONCAT(
                N'service_date ''', st.service_date_text,
                N''' is not a date (YYYY-MM-DD)')
            END),
            (2, CASE
                WHEN st.service_date > @today THEN CONCAT(
                    N'service_date ', st.service_date, N' is in the future')
                -- A timely filing limit of 365 days; plans set their own, often shorter.
                WHEN st.service_date < DATEADD(day, -365, @today) THEN CONCAT(
                    N'service_date ', st.service_date, N' is more than 365 days ',
                    N'ago, past the timely filing limit')
            END),
            (3, CASE WHEN NOT EXISTS (
                SELECT 1 FROM healthcare.prescriptions AS p
                WHERE p.prescription_id = st.prescription_id
            ) THEN CONCAT(N'prescription ''', st.prescription_id_text, N''' not found')
            END),
            (4, CASE WHEN NOT EXISTS (
                SELECT 1 FROM healthcare.pharmacies AS p
                WHERE p.pharmacy_id = st.pharmacy_id
            ) THEN CONCAT(N'pharmacy ''', st.pharmacy_id_text, N''' not found')
            END),
            (5, CASE WHEN NOT EXISTS (
                SELECT 1 FROM healthcare.patients AS p
                WHERE p.patient_id = st.patient_id
            ) THEN CONCAT(N'patient ''', st.patient_id_text, N''' not found')
            END),
            (6, CASE
                WHEN st.ndc IS NULL OR LEN(st.ndc) <> 11
                    OR st.ndc LIKE N'%[^0-9]%'
                    THEN CONCAT(N'NDC ''', st.ndc, N''' is not 11 digits')
                WHEN NOT EXISTS (
                    SELECT 1 FROM healthcare.medications AS m WHERE m.ndc = st.ndc
                ) THEN CONCAT(N'NDC ', st.ndc, N' is not a known medication')
            END),
            (7, CASE WHEN st.quantity IS NULL OR st.quantity NOT BETWEEN 1 AND 1000
                THEN N'quantity missing or outside 1 to 1,000'
            END),
            (8, CASE WHEN st.days_supply IS NULL
                OR st.days_supply NOT BETWEEN 1 AND 365
                THEN N'days supply missing or not a whole number from 1 to 365'
            END),
            (9, CASE WHEN st.ingredient_cost IS NULL
                OR st.ingredient_cost NOT BETWEEN 0 AND 100000
                THEN N'ingredient cost missing or outside 0 to 100,000'
            END),
            (10, CASE
                WHEN st.claim_status IS NULL OR st.claim_status NOT IN
                    (N'paid', N'rejected', N'reversed', N'pending')
                    THEN CONCAT(N'claim status ''', st.claim_status, N''' is not known')
                WHEN (CASE WHEN st.claim_status = N'rejected' THEN 1 ELSE 0 END)
                    <> (CASE WHEN st.reject_code IS NOT NULL THEN 1 ELSE 0 END)
                    THEN N'a reject code goes with a rejected claim, and only with one'
            END),
            -- NCPDP reject codes are one to three letters or digits, such as
            -- 75 or M4. The binary collation keeps lower case out of [A-Z].
            (11, CASE WHEN LEN(st.reject_code) > 3
                OR st.reject_code COLLATE Latin1_General_BIN2 LIKE N'%[^0-9A-Z]%'
                THEN CONCAT(N'reject code ''', st.reject_code,
                    N''' is not 1 to 3 letters or digits')
            END)
        ) AS v (n, reason)
        WHERE v.reason IS NOT NULL
    ) AS r;

    -- MERGE can output a source column, so each staging row learns the
    -- claim id it became.
    MERGE healthcare.pharmacy_claims AS c
    USING (SELECT * FROM #checked WHERE reasons IS NULL) AS k
        ON 1 = 0
    WHEN NOT MATCHED THEN INSERT (
        service_date, prescription_id, pharmacy_id, patient_id, ndc,
        quantity, days_supply, ingredient_cost, claim_status, reject_code
    ) VALUES (
        k.service_date, k.prescription_id, k.pharmacy_id, k.patient_id, k.ndc,
        k.quantity, k.days_supply, k.ingredient_cost, k.claim_status,
        k.reject_code
    )
    OUTPUT k.staging_id, inserted.claim_id INTO @loaded (staging_id, claim_id);
    SET @written = @@ROWCOUNT;

    UPDATE s
    SET processed_at = SYSUTCDATETIME(), claim_id = l.claim_id
    FROM healthcare.claims_staging AS s
    INNER JOIN #checked AS k ON k.staging_id = s.staging_id
    LEFT JOIN @loaded AS l ON l.staging_id = s.staging_id;

    INSERT INTO healthcare.claims_rejects (staging_id, batch_id, reasons)
    SELECT k.staging_id, @batch_id, k.reasons
    FROM #checked AS k
    WHERE k.reasons IS NOT NULL;
    SET @rejected = @@ROWCOUNT;

    EXEC healthcare.etl_record_lineage N'claim_ingestion',
        N'healthcare.claims_staging', N'healthcare.pharmacy_claims',
        @read, @written, @started, @rejected;

    COMMIT TRANSACTION;
END;
GO

-- Fills per pharmacy and day, with the share of generic fills.
IF OBJECT_ID(N'healthcare.pharmacy_fill_summary', N'U') IS NULL
    CREATE TABLE healthcare.pharmacy_fill_summary (
        pharmacy_id bigint NOT NULL,
        fill_date date NOT NULL,
        fills int NOT NULL,
        generic_fills int NOT NULL,
        generic_fill_rate decimal(5, 4) NOT NULL,
        plan_paid decimal(14, 2) NOT NULL,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_pharmacy_fill_summary_updated_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_pharmacy_fill_summary
            PRIMARY KEY CLUSTERED (pharmacy_id, fill_date)
    );
GO

-- Orders, customers and revenue per day of the commerce sample.
IF OBJECT_ID(N'commerce.daily_order_summary', N'U') IS NULL
    CREATE TABLE commerce.daily_order_summary (
        order_date date NOT NULL,
        orders int NOT NULL,
        customers int NOT NULL,
        revenue decimal(14, 2) NOT NULL,
        cancelled int NOT NULL,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_daily_order_summary_updated_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_daily_order_summary PRIMARY KEY CLUSTERED (order_date)
    );
GO

-- Customer health as RFM scores from 1 to 5, overwritten in place (type 1).
IF OBJECT_ID(N'commerce.customer_health', N'U') IS NULL
    CREATE TABLE commerce.customer_health (
        customer_id bigint NOT NULL,
        last_order_date date NOT NULL,
        orders int NOT NULL,
        revenue decimal(14, 2) NOT NULL,
        recency_score smallint NOT NULL,
        frequency_score smallint NOT NULL,
        monetary_score smallint NOT NULL,
        segment varchar(20) NOT NULL,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_customer_health_updated_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_customer_health PRIMARY KEY CLUSTERED (customer_id)
    );
GO

-- The three summaries, as in sql/postgres/etl.sql: each MERGE skips unchanged
-- rows and deletes the rows nothing supports any more, so a second run
-- writes nothing, and writes its own lineage row.
CREATE OR ALTER PROCEDURE healthcare.etl_summaries
    @date_from date,
    @date_to date
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @started datetime2(3);
    DECLARE @read bigint;
    DECLARE @written bigint;
    DECLARE @rejected bigint;

    -- Pharmacy fill summary. A claim whose NDC is not a medication cannot be
    -- counted as generic or not, so it counts as rejected. The claim's
    -- foreign key prevents this unless it was bypassed.
    SET @started = SYSUTCDATETIME();
    SELECT
        @read = COUNT_BIG(*),
        @rejected = COALESCE(SUM(CASE WHEN m.ndc IS NULL THEN 1 ELSE 0 END), 0)
    FROM healthcare.pharmacy_claims AS c
    LEFT JOIN healthcare.medications AS m ON m.ndc = c.ndc
    WHERE c.claim_status = 'paid'
        AND c.service_date BETWEEN @date_from AND @date_to;
    MERGE healthcare.pharmacy_fill_summary WITH (HOLDLOCK) AS t
    USING (
        SELECT c.pharmacy_id, c.service_date AS fill_date, COUNT(*) AS fills,
            SUM(CASE WHEN m.is_generic = 1 THEN 1 ELSE 0 END) AS generic_fills,
            CAST(ROUND(
                SUM(CASE WHEN m.is_generic = 1 THEN 1.0 ELSE 0 END) / COUNT(*), 4
            ) AS decimal(5, 4)) AS generic_fill_rate,
            SUM(c.plan_paid) AS plan_paid
        FROM healthcare.pharmacy_claims AS c
        INNER JOIN healthcare.medications AS m ON m.ndc = c.ndc
        WHERE c.claim_status = 'paid'
            AND c.service_date BETWEEN @date_from AND @date_to
        GROUP BY c.pharmacy_id, c.service_date
    ) AS s
        ON t.pharmacy_id = s.pharmacy_id AND t.fill_date = s.fill_date
    WHEN MATCHED AND (
        t.fills <> s.fills OR t.generic_fills <> s.generic_fills
        OR t.plan_paid <> s.plan_paid
    ) THEN UPDATE SET
        fills = s.fills, generic_fills = s.generic_fills,
        generic_fill_rate = s.generic_fill_rate, plan_paid = s.plan_paid,
        updated_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        pharmacy_id, fill_date, fills, generic_fills, generic_fill_rate,
        plan_paid
    ) VALUES (
        s.pharmacy_id, s.fill_date, s.fills, s.generic_fills,
        s.generic_fill_rate, s.plan_paid
    )
    -- A day in the window that no longer has a paid fill (its claims were
    -- reversed, or none has an NDC that is a medication) loses its row.
    WHEN NOT MATCHED BY SOURCE
        AND t.fill_date BETWEEN @date_from AND @date_to THEN DELETE;
    SET @written = @@ROWCOUNT;
    EXEC healthcare.etl_record_lineage N'pharmacy_fill_summary',
        N'healthcare.pharmacy_claims', N'healthcare.pharmacy_fill_summary',
        @read, @written, @started, @rejected;

    -- Daily order summary.
    SET @started = SYSUTCDATETIME();
    SELECT @read = COUNT_BIG(*) FROM commerce.orders AS o
    WHERE CAST(o.ordered_at AS date) BETWEEN @date_from AND @date_to;
    MERGE commerce.daily_order_summary WITH (HOLDLOCK) AS t
    USING (
        SELECT CAST(o.ordered_at AS date) AS order_date,
            SUM(CASE WHEN o.status <> 'cancelled' THEN 1 ELSE 0 END) AS orders,
            COUNT(DISTINCT CASE WHEN o.status <> 'cancelled'
                THEN o.customer_id END) AS customers,
            COALESCE(SUM(CASE WHEN o.status <> 'cancelled'
                THEN o.total_amount END), 0) AS revenue,
            SUM(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled
        FROM commerce.orders AS o
        WHERE CAST(o.ordered_at AS date) BETWEEN @date_from AND @date_to
        GROUP BY CAST(o.ordered_at AS date)
    ) AS s
        ON t.order_date = s.order_date
    WHEN MATCHED AND (
        t.orders <> s.orders OR t.customers <> s.customers
        OR t.revenue <> s.revenue OR t.cancelled <> s.cancelled
    ) THEN UPDATE SET
        orders = s.orders, customers = s.customers, revenue = s.revenue,
        cancelled = s.cancelled, updated_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        order_date, orders, customers, revenue, cancelled
    ) VALUES (s.order_date, s.orders, s.customers, s.revenue, s.cancelled)
    WHEN NOT MATCHED BY SOURCE
        AND t.order_date BETWEEN @date_from AND @date_to THEN DELETE;
    SET @written = @@ROWCOUNT;
    EXEC healthcare.etl_record_lineage N'daily_order_summary',
        N'commerce.orders', N'commerce.daily_order_summary',
        @read, @written, @started;

    -- Customer health: RFM over every non-cancelled order up to @date_to.
    SET @started = SYSUTCDATETIME();
    SELECT @read = COUNT_BIG(*) FROM commerce.orders AS o
    WHERE o.status <> 'cancelled' AND CAST(o.ordered_at AS date) <= @date_to;
    MERGE commerce.customer_health WITH (HOLDLOCK) AS t
    USING (
        SELECT r.*,
            CASE
                WHEN r.recency_score >= 4 AND r.frequency_score >= 4
                    THEN 'champion'
                WHEN r.recency_score >= 4 THEN 'recent'
                WHEN r.recency_score <= 2 AND r.frequency_score >= 4
                    THEN 'at risk'
                WHEN r.recency_score <= 2 THEN 'lapsing'
                ELSE 'steady'
            END AS segment
        FROM (
            SELECT a.*,
                NTILE(5) OVER (ORDER BY a.last_order_date, a.customer_id)
                    AS recency_score,
                NTILE(5) OVER (ORDER BY a.orders, a.customer_id)
                    AS frequency_score,
                NTILE(5) OVER (ORDER BY a.revenue, a.customer_id)
                    AS monetary_score
            FROM (
                SELECT o.customer_id,
                    CAST(MAX(o.ordered_at) AS date) AS last_order_date,
                    COUNT(*) AS orders, SUM(o.total_amount) AS revenue
                FROM commerce.orders AS o
                WHERE o.status <> 'cancelled'
                    AND CAST(o.ordered_at AS date) <= @date_to
                GROUP BY o.customer_id
            ) AS a
        ) AS r
    ) AS s
        ON t.customer_id = s.customer_id
    WHEN MATCHED AND (
        t.last_order_date <> s.last_order_date OR t.orders <> s.orders
        OR t.revenue <> s.revenue OR t.recency_score <> s.recency_score
        OR t.frequency_score <> s.frequency_score
        OR t.monetary_score <> s.monetary_score OR t.segment <> s.segment
    ) THEN UPDATE SET
        last_order_date = s.last_order_date, orders = s.orders,
        revenue = s.revenue, recency_score = s.recency_score,
        frequency_score = s.frequency_score,
        monetary_score = s.monetary_score, segment = s.segment,
        updated_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        customer_id, last_order_date, orders, revenue, recency_score,
        frequency_score, monetary_score, segment
    ) VALUES (
        s.customer_id, s.last_order_date, s.orders, s.revenue,
        s.recency_score, s.frequency_score, s.monetary_score, s.segment
    )
    -- A customer left with no order that counts is no longer scored.
    WHEN NOT MATCHED BY SOURCE THEN DELETE;
    SET @written = @@ROWCOUNT;
    EXEC healthcare.etl_record_lineage N'customer_health',
        N'commerce.orders', N'commerce.customer_health',
        @read, @written, @started;
END;
GO

