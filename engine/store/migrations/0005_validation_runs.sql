-- Validation history for trends: one row per run of the rules, and one per
-- rule in that run with its outcome and violation count. Pruned by age with
-- the snapshots' retention; deleting a run deletes its results.

CREATE TABLE validation_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    run_at TEXT NOT NULL,
    seconds REAL NOT NULL,
    evaluated INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    pass_percent REAL
);

CREATE INDEX validation_runs_run_at ON validation_runs (target, run_at);

CREATE TABLE validation_results (
    run_id INTEGER NOT NULL REFERENCES validation_runs (id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    outcome TEXT NOT NULL,
    violations INTEGER NOT NULL,
    PRIMARY KEY (run_id, rule)
);

CREATE INDEX validation_results_rule ON validation_results (rule, run_id);
