-- Demo schema for SQL Server 2019 and newer: the pharmacy-claims OLTP schema,
-- a small commerce sample and the seed metadata, as in sql/postgres/schema.sql.
-- Every object is created only when it is missing, so running the file again
-- changes nothing. It does not alter an object that exists with a different
-- definition. Run it with sqlcmd, which splits the batches at GO.
-- Times are UTC in datetime2 columns.

-- Filtered indexes need these options on in every session that creates them
-- or writes to their tables. ODBC connections have them on by default, but
-- sqlcmd leaves QUOTED_IDENTIFIER off unless it is given -I.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

-- CREATE SCHEMA must be alone in its batch, so EXEC runs it as its own batch.
IF SCHEMA_ID(N'healthcare') IS NULL
    EXEC (N'CREATE SCHEMA healthcare AUTHORIZATION dbo');
IF SCHEMA_ID(N'commerce') IS NULL
    EXEC (N'CREATE SCHEMA commerce AUTHORIZATION dbo');
GO

-- key is a reserved word in T-SQL, hence the brackets.
IF OBJECT_ID(N'dbo.warroom_meta', N'U') IS NULL
    CREATE TABLE dbo.warroom_meta (
        [key] nvarchar(64) NOT NULL,
        [value] nvarchar(400) NOT NULL,
        CONSTRAINT pk_warroom_meta PRIMARY KEY CLUSTERED ([key])
    );
GO

-- Healthcare: reference data

IF OBJECT_ID(N'healthcare.providers', N'U') IS NULL
    CREATE TABLE healthcare.providers (
        provider_id bigint IDENTITY (1, 1) NOT NULL,
        npi char(10) NOT NULL,
        first_name nvarchar(100) NOT NULL,
        last_name nvarchar(100) NOT NULL,
        credential varchar(10) NOT NULL,
        specialty nvarchar(100) NOT NULL,
        state char(2) NOT NULL,
        -- DEA registration number, or NULL for a provider who is not
        -- registered and so may not prescribe controlled substances.
        dea_number char(9) NULL,
        created_at datetime2(3) NOT NULL
            CONSTRAINT df_providers_created_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_providers PRIMARY KEY CLUSTERED (provider_id),
        CONSTRAINT uq_providers_npi UNIQUE (npi),
        -- A char(10) shorter value is padded with spaces, which the pattern
        -- rejects.
        CONSTRAINT ck_providers_npi CHECK (npi NOT LIKE '%[^0-9]%')
    );

IF OBJECT_ID(N'healthcare.pharmacies', N'U') IS NULL
    CREATE TABLE healthcare.pharmacies (
        pharmacy_id bigint IDENTITY (1, 1) NOT NULL,
        ncpdp_id char(7) NOT NULL,
        npi char(10) NOT NULL,
        name nvarchar(200) NOT NULL,
        state char(2) NOT NULL,
        is_chain bit NOT NULL CONSTRAINT df_pharmacies_is_chain DEFAULT 0,
        created_at datetime2(3) NOT NULL
            CONSTRAINT df_pharmacies_created_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_pharmacies PRIMARY KEY CLUSTERED (pharmacy_id),
        CONSTRAINT uq_pharmacies_ncpdp_id UNIQUE (ncpdp_id),
        CONSTRAINT uq_pharmacies_npi UNIQUE (npi),
        CONSTRAINT ck_pharmacies_ncpdp_id CHECK (ncpdp_id NOT LIKE '%[^0-9]%'),
        CONSTRAINT ck_pharmacies_npi CHECK (npi NOT LIKE '%[^0-9]%')
    );

-- ndc is the 11-digit 5-4-2 National Drug Code without hyphens.
IF OBJECT_ID(N'healthcare.medications', N'U') IS NULL
    CREATE TABLE healthcare.medications (
        medication_id bigint IDENTITY (1, 1) NOT NULL,
        ndc char(11) NOT NULL,
        drug_name nvarchar(200) NOT NULL,
        is_generic bit NOT NULL,
        strength nvarchar(50) NOT NULL,
        dosage_form nvarchar(100) NOT NULL,
        drug_class nvarchar(100) NOT NULL,
        -- Federal controlled substance schedule (II to V), or NULL when the
        -- drug is not controlled.
        dea_schedule varchar(3) NULL,
        CONSTRAINT pk_medications PRIMARY KEY CLUSTERED (medication_id),
        CONSTRAINT uq_medications_ndc UNIQUE (ndc),
        CONSTRAINT ck_medications_ndc CHECK (ndc NOT LIKE '%[^0-9]%'),
        CONSTRAINT ck_medications_dea_schedule
            CHECK (dea_schedule IN ('II', 'III', 'IV', 'V'))
    );

