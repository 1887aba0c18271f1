-- The star schema over the pharmacy claims, as in sql/postgres/warehouse.sql:
-- the calendar, medication, pharmacy and provider dimensions,
-- fact_pharmacy_claims, the claims-by-drug-class indexed view, and the
-- procedures that load and maintain them. etl.sql must be installed first:
-- the load writes lineage through healthcare.etl_record_lineage and loads
-- healthcare.dim_patient with healthcare.etl_dim_patient. Tables are created
-- only when missing and procedures with CREATE OR ALTER, as in etl.sql.
-- NOTE: the suite parses this file but has not run it on a live SQL Server,
-- so the indexed view over a table with a columnstore index is untested.

-- An indexed view needs these options on in the session that creates it and
-- in every session that writes to its base tables. A procedure keeps the
-- ANSI_NULLS and QUOTED_IDENTIFIER settings it was created with.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

-- The calendar, one row per day. date_key is the date as yyyymmdd. The fiscal
-- year starts on 1 July and is named after the calendar year it ends in, so
-- 2026-07-01 is fiscal month 1 of fiscal quarter 1 of fiscal year 2027.
-- day_of_week is the ISO 8601 day: 1 is Monday, 7 is Sunday.
IF OBJECT_ID(N'healthcare.dim_date', N'U') IS NULL
    CREATE TABLE healthcare.dim_date (
        date_key int NOT NULL,
        full_date date NOT NULL,
        calendar_year smallint NOT NULL,
        calendar_quarter smallint NOT NULL,
        calendar_month smallint NOT NULL,
        month_name varchar(9) NOT NULL,
        day_of_month smallint NOT NULL,
        day_of_week smallint NOT NULL,
        day_name varchar(9) NOT NULL,
        iso_year smallint NOT NULL,
        iso_week smallint NOT NULL,
        is_weekend bit NOT NULL,
        fiscal_year smallint NOT NULL,
        fiscal_quarter smallint NOT NULL,
        fiscal_month smallint NOT NULL,
        CONSTRAINT pk_dim_date PRIMARY KEY CLUSTERED (date_key),
        CONSTRAINT uq_dim_date_full_date UNIQUE (full_date),
        CONSTRAINT ck_dim_date_calendar_quarter
            CHECK (calendar_quarter BETWEEN 1 AND 4),
        CONSTRAINT ck_dim_date_calendar_month CHECK (calendar_month BETWEEN 1 AND 12),
        CONSTRAINT ck_dim_date_day_of_week CHECK (day_of_week BETWEEN 1 AND 7),
        CONSTRAINT ck_dim_date_iso_week CHECK (iso_week BETWEEN 1 AND 53),
        CONSTRAINT ck_dim_date_fiscal_quarter CHECK (fiscal_quarter BETWEEN 1 AND 4),
        CONSTRAINT ck_dim_date_fiscal_month CHECK (fiscal_month BETWEEN 1 AND 12)
    );
GO

-- The other dimensions are type 1: a change upstream overwrites the row in
-- place. A row whose source row is gone stays, because fact rows may point
-- at it.
IF OBJECT_ID(N'healthcare.dim_medication', N'U') IS NULL
    CREATE TABLE healthcare.dim_medication (
        medication_key bigint IDENTITY (1, 1) NOT NULL,
        medication_id bigint NOT NULL,
        ndc char(11) NOT NULL,
        drug_name nvarchar(200) NOT NULL,
        is_generic bit NOT NULL,
        strength nvarchar(50) NOT NULL,
        dosage_form nvarchar(100) NOT NULL,
        drug_class nvarchar(100) NOT NULL,
        dea_schedule varchar(3) NULL,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_dim_medication_updated_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_dim_medication PRIMARY KEY CLUSTERED (medication_key),
        CONSTRAINT uq_dim_medication_medication_id UNIQUE (medication_id)
    );

IF OBJECT_ID(N'healthcare.dim_pharmacy', N'U') IS NULL
    CREATE TABLE healthcare.dim_pharmacy (
        pharmacy_key bigint IDENTITY (1, 1) NOT NULL,
        pharmacy_id bigint NOT NULL,
        ncpdp_id char(7) NOT NULL,
        npi char(10) NOT NULL,
        name nvarchar(200) NOT NULL,
        state char(2) NOT NULL,
        is_chain bit NOT NULL,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_dim_pharmacy_updated_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_dim_pharmacy PRIMARY KEY CLUSTERED (pharmacy_key),
        CONSTRAINT uq_dim_pharmacy_pharmacy_id UNIQUE (pharmacy_id)
    );

