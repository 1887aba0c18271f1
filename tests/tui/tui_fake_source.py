"""A WarRoomSource with fixed data and a fixed clock, for snapshot tests.

Nothing here reads a database or the wall clock, so the screen it produces
is the same on every run.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.chaos.drills import ScenarioState
from engine.chaos.interlocks import UnknownScenario
from engine.config import WarroomConfig, load_config
from engine.events import EventBus, PollCompleted
from engine.governance.lineage import LineageReport, LineageRow
from engine.governance.monitor import CATEGORIES
from engine.healthcare.figures import ClaimCounts, evaluate_counts
from engine.healthcare.monitor import HealthcareReading
from engine.incidents.models import (
    Incident,
    IncidentNotFound,
    PostmortemNotFound,
    PostmortemSummary,
    Status,
    TimelineEntry,
    check_transition,
)
from engine.incidents.sla import SlaReport, sla_report
from engine.jobs.cron import build_trigger
from engine.jobs.models import JobNotFound, JobState
from engine.monitor.graph import build_graph
from engine.paths import CONFIG_DIR
from engine.remediation.actions import ActionResult
from engine.store.drills import DrillRecord
from engine.store.governance import (
    FIRST_SCAN_ACTOR,
    CatalogEntry,
    ColumnNotFound,
    ScannedColumn,
    ScanRecord,
)
from engine.store.jobs import JobRunRecord, RunStatus
from engine.targets.models import Counters, Figure, HealthSnapshot, Session
from engine.validation.cycle import ChecksCompleted
from engine.validation.models import RuleResult, Scorecard

NOW = datetime(2025, 3, 14, 3, 0, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return NOW


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def _session(session_id: int, **fields: Any) -> Session:
    values: dict[str, Any] = {
        "login": "app",
        "host": "10.0.0.5",
        "program": "claims-api",
        "database": "pharmacy",
        "state": "active",
        "command": None,
        "wait_type": None,
        "wait_seconds": None,
        "elapsed_seconds": 0.4,
        "open_transactions": 0,
        "blocked_by": (),
        "sql_text": None,
    }
    values.update(fields)
    return Session(session_id=session_id, **values)


SESSIONS = (
    _session(
        101,
        program="billing",
        state="idle in transaction",
        open_transactions=1,
        transaction_seconds=96.0,
        wait_type="Client:ClientRead",
        elapsed_seconds=95.0,
        sql_text="UPDATE healthcare.pharmacy_claims SET claim_status = 'paid' "
        "WHERE claim_id = 42",
    ),
    _session(
        102,
        wait_type="Lock:transactionid",
        wait_seconds=94.2,
        elapsed_seconds=94.2,
        blocked_by=(101,),
        sql_text="UPDATE healthcare.pharmacy_claims SET updated_at = now() "
        "WHERE claim_id = 42",
    ),
    _session(
        103,
        wait_type="Lock:tuple",
        wait_seconds=60.0,
        elapsed_seconds=60.0,
        blocked_by=(101, 102),
        sql_text="SELECT * FROM claims[1] FOR UPDATE",
    ),
    _session(
        104,
        login="etl",
        program="nightly-load",
        wait_type="Lock:relation",
        wait_seconds=3.0,
        elapsed_seconds=3.0,
        blocked_by=(-2,),
        sql_text="TRUNCATE staging.claims",
    ),
    _session(
        105,
        wait_type="Lock:transactionid",
        wait_seconds=1.5,
        blocked_by=(106,),
        sql_text="UPDATE a SET x = 1",
    ),
    _session(
        106,
        wait_type="Lock:transactionid",
        wait_seconds=1.4,
        blocked_by=(105,),
        sql_text="UPDATE b SET x = 1",
    ),
    _session(
        110,
        login="report",
        program="metabase",
        elapsed_seconds=45.0,
        sql_text="SELECT pharmacy_id, count(*) FROM healthcare.pharmacy_claims "
        "GROUP BY 1",
    ),
    _session(99, login="warroom", program="warroom", sql_text="SELECT 1"),
    _session(
        12,
        login=None,
        program=None,
        state="active",
        backend_type="checkpointer",
        is_system=True,
    ),
)

COUNTERS = Counters(
    connections=Figure(18),
    max_connections=Figure(100),
    active_requests=Figure(7),
    cpu_percent=Figure(76.0),
    memory_percent=Figure.unavailable("server runs on another host"),
    temp_space_mb=Figure(0),
    transactions_per_second=Figure(120.0),
    deadlocks=Figure(0),
    cache_hit_ratio=Figure(99.2),
    database_size_mb=Figure(25.4),
)

SERIES: dict[str, list[float | None]] = {
    "cpu_percent": [22, 25, 31, 30, 44, 52, 61, 58, 66, 71, 74, 76],
    "memory_percent": [None] * 12,
    "connections": [9, 9, 10, 10, 11, 12, 12, 14, 15, 16, 18, 18],
    "active_requests": [1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 7],
    "blocked_sessions": [0, 0, 0, 1, 2, 2, 3, 3, 4, 5, 5, 5],
    "long_queries": [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2],
    "transactions_per_second": [120.0] * 12,
    "deadlocks": [0] * 12,
}


def _entry(seconds: float, actor: str, action: str, message: str) -> TimelineEntry:
    return TimelineEntry(ago(seconds), actor, action, message)


def _incident(
    incident_id: int,
    kind: str,
    status: Status,
    severity: str,
    title: str,
    detected: float,
    occurrences: int,
    **fields: Any,
) -> Incident:
    return Incident(
        id=incident_id,
        kind=kind,
        dedup_key=f"{kind}:{incident_id}",
        status=status,
        severity=severity,
        title=title,
        root_cause=fields.pop("root_cause", f"{kind} root cause"),
        target="demo",
        session_id=fields.pop("session_id", None),
        metrics={},
        peak={},
        started_at=ago(detected + 2),
        detected_at=ago(detected),
        last_seen_at=ago(1),
        occurrences=occurrences,
        timeline=[_entry(detected, "engine", "detected", title)],
        **fields,
    )


def _incidents() -> dict[int, Incident]:
    items = [
        _incident(
            3,
            "connections",
            Status.ESCALATED,
            "warning",
            "18 of 100 connections (limit 20)",
            1000,
            240,
            escalated_at=ago(100),
        ),
        _incident(
            6,
            "long_query",
            Status.INVESTIGATING,
            "warning",
            "session 110 report@10.0.0.5 (metabase) running 45 s",
            300,
            60,
            session_id=110,
        ),
        _incident(
            7,
            "blocking",
            Status.DETECTED,
            "critical",
            "session 101 app@10.0.0.5 (billing) blocks 5 session(s)",
            95,
            12,
            session_id=101,
            root_cause="session 101 is idle in an open transaction (95 s) "
            "while holding locks others need",
        ),
        _incident(
            4,
            "deadlock",
            Status.RESOLVED,
            "critical",
            "1 deadlock(s) in pharmacy since the last poll",
            4000,
            1,
            resolved_at=ago(3990),
        ),
        _incident(
            2,
            "blocking",
            Status.RESOLVED,
            "warning",
            "session 88 app@10.0.0.7 (claims-api) blocks 2 session(s)",
            7000,
            9,
            resolved_at=ago(6980),
            drill_id=1,
        ),
    ]
    return {item.id: item for item in items}


SCENARIOS = [
    ScenarioState(
        "long_running_query",
        "Long Running Query",
        "One session holds a row lock and sleeps while others queue behind it.",
        True,
        10,
        0,
        False,
    ),
    ScenarioState(
        "connection_flood",
        "Connection Flood",
        "Opens idle connections from one application until the count alarms.",
        True,
        10,
        8,
        False,
    ),
    ScenarioState(
        "deadlock",
        "Deadlock",
        "Two sessions lock rows in opposite order; the server picks a victim.",
        False,
        10,
        0,
        False,
    ),
]

LAST_DRILL = DrillRecord(
    id=2,
    scenario="deadlock",
    target="demo",
    actor="oncall",
    status="passed",
    started_at=ago(4010),
    injected_at=ago(4005),
    detected_at=ago(4004.2),
    remediated_at=ago(4001),
    resolved_at=ago(3997.5),
    rolled_back_at=ago(3997),
    ended_at=ago(3997),
    incident_id=4,
)


# One run of each kind a job's history contains, newest last.
STATISTICS_RUNS = (
    JobRunRecord(
        id=3,
        job="statistics_maintenance",
        trigger="scheduled",
        actor="scheduler",
        status=RunStatus.SUCCEEDED,
        scheduled_at=ago(4 * 86400),
        started_at=ago(4 * 86400 - 0.2),
        ended_at=ago(4 * 86400 - 42),
        rows=1_204_330,
    ),
    JobRunRecord(
        id=4,
        job="statistics_maintenance",
        trigger="scheduled",
        actor="scheduler",
        status=RunStatus.MISSED,
        scheduled_at=ago(3 * 86400),
        lateness_seconds=125.0,
        detail="the scheduler was paused",
    ),
    JobRunRecord(
        id=5,
        job="statistics_maintenance",
        trigger="manual",
        actor="oncall",
        status=RunStatus.SUCCEEDED,
        started_at=ago(2 * 86400),
        ended_at=ago(2 * 86400 - 12.5),
        rows=88,
    ),
    JobRunRecord(
        id=6,
        job="statistics_maintenance",
        trigger="scheduled",
        actor="scheduler",
        status=RunStatus.SKIPPED_OVERLAP,
        scheduled_at=ago(2 * 86400 - 5),
        detail="run 5 was still running",
    ),
    JobRunRecord(
        id=7,
        job="statistics_maintenance",
        trigger="scheduled",
        actor="scheduler",
        status=RunStatus.FAILED,
        scheduled_at=ago(3600),
        started_at=ago(3600),
        ended_at=ago(3590),
        error="canceling statement due to statement timeout",
    ),
)


def _rule(rule: str, table: str, type_: str, outcome: str, **fields: Any) -> RuleResult:
    return RuleResult(
        rule, table, type_, fields.pop("severity", "warning"), outcome, **fields
    )  # type: ignore[arg-type]


# Two critical failures, one warning failure, a rule not evaluated and two
# passes.
RULE_RESULTS = (
    _rule(
        "npi_check_digit",
        "healthcare.dim_provider",
        "custom_sql",
        "fail",
        severity="critical",
        violations=3,
        rows_checked=120,
        samples=({"provider_id": 17}, {"provider_id": 42}, {"provider_id": 88}),
        detail="3 row(s) match the predicate",
    ),
    _rule(
        "claims_quantity_range",
        "healthcare.pharmacy_claims",
        "range_check",
        "fail",
        violations=12,
        rows_checked=5000,
        nulls_skipped=4,
        samples=tuple({"claim_id": 1000 + index} for index in range(10)),
        detail="12 row(s) outside 1..1000",
    ),
    _rule(
        "prescription_patient_exists",
        "healthcare.prescriptions",
        "referential",
        "fail",
        severity="critical",
        violations=1,
        rows_checked=900,
        samples=({"prescription_id": 7},),
        detail="1 row(s) point at no healthcare.patients.patient_id",
    ),
    _rule(
        "claims_fresh",
        "healthcare.pharmacy_claims",
        "freshness",
        "not evaluated",
        detail="the column has no value",
    ),
    _rule(
        "customers_email_present",
        "commerce.customers",
        "null_check",
        "pass",
        rows_checked=250,
    ),
    _rule(
        "orders_total_range",
        "commerce.orders",
        "range_check",
        "pass",
        rows_checked=800,
        nulls_skipped=2,
    ),
)

SCORECARD = Scorecard(run_at=ago(12), seconds=0.84, results=RULE_RESULTS)


def _column(
    table: str,
    name: str,
    data_type: str,
    category: str | None = None,
    confidence: float | None = None,
    reason: str | None = None,
    classification: str | None = None,
    classified_by: str | None = FIRST_SCAN_ACTOR,
) -> CatalogEntry:
    schema, _, table_name = table.partition(".")
    column = ScannedColumn(
        table_schema=schema,
        table_name=table_name,
        table_type="BASE TABLE",
        column_name=name,
        ordinal=1,
        data_type=data_type,
        is_nullable=True,
        category=category,
        confidence=confidence,
        reason=reason,
        detected_by="classifier" if category else None,
    )
    classified = classification is not None
    return CatalogEntry(
        column=column,
        first_seen_at=ago(86_400),
        classification=classification,
        classification_reason="detected on the first scan" if classified else None,
        classified_by=classified_by if classified else None,
        classified_at=ago(86_400) if classified else None,
    )


# healthcare.patients as the masked export reads it, a phone column added
# after the first scan and not classified yet, and two columns without PHI.
CATALOG = (
    _column("healthcare.patients", "patient_id", "integer"),
    _column(
        "healthcare.patients",
        "member_id",
        "character varying",
        "member_id",
        0.95,
        "name is member_id; 100 of 100 sampled values match",
        "member_id",
    ),
    _column(
        "healthcare.patients",
        "first_name",
        "character varying",
        "person_name",
        0.9,
        "name is first_name",
        "person_name",
    ),
    _column(
        "healthcare.patients",
        "date_of_birth",
        "date",
        "date_of_birth",
        0.95,
        "name is date_of_birth; sampled values are dates",
        "date_of_birth",
    ),
    _column(
        "healthcare.patients",
        "gender",
        "character varying",
        "person_name",
        0.3,
        "2 of 100 sampled values look like names",
        "none",
        "alice",
    ),
    _column(
        "healthcare.patients",
        "state",
        "character varying",
        "address",
        0.6,
        "name is state",
        "address",
    ),
    _column(
        "healthcare.pharmacies",
        "contact_phone",
        "text",
        "phone",
        0.85,
        "name contains phone; 40 of 40 sampled values match a phone number",
    ),
    _column("healthcare.pharmacy_claims", "claim_id", "bigint"),
    _column(
        "healthcare.pharmacy_claims",
        "submitted_at",
        "timestamp with time zone",
    ),
)

CATALOG_SCAN = ScanRecord(
    id=7,
    target="demo",
    scanned_at=ago(300),
    tables=3,
    columns=len(CATALOG),
    added=1,
    dropped=0,
    sampled_tables=3,
)


def _run(
    run_id: int,
    pipeline: str,
    source: str,
    target: str,
    counts: tuple[int, int, int],
    ended_seconds_ago: float,
    duration_ms: float,
) -> LineageRow:
    read, written, rejected = counts
    ended = ago(ended_seconds_ago)
    return LineageRow(
        run_id=run_id,
        pipeline=pipeline,
        source=source,
        target=target,
        rows_read=read,
        rows_written=written,
        rows_rejected=rejected,
        started_at=ended - timedelta(milliseconds=duration_ms),
        ended_at=ended,
        duration_ms=duration_ms,
    )


# Newest first, as the engine returns them; claim_ingestion ran twice.
LINEAGE = LineageReport(
    rows=[
        _run(
            31,
            "claim_ingestion",
            "staging.claims_raw",
            "healthcare.pharmacy_claims",
            (1250, 1238, 12),
            600,
            840.0,
        ),
        _run(
            30,
            "dim_patient",
            "healthcare.patients",
            "healthcare.dim_patient",
            (800, 3, 0),
            1800,
            210.0,
        ),
        _run(
            29,
            "claim_ingestion",
            "staging.claims_raw",
            "healthcare.pharmacy_claims",
            (900, 900, 0),
            3600,
            700.0,
        ),
        _run(
            28,
            "patient_adherence",
            "healthcare.pharmacy_claims",
            "healthcare.patient_adherence",
            (2_400_000, 45_000, 0),
            7200,
            12_500.0,
        ),
    ],
    note="from healthcare.etl_lineage, newest run first",
)


class FakeChecks:
    def __init__(
        self, scorecard: Scorecard | None = SCORECARD, error: str | None = None
    ) -> None:
        self.scorecard = scorecard
        self.error = error
        self.running = False


class FakeHistory:
    def series(self, name: str) -> list[float | None]:
        return list(SERIES[name])


class FakeSource:
    """Satisfies ``warroom.tui.source.WarRoomSource`` with fixed data."""

    def __init__(self, config: WarroomConfig | None = None) -> None:
        self.config = config or load_config(CONFIG_DIR, environ={})
        self.bus = EventBus()
        self.history = FakeHistory()
        snapshot = HealthSnapshot(
            taken_at=ago(0.6),
            target="demo",
            database="pharmacy",
            sessions=SESSIONS,
            counters=COUNTERS,
            own_session_ids=frozenset({99}),
            duration_ms=14.0,
        )
        self.last_poll: PollCompleted | None = PollCompleted(
            snapshot, build_graph(SESSIONS), ()
        )
        self.last_error: str | None = None
        self.link_error: str | None = None
        self.incidents = _incidents()
        self.triggered: list[tuple[str, str]] = []
        self.jobs_triggered: list[tuple[str, str]] = []
        self.calls: list[tuple[str, int, str]] = []
        self.job_runs: dict[str, list[JobRunRecord]] = {
            "statistics_maintenance": list(STATISTICS_RUNS)
        }
        self.history_reads: list[str] = []
        self.checks = FakeChecks()
        self.checks_run = 0
        self.catalog_entries: list[CatalogEntry] = list(CATALOG)
        self.catalog_scan: ScanRecord | None = CATALOG_SCAN
        self.catalog_scans: list[str] = []
        self.classified: list[tuple[str, str, str, str]] = []
        self.lineage_report = LINEAGE

    @property
    def target_name(self) -> str:
        return "demo"

    @property
    def current_drill(self) -> DrillRecord | None:
        return None

    def open_incidents(self) -> list[Incident]:
        return [item for item in self.incidents.values() if item.is_open]

    def get_incident(self, incident_id: int) -> Incident:
        if incident_id not in self.incidents:
            raise IncidentNotFound(incident_id)
        return self.incidents[incident_id]

    def _move(self, incident_id: int, status: Status, actor: str) -> Incident:
        incident = self.get_incident(incident_id)
        check_transition(incident_id, incident.status, status)
        incident.status = status
        self.calls.append((status.value, incident_id, actor))
        return incident

    def investigate(self, incident_id: int, actor: str) -> Incident:
        return self._move(incident_id, Status.INVESTIGATING, actor)

    def escalate(self, incident_id: int, actor: str, reason: str = "") -> Incident:
        return self._move(incident_id, Status.ESCALATED, actor)

    def resolve(self, incident_id: int, actor: str, note: str = "") -> Incident:
        return self._move(incident_id, Status.RESOLVED, actor)

    async def remediate(
        self, incident_id: int, actor: str, dry_run: bool | None = None
    ) -> ActionResult:
        self.get_incident(incident_id)
        if dry_run is None:
            dry_run = self.config.warroom.remediation.dry_run
        if dry_run:
            self.calls.append(("dry run", incident_id, actor))
            return ActionResult(
                "kill_blocking_session", True, True, "would terminate [101]"
            )
        self.calls.append(("remediate", incident_id, actor))
        return ActionResult("kill_blocking_session", False, True, "terminated [101]")

    def postmortem(self, incident_id: int) -> str:
        incident = self.get_incident(incident_id)
        if incident.is_open:
            raise PostmortemNotFound(f"incident {incident_id} is {incident.status}")
        return (
            f"# Postmortem: incident {incident.id}: {incident.title}\n\n"
            f"## Root cause\n\n{incident.root_cause}\n"
        )

    def recent_postmortems(self, limit: int = 10) -> list[PostmortemSummary]:
        resolved = [item for item in self.incidents.values() if not item.is_open]
        resolved.sort(key=lambda item: item.resolved_at or NOW, reverse=True)
        return [
            PostmortemSummary(
                incident_id=item.id,
                title=item.title,
                kind=item.kind,
                written_at=item.resolved_at,
                started_at=item.started_at,
                detected_at=item.detected_at,
                resolved_at=item.resolved_at,
            )
            for item in resolved[:limit]
        ]

    def scenarios(self) -> list[ScenarioState]:
        return list(SCENARIOS)

    def trigger_drill(self, scenario: str, actor: str) -> object:
        self.triggered.append((scenario, actor))
        return None

    def list_jobs(self) -> list[JobState]:
        # Next runs from each job's cron line after the fixed clock, so some
        # are today and some on later days, and one failed run.
        states = []
        for job in self.config.jobs.jobs:
            runs = self.job_runs.get(job.name, [])
            last = max(runs, key=lambda run: run.id) if runs else None
            states.append(
                JobState(
                    name=job.name,
                    description=job.description,
                    cron=job.cron,
                    timezone=job.timezone,
                    action=job.action,
                    enabled=job.enabled,
                    critical=job.critical,
                    timeout_seconds=job.timeout_seconds,
                    next_run_at=_next_run(job.cron, job.timezone)
                    if job.enabled
                    else None,
                    last_run=last,
                    running=False,
                )
            )
        return states

    def job_history(self, name: str, limit: int = 50) -> list[JobRunRecord]:
        if name not in {job.name for job in self.config.jobs.jobs}:
            raise JobNotFound(name, [job.name for job in self.config.jobs.jobs])
        self.history_reads.append(name)
        runs = self.job_runs.get(name, [])
        return sorted(runs, key=lambda run: -run.id)[:limit]

    def trigger_job(self, name: str, actor: str) -> JobRunRecord:
        self.jobs_triggered.append((name, actor))
        return JobRunRecord(
            id=8,
            job=name,
            trigger="manual",
            actor=actor,
            status=RunStatus.RUNNING,
            started_at=NOW,
        )

    def healthcare_reading(self) -> HealthcareReading:
        # A rejection rate over its limit, so one card shows a breach.
        read_at = ago(40)
        counts = ClaimCounts(
            read_at, 1403, 412, 70, 1108, 903, read_at.date(), 3586, 2869
        )
        settings = self.config.warroom.healthcare
        evaluation = evaluate_counts(counts, settings, "demo")
        return HealthcareReading(evaluation.figures, read_at)

    def sla(self, hours: int = 24) -> SlaReport | None:
        incidents = list(self.incidents.values())
        return sla_report(incidents, self.config.warroom.sla, NOW, hours)

    async def run_checks(self) -> ChecksCompleted:
        self.checks_run += 1
        completed = ChecksCompleted(self.checks.scorecard, (), self.checks.error)
        self.bus.publish(completed)
        return completed

    def last_catalog_scan(self) -> ScanRecord | None:
        return self.catalog_scan

    def catalog(self) -> list[CatalogEntry]:
        return list(self.catalog_entries)

    def phi_columns(self) -> list[CatalogEntry]:
        # The engine's rule: at or above min_confidence, or classified as PHI.
        limit = self.config.warroom.governance.min_confidence
        return [
            entry
            for entry in self.catalog_entries
            if (entry.column.confidence or 0) >= limit
            or entry.classification not in (None, "none")
        ]

    async def lineage(self, max_rows: int = 100) -> LineageReport:
        rows = self.lineage_report.rows[:max_rows]
        return LineageReport(rows=rows, note=self.lineage_report.note)

    async def scan_catalog(self, actor: str = "engine") -> ScanRecord:
        self.catalog_scans.append(actor)
        previous = self.catalog_scan
        self.catalog_scan = ScanRecord(
            id=(previous.id if previous else 0) + 1,
            target="demo",
            scanned_at=NOW,
            tables=3,
            columns=len(self.catalog_entries),
            added=0,
            dropped=0,
            sampled_tables=3,
        )
        return self.catalog_scan

    def classify_column(
        self, table: str, column: str, category: str, actor: str, reason: str = ""
    ) -> None:
        """Record the call as (table, column, category, actor) and update the
        entry, with the engine's errors."""
        self.classified.append((table, column, category, actor))
        if category not in CATEGORIES:
            raise ValueError(f"category {category!r} is unknown")
        schema, _, name = table.partition(".")
        for index, entry in enumerate(self.catalog_entries):
            if entry.column.key == (schema, name, column):
                self.catalog_entries[index] = replace(
                    entry,
                    classification=category,
                    classification_reason=reason,
                    classified_by=actor,
                    classified_at=NOW,
                )
                return
        raise ColumnNotFound(f"column {table}.{column} is not in the catalog")

    def random_scenario(self) -> str:
        ready = [item.name for item in SCENARIOS if item.enabled]
        if not ready:
            raise UnknownScenario("no enabled scenario is past its cooldown")
        return ready[0]

    def drill_history(
        self, scenario: str | None = None, limit: int = 50
    ) -> list[DrillRecord]:
        return [LAST_DRILL][:limit]