IF OBJECT_ID(N'healthcare.patients', N'U') IS NULL
    CREATE TABLE healthcare.patients (
        patient_id bigint IDENTITY (1, 1) NOT NULL,
        -- NULL allowed, as in the enrollment feeds; validation reports gaps.
        member_id varchar(20) NULL,
        first_name nvarchar(100) NOT NULL,
        last_name nvarchar(100) NOT NULL,
        date_of_birth date NULL,
        gender char(1) NOT NULL,
        zip_code char(5) NOT NULL,
        state char(2) NOT NULL,
        created_at datetime2(3) NOT NULL
            CONSTRAINT df_patients_created_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_patients PRIMARY KEY CLUSTERED (patient_id),
        CONSTRAINT ck_patients_gender CHECK (gender IN ('F', 'M', 'U'))
    );
GO

-- A UNIQUE constraint would allow one NULL only; the filtered index allows
-- any number, as PostgreSQL's UNIQUE does.
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'ux_patients_member_id'
        AND object_id = OBJECT_ID(N'healthcare.patients')
)
    CREATE UNIQUE INDEX ux_patients_member_id
        ON healthcare.patients (member_id) WHERE member_id IS NOT NULL;
GO

-- Healthcare: clinical data

-- diagnosis_code is an ICD-10-CM code with its dot, such as E11.9 or J45.909.
-- The binary collation makes [A-Z] match upper case only, because the
-- database's default collation is usually case-insensitive.
IF OBJECT_ID(N'healthcare.prescriptions', N'U') IS NULL
BEGIN
    CREATE TABLE healthcare.prescriptions (
        prescription_id bigint IDENTITY (1, 1) NOT NULL,
        patient_id bigint NOT NULL,
        provider_id bigint NOT NULL,
        medication_id bigint NOT NULL,
        written_date date NOT NULL,
        quantity decimal(10, 3) NOT NULL,
        days_supply int NOT NULL,
        refills_authorized smallint NOT NULL
            CONSTRAINT df_prescriptions_refills_authorized DEFAULT 0,
        diagnosis_code varchar(8) NOT NULL,
        created_at datetime2(3) NOT NULL
            CONSTRAINT df_prescriptions_created_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_prescriptions PRIMARY KEY CLUSTERED (prescription_id),
        CONSTRAINT fk_prescriptions_patient_id FOREIGN KEY (patient_id)
            REFERENCES healthcare.patients (patient_id),
        CONSTRAINT fk_prescriptions_provider_id FOREIGN KEY (provider_id)
            REFERENCES healthcare.providers (provider_id),
        CONSTRAINT fk_prescriptions_medication_id FOREIGN KEY (medication_id)
            REFERENCES healthcare.medications (medication_id),
        CONSTRAINT ck_prescriptions_quantity CHECK (quantity > 0),
        CONSTRAINT ck_prescriptions_days_supply CHECK (days_supply > 0),
        CONSTRAINT ck_prescriptions_refills_authorized
            CHECK (refills_authorized >= 0),
        CONSTRAINT ck_prescriptions_diagnosis_code CHECK (
            diagnosis_code COLLATE Latin1_General_BIN2 LIKE '[A-Z][0-9][0-9A-Z]'
            OR (
                diagnosis_code COLLATE Latin1_General_BIN2
                    LIKE '[A-Z][0-9][0-9A-Z].[0-9A-Z]%'
                AND SUBSTRING(diagnosis_code, 5, 4) COLLATE Latin1_General_BIN2
                    NOT LIKE '%[^0-9A-Z]%'
            )
        )
    );

    CREATE INDEX ix_prescriptions_patient_id
        ON healthcare.prescriptions (patient_id);
    CREATE INDEX ix_prescriptions_provider_id
        ON healthcare.prescriptions (provider_id);
    CREATE INDEX ix_prescriptions_medication_id
        ON healthcare.prescriptions (medication_id);
END;
GO

