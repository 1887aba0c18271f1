-- The engine's own state: incidents, timelines, postmortems, snapshots,
-- drills and the drill rollback journal.

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    root_cause TEXT NOT NULL,
    target TEXT NOT NULL,
    session_id INTEGER,
    metrics TEXT NOT NULL DEFAULT '{}',
    peak TEXT NOT NULL DEFAULT '{}',
    started_at TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    occurrences INTEGER NOT NULL DEFAULT 1,
    clear_polls INTEGER NOT NULL DEFAULT 0,
    escalated_at TEXT,
    resolved_at TEXT,
    drill_id INTEGER
);

CREATE INDEX incidents_open ON incidents (status) WHERE status <> 'RESOLVED';
CREATE INDEX incidents_dedup ON incidents (dedup_key);

CREATE TABLE incident_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    message TEXT NOT NULL DEFAULT ''
);

CREATE INDEX incident_events_incident ON incident_events (incident_id, id);

CREATE TABLE postmortems (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
    written_at TEXT NOT NULL,
    markdown TEXT NOT NULL
);

CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    figures TEXT NOT NULL
);

CREATE INDEX snapshots_taken ON snapshots (target, taken_at);

CREATE TABLE drills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scenario TEXT NOT NULL,
    target TEXT NOT NULL,
    actor TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    injected_at TEXT,
    detected_at TEXT,
    remediated_at TEXT,
    resolved_at TEXT,
    rolled_back_at TEXT,
    ended_at TEXT,
    incident_id INTEGER,
    error TEXT
);

CREATE INDEX drills_scenario ON drills (scenario, started_at);

CREATE TABLE drill_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    drill_id INTEGER NOT NULL REFERENCES drills (id),
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    original TEXT NOT NULL,
    restored_at TEXT
);