IF OBJECT_ID(N'healthcare.dim_provider', N'U') IS NULL
    CREATE TABLE healthcare.dim_provider (
        provider_key bigint IDENTITY (1, 1) NOT NULL,
        provider_id bigint NOT NULL,
        npi char(10) NOT NULL,
        first_name nvarchar(100) NOT NULL,
        last_name nvarchar(100) NOT NULL,
        credential varchar(10) NOT NULL,
        specialty nvarchar(100) NOT NULL,
        state char(2) NOT NULL,
        dea_number char(9) NULL,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_dim_provider_updated_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_dim_provider PRIMARY KEY CLUSTERED (provider_key),
        CONSTRAINT uq_dim_provider_provider_id UNIQUE (provider_id)
    );
GO

-- One row per claim of healthcare.pharmacy_claims, whatever its status, with
-- the keys of its dimensions and its measures, on the claims table's monthly
-- partition scheme: a SPLIT RANGE of pf_claims_service_month adds the month
-- to both tables. patient_key is the dim_patient version in effect at the
-- end of the service date (UTC), or the patient's first version when the
-- service date comes before it. Every measure is NOT NULL, because an
-- indexed view may not SUM a nullable column.
IF OBJECT_ID(N'healthcare.fact_pharmacy_claims', N'U') IS NULL
BEGIN
    CREATE TABLE healthcare.fact_pharmacy_claims (
        claim_id bigint NOT NULL,
        service_date date NOT NULL,
        date_key int NOT NULL,
        patient_key bigint NOT NULL,
        medication_key bigint NOT NULL,
        pharmacy_key bigint NOT NULL,
        provider_key bigint NOT NULL,
        prescription_id bigint NOT NULL,
        fill_number smallint NOT NULL,
        claim_status varchar(10) NOT NULL,
        reject_code varchar(3) NULL,
        quantity decimal(10, 3) NOT NULL,
        days_supply int NOT NULL,
        ingredient_cost decimal(12, 2) NOT NULL,
        dispensing_fee decimal(12, 2) NOT NULL,
        copay decimal(12, 2) NOT NULL,
        plan_paid decimal(12, 2) NOT NULL,
        loaded_at datetime2(3) NOT NULL
            CONSTRAINT df_fact_pharmacy_claims_loaded_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_fact_pharmacy_claims
            PRIMARY KEY CLUSTERED (service_date, claim_id)
            ON ps_claims_service_month (service_date),
        CONSTRAINT fk_fact_pharmacy_claims_date_key FOREIGN KEY (date_key)
            REFERENCES healthcare.dim_date (date_key),
        CONSTRAINT fk_fact_pharmacy_claims_patient_key FOREIGN KEY (patient_key)
            REFERENCES healthcare.dim_patient (patient_key),
        CONSTRAINT fk_fact_pharmacy_claims_medication_key
            FOREIGN KEY (medication_key)
            REFERENCES healthcare.dim_medication (medication_key),
        CONSTRAINT fk_fact_pharmacy_claims_pharmacy_key FOREIGN KEY (pharmacy_key)
            REFERENCES healthcare.dim_pharmacy (pharmacy_key),
        CONSTRAINT fk_fact_pharmacy_claims_provider_key FOREIGN KEY (provider_key)
            REFERENCES healthcare.dim_provider (provider_key)
    ) ON ps_claims_service_month (service_date);

    -- Analytic queries scan a few columns of many rows: the columnstore
    -- serves them while the clustered rowstore takes the load's MERGE. It
    -- is aligned with the table's partition scheme without an ON clause.
    CREATE NONCLUSTERED COLUMNSTORE INDEX ncci_fact_pharmacy_claims
        ON healthcare.fact_pharmacy_claims (
            service_date, date_key, patient_key, medication_key, pharmacy_key,
            provider_key, claim_status, quantity, days_supply, ingredient_cost,
            dispensing_fee, copay, plan_paid
        );
END;
GO