-- Claims are partitioned by service month. With RANGE RIGHT each boundary is
-- the first day of the month it starts: the partition left of 2025-01-01
-- holds older claims, and the one right of 2027-01-01 holds later claims, so
-- no date is ever rejected. SPLIT RANGE adds months after 2026.
IF NOT EXISTS (
    SELECT 1 FROM sys.partition_functions WHERE name = N'pf_claims_service_month'
)
    CREATE PARTITION FUNCTION pf_claims_service_month (date)
    AS RANGE RIGHT FOR VALUES (
        '2025-01-01', '2025-02-01', '2025-03-01', '2025-04-01',
        '2025-05-01', '2025-06-01', '2025-07-01', '2025-08-01',
        '2025-09-01', '2025-10-01', '2025-11-01', '2025-12-01',
        '2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01',
        '2026-05-01', '2026-06-01', '2026-07-01', '2026-08-01',
        '2026-09-01', '2026-10-01', '2026-11-01', '2026-12-01',
        '2027-01-01'
    );
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.partition_schemes WHERE name = N'ps_claims_service_month'
)
    CREATE PARTITION SCHEME ps_claims_service_month
    AS PARTITION pf_claims_service_month ALL TO ([PRIMARY]);
GO

-- The clustered key leads with service_date, the partitioning column, so
-- every index built on the scheme is aligned and a month can be switched out.
-- The identity gives each inserted row a new claim_id, so claim_id alone is
-- unique in practice, but only the pair is enforced.
IF OBJECT_ID(N'healthcare.pharmacy_claims', N'U') IS NULL
BEGIN
    CREATE TABLE healthcare.pharmacy_claims (
        claim_id bigint IDENTITY (1, 1) NOT NULL,
        service_date date NOT NULL,
        prescription_id bigint NOT NULL,
        pharmacy_id bigint NOT NULL,
        patient_id bigint NOT NULL,
        ndc char(11) NOT NULL,
        fill_number smallint NOT NULL
            CONSTRAINT df_pharmacy_claims_fill_number DEFAULT 0,
        quantity decimal(10, 3) NOT NULL,
        days_supply int NOT NULL,
        ingredient_cost decimal(12, 2) NOT NULL,
        dispensing_fee decimal(12, 2) NOT NULL
            CONSTRAINT df_pharmacy_claims_dispensing_fee DEFAULT 0,
        copay decimal(12, 2) NOT NULL CONSTRAINT df_pharmacy_claims_copay DEFAULT 0,
        plan_paid decimal(12, 2) NOT NULL
            CONSTRAINT df_pharmacy_claims_plan_paid DEFAULT 0,
        claim_status varchar(10) NOT NULL,
        -- NCPDP reject code, such as 75 (prior authorization required).
        reject_code varchar(3) NULL,
        submitted_at datetime2(3) NOT NULL
            CONSTRAINT df_pharmacy_claims_submitted_at DEFAULT SYSUTCDATETIME(),
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_pharmacy_claims_updated_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_pharmacy_claims PRIMARY KEY CLUSTERED (service_date, claim_id)
            ON ps_claims_service_month (service_date),
        CONSTRAINT fk_pharmacy_claims_prescription_id FOREIGN KEY (prescription_id)
            REFERENCES healthcare.prescriptions (prescription_id),
        CONSTRAINT fk_pharmacy_claims_pharmacy_id FOREIGN KEY (pharmacy_id)
            REFERENCES healthcare.pharmacies (pharmacy_id),
        CONSTRAINT fk_pharmacy_claims_patient_id FOREIGN KEY (patient_id)
            REFERENCES healthcare.patients (patient_id),
        CONSTRAINT fk_pharmacy_claims_ndc FOREIGN KEY (ndc)
            REFERENCES healthcare.medications (ndc),
        CONSTRAINT ck_pharmacy_claims_fill_number CHECK (fill_number >= 0),
        CONSTRAINT ck_pharmacy_claims_quantity CHECK (quantity > 0),
        CONSTRAINT ck_pharmacy_claims_days_supply CHECK (days_supply > 0),
        CONSTRAINT ck_pharmacy_claims_ingredient_cost CHECK (ingredient_cost >= 0),
        CONSTRAINT ck_pharmacy_claims_dispensing_fee CHECK (dispensing_fee >= 0),
        CONSTRAINT ck_pharmacy_claims_copay CHECK (copay >= 0),
        CONSTRAINT ck_pharmacy_claims_claim_status
            CHECK (claim_status IN ('paid', 'rejected', 'reversed', 'pending')),
        -- A reject code is present exactly when the claim is rejected.
        CONSTRAINT ck_pharmacy_claims_reject_code CHECK (
            (claim_status = 'rejected' AND reject_code IS NOT NULL)
            OR (claim_status <> 'rejected' AND reject_code IS NULL)
        )
    ) ON ps_claims_service_month (service_date);

    -- Nonclustered indexes default to the table's partition scheme, so they
    -- are aligned without an ON clause.
    CREATE INDEX ix_pharmacy_claims_patient_id_service_date
        ON healthcare.pharmacy_claims (patient_id, service_date);
    CREATE INDEX ix_pharmacy_claims_service_date_claim_status
        ON healthcare.pharmacy_claims (service_date, claim_status)
        INCLUDE (plan_paid);
    CREATE INDEX ix_pharmacy_claims_prescription_id
        ON healthcare.pharmacy_claims (prescription_id);
    CREATE INDEX ix_pharmacy_claims_pharmacy_id_service_date
        ON healthcare.pharmacy_claims (pharmacy_id, service_date);
    CREATE INDEX ix_pharmacy_claims_ndc
        ON healthcare.pharmacy_claims (ndc);
    -- Pending claims are few, and the adjudication queue reads them oldest
    -- first.
    CREATE INDEX ix_pharmacy_claims_pending
        ON healthcare.pharmacy_claims (submitted_at)
        WHERE claim_status = 'pending';