def _next_run(cron: str, timezone: str) -> datetime | None:
    trigger = build_trigger(cron, timezone)
    return trigger.get_next_fire_time(None, NOW + timedelta(seconds=1))


def _scenario(
    name: str,
    *,
    enabled: bool = True,
    cooldown_remaining: float = 0,
    running: bool = False,
    blocked_by: str | None = None,
) -> ScenarioState:
    title = name.replace("_", " ").title()
    return ScenarioState(
        name,
        title,
        f"{title} drill.",
        enabled,
        120,
        cooldown_remaining,
        running,
        blocked_by,
    )


# The nine scenarios of the chaos catalog, one in each state the panel shows.
NINE = (
    _scenario("long_running_query"),
    _scenario("connection_flood", cooldown_remaining=95),
    _scenario("deadlock", blocked_by="another drill is running on demo"),
    _scenario("data_corruption"),
    _scenario("orphaned_records", enabled=False),
    _scenario("job_failure"),
    _scenario("claim_volume_spike", running=True),
    _scenario("phi_exposure"),
    _scenario("formulary_change", blocked_by="another drill is running on demo"),
)

RUNNING = DrillRecord(
    id=12,
    scenario="claim_volume_spike",
    target="demo",
    actor="oncall",
    status="running",
    started_at=ago(30),
    injected_at=ago(28),
    detected_at=ago(26.8),
)


class NineScenarios(FakeSource):
    """The fake source with the full chaos catalog and a drill running."""

    def scenarios(self) -> list[ScenarioState]:
        return list(NINE)

    @property
    def current_drill(self) -> DrillRecord | None:
        return RUNNING