-- Claims, quantities and amounts per drug class, calendar month and claim
-- status. SQL Server keeps the indexed view up to date with every change to
-- its base tables, so the load has nothing to refresh. An indexed view with
-- GROUP BY must count with COUNT_BIG(*) and may not use AVG, MIN or MAX.
-- NOTE: ALTER VIEW drops the view's indexes, so each install rebuilds the
-- clustered index below: one aggregation of the fact table.
CREATE OR ALTER VIEW healthcare.claims_by_drug_class
WITH SCHEMABINDING
AS
SELECT
    m.drug_class,
    d.calendar_year,
    d.calendar_month,
    f.claim_status,
    COUNT_BIG(*) AS claims,
    SUM(f.quantity) AS quantity,
    SUM(f.days_supply) AS days_supply,
    SUM(f.ingredient_cost) AS ingredient_cost,
    SUM(f.plan_paid) AS plan_paid
FROM healthcare.fact_pharmacy_claims AS f
INNER JOIN healthcare.dim_medication AS m ON m.medication_key = f.medication_key
INNER JOIN healthcare.dim_date AS d ON d.date_key = f.date_key
GROUP BY m.drug_class, d.calendar_year, d.calendar_month, f.claim_status;
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'cx_claims_by_drug_class'
        AND object_id = OBJECT_ID(N'healthcare.claims_by_drug_class')
)
    CREATE UNIQUE CLUSTERED INDEX cx_claims_by_drug_class
        ON healthcare.claims_by_drug_class (
            drug_class, calendar_year, calendar_month, claim_status
        );
GO

-- Add the days from @from to @to that dim_date lacks, and set @added to how
-- many it added.
CREATE OR ALTER PROCEDURE healthcare.dim_date_fill
    @from date,
    @to date,
    @added bigint = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;

    -- No rows when @to is before @from, as in the PostgreSQL function.
    WITH day_offsets AS (
        SELECT 0 AS n WHERE @from <= @to
        UNION ALL
        SELECT o.n + 1 FROM day_offsets AS o WHERE o.n < DATEDIFF(DAY, @from, @to)
    ),
    days AS (
        SELECT
            DATEADD(DAY, o.n, @from) AS full_date,
            -- The ISO day of the week whatever SET DATEFIRST is.
            (DATEPART(WEEKDAY, DATEADD(DAY, o.n, @from)) + @@DATEFIRST - 2) % 7 + 1
                AS day_of_week,
            -- July is fiscal month 1 and June is fiscal month 12.
            (MONTH(DATEADD(DAY, o.n, @from)) + 5) % 12 + 1 AS fiscal_month
        FROM day_offsets AS o
    )
    INSERT INTO healthcare.dim_date (
        date_key, full_date, calendar_year, calendar_quarter, calendar_month,
        month_name, day_of_month, day_of_week, day_name, iso_year, iso_week,
        is_weekend, fiscal_year, fiscal_quarter, fiscal_month
    )
    SELECT
        YEAR(x.full_date) * 10000 + MONTH(x.full_date) * 100 + DAY(x.full_date),
        x.full_date,
        YEAR(x.full_date),
        DATEPART(QUARTER, x.full_date),
        MONTH(x.full_date),
        -- DATENAME follows the session's language, so the English names are
        -- spelled out.
        CHOOSE(
            MONTH(x.full_date), 'January', 'February', 'March', 'April', 'May',
            'June', 'July', 'August', 'September', 'October', 'November',
            'December'
        ),
        DAY(x.full_date),
        x.day_of_week,
        CHOOSE(
            x.day_of_week, 'Monday', 'Tuesday', 'Wednesday', 'Thursday',
            'Friday', 'Saturday', 'Sunday'
        ),
        -- An ISO week belongs to the year of its Thursday.
        YEAR(DATEADD(DAY, 4 - x.day_of_week, x.full_date)),
        DATEPART(ISO_WEEK, x.full_date),
        CASE WHEN x.day_of_week >= 6 THEN 1 ELSE 0 END,
        -- Fiscal months 1 to 6 (July to December) end in the next year.
        YEAR(x.full_date) + CASE WHEN x.fiscal_month <= 6 THEN 1 ELSE 0 END,
        (x.fiscal_month + 2) / 3,
        x.fiscal_month
    FROM days AS x
    WHERE NOT EXISTS (
        SELECT 1 FROM healthcare.dim_date AS d WHERE d.full_date = x.full_date
    )
    OPTION (MAXRECURSION 0);
    SET @added = @@ROWCOUNT;