END;
GO

IF OBJECT_ID(N'healthcare.drug_interactions', N'U') IS NULL
BEGIN
    CREATE TABLE healthcare.drug_interactions (
        interaction_id bigint IDENTITY (1, 1) NOT NULL,
        medication_id_a bigint NOT NULL,
        medication_id_b bigint NOT NULL,
        severity varchar(20) NOT NULL,
        description nvarchar(400) NOT NULL,
        CONSTRAINT pk_drug_interactions PRIMARY KEY CLUSTERED (interaction_id),
        CONSTRAINT fk_drug_interactions_medication_id_a FOREIGN KEY (medication_id_a)
            REFERENCES healthcare.medications (medication_id),
        CONSTRAINT fk_drug_interactions_medication_id_b FOREIGN KEY (medication_id_b)
            REFERENCES healthcare.medications (medication_id),
        CONSTRAINT ck_drug_interactions_severity CHECK (
            severity IN ('minor', 'moderate', 'major', 'contraindicated')
        ),
        -- Each pair is stored once, lower id first.
        CONSTRAINT ck_drug_interactions_order
            CHECK (medication_id_a < medication_id_b),
        CONSTRAINT uq_drug_interactions_pair
            UNIQUE (medication_id_a, medication_id_b)
    );

    CREATE INDEX ix_drug_interactions_medication_id_b
        ON healthcare.drug_interactions (medication_id_b);
END;
GO

-- The plan's formulary: one row per covered NDC; tier 1 is preferred generic.
IF OBJECT_ID(N'healthcare.formulary', N'U') IS NULL
    CREATE TABLE healthcare.formulary (
        ndc char(11) NOT NULL,
        tier smallint NOT NULL,
        prior_auth_required bit NOT NULL
            CONSTRAINT df_formulary_prior_auth_required DEFAULT 0,
        effective_date date NOT NULL,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_formulary_updated_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_formulary PRIMARY KEY CLUSTERED (ndc),
        CONSTRAINT fk_formulary_ndc FOREIGN KEY (ndc)
            REFERENCES healthcare.medications (ndc),
        CONSTRAINT ck_formulary_tier CHECK (tier BETWEEN 1 AND 5)
    );
GO

-- Every change to the formulary with the values before and after: the sync
-- writes one per NDC it changes, and a revert writes the reverse change.
IF OBJECT_ID(N'healthcare.formulary_changes', N'U') IS NULL
BEGIN
    CREATE TABLE healthcare.formulary_changes (
        change_id bigint IDENTITY (1, 1) NOT NULL,
        ndc char(11) NOT NULL,
        tier_before smallint NULL,
        prior_auth_before bit NULL,
        tier_after smallint NOT NULL,
        prior_auth_after bit NOT NULL,
        changed_at datetime2(3) NOT NULL
            CONSTRAINT df_formulary_changes_changed_at DEFAULT SYSUTCDATETIME(),
        source nvarchar(200) NOT NULL,
        incident_id bigint NULL,
        drill_id bigint NULL,
        CONSTRAINT pk_formulary_changes PRIMARY KEY CLUSTERED (change_id)
    );

    CREATE INDEX ix_formulary_changes_ndc
        ON healthcare.formulary_changes (ndc, change_id);
