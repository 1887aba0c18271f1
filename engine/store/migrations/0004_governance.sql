-- The catalog of the monitored target, its PHI classification and the
-- changes between scans. One target's current catalog is the rows of
-- catalog_columns with its name; a scan replaces them.

CREATE TABLE catalog_scans (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    tables INTEGER NOT NULL,
    columns INTEGER NOT NULL,
    added INTEGER NOT NULL,
    dropped INTEGER NOT NULL,
    sampled_tables INTEGER NOT NULL,
    -- Tables whose sample could not be read, with the reason; JSON object.
    sample_errors TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX catalog_scans_target ON catalog_scans (target, id);

-- detected_*: what the classifier made of the column in the last scan;
-- detected_category is NULL when it found nothing.
CREATE TABLE catalog_columns (
    target TEXT NOT NULL,
    table_schema TEXT NOT NULL,
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    table_type TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    data_type TEXT NOT NULL,
    is_nullable INTEGER NOT NULL,
    first_scan_id INTEGER NOT NULL REFERENCES catalog_scans (id),
    scan_id INTEGER NOT NULL REFERENCES catalog_scans (id),
    detected_category TEXT,
    detected_confidence REAL,
    detected_reason TEXT,
    detected_by TEXT,
    PRIMARY KEY (target, table_schema, table_name, column_name)
);

-- A column added or dropped between two scans of one target.
CREATE TABLE catalog_changes (
    id INTEGER PRIMARY KEY,
    scan_id INTEGER NOT NULL REFERENCES catalog_scans (id),
    target TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('added', 'dropped')),
    table_schema TEXT NOT NULL,
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    data_type TEXT NOT NULL
);

CREATE INDEX catalog_changes_target ON catalog_changes (target, id);

-- The accepted classification of a column: 'none' records that a column the
-- classifier flagged holds no PHI. classified_by is a user's name or the
-- classifier that recorded the first scan.
CREATE TABLE column_classifications (
    target TEXT NOT NULL,
    table_schema TEXT NOT NULL,
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    category TEXT NOT NULL,
    confidence REAL,
    reason TEXT NOT NULL,
    classified_by TEXT NOT NULL,
    classified_at TEXT NOT NULL,
    PRIMARY KEY (target, table_schema, table_name, column_name)
);