END;
GO

-- Load the star schema: dim_patient (through its own procedure), dim_date,
-- the type 1 dimensions and the fact, in one transaction. Each step writes
-- its own lineage row, and so does claims_by_drug_class, which SQL Server
-- updates along with the fact. Rows whose values are unchanged are left as
-- they are, so a second run writes nothing. A fact row whose claim is gone
-- from healthcare.pharmacy_claims (deleted or quarantined) is deleted. EXCEPT
-- compares NULLs as equal. Under a case-insensitive collation, a change of
-- letter case alone is not a change.
CREATE OR ALTER PROCEDURE healthcare.etl_warehouse
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @started datetime2(3);
    DECLARE @read bigint;
    DECLARE @written bigint;
    DECLARE @rejected bigint;
    DECLARE @first date;
    DECLARE @last date;

    BEGIN TRANSACTION;

    -- A second load waits for the first to commit.
    EXEC sp_getapplock
        @Resource = N'healthcare.etl_warehouse',
        @LockMode = N'Exclusive',
        @LockOwner = N'Transaction';

    EXEC healthcare.etl_dim_patient;

    -- The calendar: every day of the calendar years the claims fall in.
    SET @started = SYSUTCDATETIME();
    SELECT @first = MIN(service_date), @last = MAX(service_date)
    FROM healthcare.pharmacy_claims;
    SET @read = 0;
    SET @written = 0;
    IF @first IS NOT NULL
    BEGIN
        SET @first = DATEFROMPARTS(YEAR(@first), 1, 1);
        SET @last = DATEFROMPARTS(YEAR(@last), 12, 31);
        SET @read = DATEDIFF(DAY, @first, @last) + 1;
        EXEC healthcare.dim_date_fill @first, @last, @written OUTPUT;
    END;
    EXEC healthcare.etl_record_lineage N'dim_date', N'healthcare.pharmacy_claims',
        N'healthcare.dim_date', @read, @written, @started;

    -- A copy of claims_by_drug_class before the MERGEs below change it, for
    -- the view's lineage row at the end. The view has one row per drug
    -- class, month and claim status, so the copy is small. NOEXPAND reads
    -- the view's index instead of aggregating the fact again.
    SELECT *
    INTO #view_before
    FROM healthcare.claims_by_drug_class WITH (NOEXPAND);

    SET @started = SYSUTCDATETIME();
    SELECT @read = COUNT_BIG(*) FROM healthcare.medications;
    MERGE healthcare.dim_medication WITH (HOLDLOCK) AS d
    USING healthcare.medications AS m
        ON d.medication_id = m.medication_id
    WHEN MATCHED AND EXISTS (
        SELECT d.ndc, d.drug_name, d.is_generic, d.strength, d.dosage_form,
            d.drug_class, d.dea_schedule
        EXCEPT
        SELECT m.ndc, m.drug_name, m.is_generic, m.strength, m.dosage_form,
            m.drug_class, m.dea_schedule
    ) THEN UPDATE SET
        ndc = m.ndc, drug_name = m.drug_name, is_generic = m.is_generic,
        strength = m.strength, dosage_form = m.dosage_form,
        drug_class = m.drug_class, dea_schedule = m.dea_schedule,
        updated_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        medication_id, ndc, drug_name, is_generic, strength, dosage_form,
        drug_class, dea_schedule
    ) VALUES (
        m.medication_id, m.ndc, m.drug_name, m.is_generic, m.strength,
        m.dosage_form, m.drug_class, m.dea_schedule
    );
    SET @written = @@ROWCOUNT;
    EXEC healthcare.etl_record_lineage N'dim_medication',
        N'healthcare.medications', N'healthcare.dim_medication',
        @read, @written, @started;

    SET @started = SYSUTCDATETIME();
    SELECT @read = COUNT_BIG(*) FROM healthcare.pharmacies;
    MERGE healthcare.dim_pharmacy WITH (HOLDLOCK) AS d
    USING healthcare.pharmacies AS p
        ON d.pharmacy_id = p.pharmacy_id
    WHEN MATCHED AND EXISTS (
        SELECT d.ncpdp_id, d.npi, d.name, d.state, d.is_chain
        EXCEPT
        SELECT p.ncpdp_id, p.npi, p.name, p.state, p.is_chain
    ) THEN UPDATE SET
        ncpdp_id = p.ncpdp_id, npi = p.npi, name = p.name, state = p.state,
        is_chain = p.is_chain, updated_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        pharmacy_id, ncpdp_id, npi, name, state, is_chain
    ) VALUES (
        p.pharmacy_id, p.ncpdp_id, p.npi, p.name, p.state, p.is_chain
    );
    SET @written = @@ROWCOUNT;
    EXEC healthcare.etl_record_lineage N'dim_pharmacy',
        N'healthcare.pharmacies', N'healthcare.dim_pharmacy',
        @read, @written, @started;

    SET @started = SYSUTCDATETIME();
    SELECT @read = COUNT_BIG(*) FROM healthcare.providers;
    MERGE healthcare.dim_provider WITH (HOLDLOCK) AS d
    USING healthcare.providers AS p
        ON d.provider_id = p.provider_id
    WHEN MATCHED AND EXISTS (
        SELECT d.npi, d.first_name, d.last_name, d.credential, d.specialty,
            d.state, d.dea_number
        EXCEPT
        SELECT p.npi, p.first_name, p.last_name, p.credential, p.specialty,
            p.state, p.dea_number
    ) THEN UPDATE SET
        npi = p.npi, first_name = p.first_name, last_name = p.last_name,
        credential = p.credential, specialty = p.specialty, state = p.state,
        dea_number = p.dea_number, updated_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        provider_id, npi, first_name, last_name, credential, specialty, state,
        dea_number
    ) VALUES (
        p.provider_id, p.npi, p.first_name, p.last_name, p.credential,
        p.specialty, p.state, p.dea_number
    );
    SET @written = @@ROWCOUNT;
    EXEC healthcare.etl_record_lineage N'dim_provider',
        N'healthcare.providers', N'healthcare.dim_provider',
        @read, @written, @started;

    -- The fact. Each patient version is in effect from its valid_from until
    -- the next version's valid_from. The first version is also in effect
    -- before it was written, so claims older than the dimension find a key.
    SET @started = SYSUTCDATETIME();
    SELECT
        d.patient_id,
        d.patient_key,
        CASE
            WHEN ROW_NUMBER() OVER (
                PARTITION BY d.patient_id ORDER BY d.valid_from, d.patient_key
            ) = 1 THEN CAST('0001-01-01' AS datetime2(3))
            ELSE d.valid_from
        END AS effective_from,
        COALESCE(
            LEAD(d.valid_from) OVER (
                PARTITION BY d.patient_id ORDER BY d.valid_from, d.patient_key
            ),
            CAST('9999-12-31' AS datetime2(3))
        ) AS effective_to
    INTO #patient_versions
    FROM healthcare.dim_patient AS d;

    SELECT
        c.claim_id,
        c.service_date,
        YEAR(c.service_date) * 10000 + MONTH(c.service_date) * 100
            + DAY(c.service_date) AS date_key,
        v.patient_key,
        dm.medication_key,
        dph.pharmacy_key,
        dpr.provider_key,
        c.prescription_id,
        c.fill_number,
        c.claim_status,
        c.reject_code,
        c.quantity,
        c.days_supply,
        c.ingredient_cost,
        c.dispensing_fee,
        c.copay,
        c.plan_paid
    INTO #warehouse_source
    FROM healthcare.pharmacy_claims AS c
    LEFT JOIN healthcare.medications AS m ON m.ndc = c.ndc
    LEFT JOIN healthcare.dim_medication AS dm
        ON dm.medication_id = m.medication_id
    LEFT JOIN healthcare.dim_pharmacy AS dph ON dph.pharmacy_id = c.pharmacy_id
    LEFT JOIN healthcare.prescriptions AS rx
        ON rx.prescription_id = c.prescription_id
    LEFT JOIN healthcare.dim_provider AS dpr ON dpr.provider_id = rx.provider_id
    LEFT JOIN #patient_versions AS v
        ON v.patient_id = c.patient_id
        -- The end of the service date: valid_from and valid_to are UTC.
        AND v.effective_from
            < CAST(DATEADD(DAY, 1, c.service_date) AS datetime2(3))
        AND v.effective_to
            >= CAST(DATEADD(DAY, 1, c.service_date) AS datetime2(3));
    SET @read = @@ROWCOUNT;

    -- A claim that finds no key in a dimension cannot be loaded, so it counts
    -- as rejected. The causes are an NDC that is not a medication, a missing
    -- pharmacy, prescription or prescriber, or a patient without a
    -- dim_patient row. Only bypassed foreign keys (a constraint disabled with
    -- NOCHECK, or dropped) let such a claim in. The joins above are outer
    -- joins so that rows_read counts every claim. A rejected claim that was
    -- loaded before leaves the fact through the MERGE's DELETE.
    DELETE FROM #warehouse_source
    WHERE patient_key IS NULL
        OR medication_key IS NULL
        OR pharmacy_key IS NULL
        OR provider_key IS NULL;
    SET @rejected = @@ROWCOUNT;

    MERGE healthcare.fact_pharmacy_claims WITH (HOLDLOCK) AS f
    USING #warehouse_source AS s
        ON f.service_date = s.service_date AND f.claim_id = s.claim_id
    WHEN MATCHED AND EXISTS (
        SELECT f.date_key, f.patient_key, f.medication_key, f.pharmacy_key,
            f.provider_key, f.prescription_id, f.fill_number, f.claim_status,
            f.reject_code, f.quantity, f.days_supply, f.ingredient_cost,
            f.dispensing_fee, f.copay, f.plan_paid
        EXCEPT
        SELECT s.date_key, s.patient_key, s.medication_key, s.pharmacy_key,
            s.provider_key, s.prescription_id, s.fill_number, s.claim_status,
            s.reject_code, s.quantity, s.days_supply, s.ingredient_cost,
            s.dispensing_fee, s.copay, s.plan_paid
    ) THEN UPDATE SET
        date_key = s.date_key, patient_key = s.patient_key,
        medication_key = s.medication_key, pharmacy_key = s.pharmacy_key,
        provider_key = s.provider_key, prescription_id = s.prescription_id,
        fill_number = s.fill_number, claim_status = s.claim_status,
        reject_code = s.reject_code, quantity = s.quantity,
        days_supply = s.days_supply, ingredient_cost = s.ingredient_cost,
        dispensing_fee = s.dispensing_fee, copay = s.copay,
        plan_paid = s.plan_paid, loaded_at = SYSUTCDATETIME()
    WHEN NOT MATCHED BY TARGET THEN INSERT (
        claim_id, service_date, date_key, patient_key, medication_key,
        pharmacy_key, provider_key, prescription_id, fill_number,
        claim_status, reject_code, quantity, days_supply, ingredient_cost,
        dispensing_fee, copay, plan_paid
    ) VALUES (
        s.claim_id, s.service_date, s.date_key, s.patient_key,
        s.medication_key, s.pharmacy_key, s.provider_key, s.prescription_id,
        s.fill_number, s.claim_status, s.reject_code, s.quantity,
        s.days_supply, s.ingredient_cost, s.dispensing_fee, s.copay,
        s.plan_paid
    )
    WHEN NOT MATCHED BY SOURCE THEN DELETE;
    SET @written = @@ROWCOUNT;
    EXEC healthcare.etl_record_lineage N'fact_pharmacy_claims',
        N'healthcare.pharmacy_claims, healthcare.prescriptions',
        N'healthcare.fact_pharmacy_claims', @read, @written, @started,
        @rejected;

    -- The view. SQL Server maintained it inside the MERGEs above, so this
    -- row's duration covers only the comparison with #view_before.
    -- rows_written counts the view rows that the load added, changed or
    -- removed. The fact's foreign keys to dim_medication and dim_date keep
    -- every fact row in the view's inner joins, so rows_rejected, the fact
    -- rows missing from the view's claim counts, is 0 unless those keys were
    -- bypassed.
    SET @started = SYSUTCDATETIME();
    SELECT @written = COUNT_BIG(*) FROM (
        SELECT * FROM healthcare.claims_by_drug_class WITH (NOEXPAND)
        EXCEPT
        SELECT * FROM #view_before
    ) AS changed;
    SELECT @written = @written + COUNT_BIG(*)
    FROM #view_before AS b
    WHERE NOT EXISTS (
        SELECT 1 FROM healthcare.claims_by_drug_class AS v WITH (NOEXPAND)
        WHERE v.drug_class = b.drug_class
            AND v.calendar_year = b.calendar_year
            AND v.calendar_month = b.calendar_month
            AND v.claim_status = b.claim_status
    );
    SELECT @read = COUNT_BIG(*) FROM healthcare.fact_pharmacy_claims;
    SELECT @rejected = @read - COALESCE(SUM(v.claims), 0)
    FROM healthcare.claims_by_drug_class AS v WITH (NOEXPAND);
    EXEC healthcare.etl_record_lineage N'claims_by_drug_class',
        N'healthcare.fact_pharmacy_claims, healthcare.dim_medication, healthcare.dim_date',
        N'healthcare.claims_by_drug_class', @read, @written, @started,
        @rejected;

    COMMIT TRANSACTION;
