-- Scheduled job runs: one row per run, missed run or refused overlap.

CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,
    trigger TEXT NOT NULL,
    actor TEXT NOT NULL,
    status TEXT NOT NULL,
    scheduled_at TEXT,
    started_at TEXT,
    ended_at TEXT,
    rows INTEGER,
    lateness_seconds REAL,
    detail TEXT NOT NULL DEFAULT '',
    error TEXT
);

CREATE INDEX job_runs_job ON job_runs (job, id);