END;
GO

-- Who read or changed which patient's record. No foreign key on patient_id:
-- the log outlives the records it mentions.
IF OBJECT_ID(N'healthcare.phi_access_log', N'U') IS NULL
BEGIN
    CREATE TABLE healthcare.phi_access_log (
        access_id bigint IDENTITY (1, 1) NOT NULL,
        accessed_at datetime2(3) NOT NULL
            CONSTRAINT df_phi_access_log_accessed_at DEFAULT SYSUTCDATETIME(),
        user_name nvarchar(128) NOT NULL,
        patient_id bigint NOT NULL,
        access_type varchar(10) NOT NULL,
        purpose nvarchar(100) NOT NULL,
        application nvarchar(100) NOT NULL,
        CONSTRAINT pk_phi_access_log PRIMARY KEY CLUSTERED (access_id),
        CONSTRAINT ck_phi_access_log_access_type
            CHECK (access_type IN ('view', 'update', 'export'))
    );

    CREATE INDEX ix_phi_access_log_accessed_at
        ON healthcare.phi_access_log (accessed_at);
END;
GO

IF OBJECT_ID(N'healthcare.phi_access_suspensions', N'U') IS NULL
    CREATE TABLE healthcare.phi_access_suspensions (
        user_name nvarchar(128) NOT NULL,
        suspended_at datetime2(3) NOT NULL
            CONSTRAINT df_phi_access_suspensions_suspended_at
            DEFAULT SYSUTCDATETIME(),
        reason nvarchar(400) NOT NULL,
        incident_id bigint NULL,
        CONSTRAINT pk_phi_access_suspensions PRIMARY KEY CLUSTERED (user_name)
    );
GO

-- Proportion of days covered per patient and drug class over a period,
-- written by the adherence pipeline (healthcare.etl_patient_adherence).
IF OBJECT_ID(N'healthcare.patient_adherence', N'U') IS NULL
    CREATE TABLE healthcare.patient_adherence (
        patient_id bigint NOT NULL,
        drug_class nvarchar(100) NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        index_date date NOT NULL,
        treatment_days int NOT NULL,
        covered_days int NOT NULL,
        pdc decimal(5, 4) NOT NULL,
        computed_at datetime2(3) NOT NULL
            CONSTRAINT df_patient_adherence_computed_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_patient_adherence
            PRIMARY KEY CLUSTERED (patient_id, drug_class, period_start, period_end),
        CONSTRAINT ck_patient_adherence_treatment_days
            CHECK (treatment_days >= 91),
        CONSTRAINT ck_patient_adherence_covered_days CHECK (covered_days >= 0),
        CONSTRAINT ck_patient_adherence_pdc CHECK (pdc BETWEEN 0 AND 1)
    );
GO

IF OBJECT_ID(N'healthcare.prior_authorizations', N'U') IS NULL
BEGIN
    CREATE TABLE healthcare.prior_authorizations (
        prior_authorization_id bigint IDENTITY (1, 1) NOT NULL,
        prescription_id bigint NOT NULL,
        status varchar(10) NOT NULL,
        requested_at datetime2(3) NOT NULL
            CONSTRAINT df_prior_authorizations_requested_at
            DEFAULT SYSUTCDATETIME(),
        decided_at datetime2(3) NULL,
        CONSTRAINT pk_prior_authorizations
            PRIMARY KEY CLUSTERED (prior_authorization_id),
        CONSTRAINT fk_prior_authorizations_prescription_id
            FOREIGN KEY (prescription_id)
            REFERENCES healthcare.prescriptions (prescription_id),
        CONSTRAINT ck_prior_authorizations_status
            CHECK (status IN ('pending', 'approved', 'denied')),
        -- A decision time is present exactly when the request is decided.
        CONSTRAINT ck_prior_authorizations_decided CHECK (
            (status = 'pending' AND decided_at IS NULL)
            OR (status <> 'pending' AND decided_at IS NOT NULL)
        ),
        CONSTRAINT ck_prior_authorizations_order
            CHECK (decided_at >= requested_at)
    );

    CREATE INDEX ix_prior_authorizations_prescription_id
        ON healthcare.prior_authorizations (prescription_id);
    CREATE INDEX ix_prior_authorizations_pending
        ON healthcare.prior_authorizations (requested_at)
        WHERE status = 'pending';