END;
GO

-- UPDATE STATISTICS on every table of the star schema and the indexed view,
-- then one row per object with its row count.
CREATE OR ALTER PROCEDURE healthcare.warehouse_update_statistics
AS
BEGIN
    SET NOCOUNT ON;

    UPDATE STATISTICS healthcare.dim_date;
    UPDATE STATISTICS healthcare.dim_patient;
    UPDATE STATISTICS healthcare.dim_medication;
    UPDATE STATISTICS healthcare.dim_pharmacy;
    UPDATE STATISTICS healthcare.dim_provider;
    UPDATE STATISTICS healthcare.fact_pharmacy_claims;
    UPDATE STATISTICS healthcare.claims_by_drug_class;

    SELECT
        CONCAT(s.name, N'.', o.name) AS table_name,
        SUM(p.row_count) AS row_count
    FROM sys.objects AS o
    INNER JOIN sys.schemas AS s ON s.schema_id = o.schema_id
    INNER JOIN sys.dm_db_partition_stats AS p
        ON p.object_id = o.object_id AND p.index_id IN (0, 1)
    WHERE s.name = N'healthcare'
        AND o.name IN (
            N'dim_date', N'dim_patient', N'dim_medication', N'dim_pharmacy',
            N'dim_provider', N'fact_pharmacy_claims', N'claims_by_drug_class'
        )
    GROUP BY s.name, o.name
    ORDER BY table_name;
END;
GO

-- One row per partition of the fact, from sys.partitions (the clustered
-- index's rows) and sys.dm_db_partition_stats (pages reserved by all of its
-- indexes). With RANGE RIGHT, partition n contains the dates from boundary
-- n - 1 up to, not including, boundary n. The first partition has no lower
-- bound and the last has no upper bound.
CREATE OR ALTER PROCEDURE healthcare.warehouse_partitions
AS
BEGIN
    SET NOCOUNT ON;

    SELECT
        CONCAT(N'fact_pharmacy_claims partition ', p.partition_number)
            AS partition_name,
        CONCAT(
            CONVERT(nvarchar(10), CAST(lower_bound.value AS date), 23)
                + N' <= ',
            N'service_date',
            N' < ' + CONVERT(nvarchar(10), CAST(upper_bound.value AS date), 23)
        ) AS bounds,
        CAST(lower_bound.value AS date) AS range_from,
        CAST(upper_bound.value AS date) AS range_to,
        p.rows AS row_count,
        reserved.pages * CAST(8192 AS bigint) AS size_bytes
    FROM sys.partitions AS p
    INNER JOIN sys.indexes AS i
        ON i.object_id = p.object_id AND i.index_id = p.index_id
    INNER JOIN sys.partition_schemes AS ps ON ps.data_space_id = i.data_space_id
    LEFT JOIN sys.partition_range_values AS lower_bound
        ON lower_bound.function_id = ps.function_id
        AND lower_bound.boundary_id = p.partition_number - 1
    LEFT JOIN sys.partition_range_values AS upper_bound
        ON upper_bound.function_id = ps.function_id
        AND upper_bound.boundary_id = p.partition_number
    CROSS APPLY (
        SELECT SUM(st.reserved_page_count) AS pages
        FROM sys.dm_db_partition_stats AS st
        WHERE st.object_id = p.object_id
            AND st.partition_number = p.partition_number
    ) AS reserved
    WHERE p.object_id = OBJECT_ID(N'healthcare.fact_pharmacy_claims')
        AND p.index_id = 1
    ORDER BY p.partition_number;
END;
GO