END;
GO

-- Commerce sample

IF OBJECT_ID(N'commerce.customers', N'U') IS NULL
    CREATE TABLE commerce.customers (
        customer_id bigint IDENTITY (1, 1) NOT NULL,
        email nvarchar(320) NULL,
        first_name nvarchar(100) NOT NULL,
        last_name nvarchar(100) NOT NULL,
        state char(2) NOT NULL,
        created_at datetime2(3) NOT NULL
            CONSTRAINT df_customers_created_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_customers PRIMARY KEY CLUSTERED (customer_id)
    );

    CREATE UNIQUE INDEX ux_customers_email
        ON commerce.customers (email) WHERE email IS NOT NULL;

IF OBJECT_ID(N'commerce.orders', N'U') IS NULL
BEGIN
    CREATE TABLE commerce.orders (
        order_id bigint IDENTITY (1, 1) NOT NULL,
        customer_id bigint NOT NULL,
        status varchar(10) NOT NULL CONSTRAINT df_orders_status DEFAULT 'placed',
        ordered_at datetime2(3) NOT NULL
            CONSTRAINT df_orders_ordered_at DEFAULT SYSUTCDATETIME(),
        total_amount decimal(12, 2) NOT NULL
            CONSTRAINT df_orders_total_amount DEFAULT 0,
        updated_at datetime2(3) NOT NULL
            CONSTRAINT df_orders_updated_at DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_orders PRIMARY KEY CLUSTERED (order_id),
        CONSTRAINT fk_orders_customer_id FOREIGN KEY (customer_id)
            REFERENCES commerce.customers (customer_id),
        CONSTRAINT ck_orders_status
            CHECK (status IN ('placed', 'shipped', 'delivered', 'cancelled')),
        CONSTRAINT ck_orders_total_amount CHECK (total_amount >= 0)
    );

    CREATE INDEX ix_orders_customer_id ON commerce.orders (customer_id);
    CREATE INDEX ix_orders_ordered_at ON commerce.orders (ordered_at);
END;

IF OBJECT_ID(N'commerce.order_items', N'U') IS NULL
BEGIN
    CREATE TABLE commerce.order_items (
        order_id bigint NOT NULL,
        line_number smallint NOT NULL,
        sku varchar(20) NOT NULL,
        product_name nvarchar(200) NOT NULL,
        quantity int NOT NULL,
        unit_price decimal(12, 2) NOT NULL,
        CONSTRAINT pk_order_items PRIMARY KEY CLUSTERED (order_id, line_number),
        CONSTRAINT fk_order_items_order_id FOREIGN KEY (order_id)
            REFERENCES commerce.orders (order_id) ON DELETE CASCADE,
        CONSTRAINT ck_order_items_line_number CHECK (line_number > 0),
        CONSTRAINT ck_order_items_quantity CHECK (quantity > 0),
        CONSTRAINT ck_order_items_unit_price CHECK (unit_price >= 0)
    );

    CREATE INDEX ix_order_items_sku ON commerce.order_items (sku);
END;
GO

-- Rows that remediation moved out of their table (failed a validation rule or
-- belong to a suspect batch), as JSON; releasing a row puts it back.
IF OBJECT_ID(N'dbo.warroom_quarantine', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.warroom_quarantine (
        quarantine_id bigint IDENTITY (1, 1) NOT NULL,
        source_table nvarchar(256) NOT NULL,
        row_key nvarchar(max) NOT NULL,
        row_data nvarchar(max) NOT NULL,
        reason nvarchar(400) NOT NULL,
        incident_id bigint NULL,
        drill_id bigint NULL,
        quarantined_at datetime2(3) NOT NULL
            CONSTRAINT df_warroom_quarantine_quarantined_at
            DEFAULT SYSUTCDATETIME(),
        CONSTRAINT pk_warroom_quarantine PRIMARY KEY CLUSTERED (quarantine_id),
        CONSTRAINT ck_warroom_quarantine_row_key CHECK (ISJSON(row_key) = 1),
        CONSTRAINT ck_warroom_quarantine_row_data CHECK (ISJSON(row_data) = 1)
    );

    CREATE INDEX ix_warroom_quarantine_source_table
        ON dbo.warroom_quarantine (source_table, quarantined_at);
END;
GO
