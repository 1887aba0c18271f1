"""The work a job does, by action name.

An action is an async callable that takes the narrow JobContext and the
job's params and returns a JobOutput. An action that fails raises, and the runner
records the exception's message as the run's error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.config.models import WarroomConfig
from engine.etl.incident_metrics import run_incident_metrics
from engine.etl.pipelines import (
    BatchesNotLoaded,
    Lineage,
    run_claim_ingestion,
    run_dim_patient,
    run_patient_adherence,
    run_summaries,
)
from engine.etl.warehouse import run_warehouse_load, update_statistics
from engine.governance.phi_audit import phi_anomalies
from engine.incidents.models import Incident
from engine.remediation.actions import cleanup_stale
from engine.store.database import utc_now
from engine.store.governance import ScanRecord
from engine.store.snapshots import SnapshotRepository
from engine.targets.base import Target
from engine.targets.sqlfiles import load_statement

DEMO_SCHEMAS = ("healthcare", "commerce")
CATALOG_SCAN_ACTOR = "job catalog_scan"
"""The actor the catalog_scan job's governance scans are logged under."""


class JobActionError(Exception):
    """A job's action failed. The message states why and what to do next."""


@dataclass
class JobContext:
    """The part of the engine an action may use: target, config and snapshots."""

    target: Target
    config: WarroomConfig
    snapshots: SnapshotRepository
    snapshot_now: Callable[[], Awaitable[Any]]
    """Engine.snapshot_now: one poll, or None when the target was not read."""
    last_error: Callable[[], str | None]
    run_checks: Callable[[], Awaitable[Any]] | None = None
    """Engine.run_checks: the validation rules and the data checks."""
    incidents_since: Callable[[datetime], list[Incident]] | None = None
    """The store's incidents detected at or after a moment, with timelines."""
    scan_catalog: Callable[[str], Awaitable[ScanRecord]] | None = None
    """Engine.scan_catalog: the PHI governance scan, under an actor name."""
    job_succeeded: Callable[[str], None] | None = None
    """Called with the action's name after a run succeeded, so the engine
    reads again what the run changed (Engine's _job_succeeded)."""


@dataclass(frozen=True)
class JobOutput:
    rows: int
    detail: str = ""


Action = Callable[[JobContext, dict[str, Any]], Awaitable[JobOutput]]


async def health_snapshot(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Take one poll now, as the poll loop does."""
    result = await context.snapshot_now()
    if result is None:
        raise JobActionError(
            f"snapshot of target {context.target.name} failed: "
            f"{context.last_error() or 'no error recorded'}"
        )
    sessions = len(result.snapshot.sessions)
    return JobOutput(
        sessions, f"{sessions} session(s), {len(result.findings)} finding(s)"
    )


async def cleanup_stale_sessions(
    context: JobContext, params: dict[str, Any]
) -> JobOutput:
    """Terminate idle sessions of one application, with remediation's guards."""
    application = params.get("application")
    if not application:
        raise JobActionError(
            "params.application is missing; name the application whose idle "
            "sessions to end in config/jobs.yaml"
        )
    idle_seconds = float(params.get("idle_seconds", 600))
    result = await cleanup_stale(
        context.target,
        str(application),
        idle_seconds,
        allow_cross_database=context.config.target.allow_cross_database_kill,
    )
    if result.succeeded:
        return JobOutput(len(result.terminated), result.message)
    if result.retryable:
        # Nothing idle long enough: a normal outcome for a cleanup job.
        return JobOutput(0, result.message)
    raise JobActionError(result.message)


async def snapshot_retention(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Delete stored poll figures older than monitor.snapshot_retention_hours."""
    hours = context.config.warroom.monitor.snapshot_retention_hours
    deleted = context.snapshots.prune(utc_now(), hours)
    return JobOutput(deleted, f"deleted figures older than {hours:g} h")


async def statistics_maintenance(
    context: JobContext, params: dict[str, Any]
) -> JobOutput:
    """Refresh optimizer statistics of every table in the given schemas.

    The target's catalog lists the tables and quotes their names; the
    statement is ANALYZE on PostgreSQL and UPDATE STATISTICS on SQL Server.
    """
    schemas = _schemas(params)
    target = context.target
    query = load_statement(target.dialect.name, "jobs", "statistics_commands")
    rows = await target.fetch(query, {"schemas": ",".join(schemas)})
    for _schema, _table, command in rows:
        await target.execute(command)
    return JobOutput(
        len(rows), f"statistics updated on {len(rows)} table(s) in {', '.join(schemas)}"
    )


async def catalog_scan(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Run the PHI governance catalog scan now, when the engine provides it,
    then count tables and estimated rows per schema from the catalog."""
    target = context.target
    parts = []
    if context.scan_catalog is not None:
        record = await context.scan_catalog(CATALOG_SCAN_ACTOR)
        parts.append(
            f"catalog scan {record.id}: {record.columns} column(s) in "
            f"{record.tables} table(s), {record.added} added, {record.dropped} "
            "dropped"
        )
    query = load_statement(target.dialect.name, "jobs", "catalog_counts")
    rows = await target.fetch(query)
    parts += [
        f"{schema}: {tables} table(s), ~{int(count)} row(s)"
        for schema, tables, count in rows
    ]
    return JobOutput(sum(int(tables) for _, tables, _ in rows), "; ".join(parts))


async def validation_run(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Run the validation rules, the claim burst and the PHI audit now."""
    if context.run_checks is None:
        raise JobActionError("this engine runs no data checks")
    completed = await context.run_checks()
    if completed.error is not None:
        raise JobActionError(completed.error)
    card = completed.scorecard
    if card is None:
        return JobOutput(0, "no validation rules configured")
    score = card.pass_percent
    return JobOutput(
        len(card.results),
        f"{card.passed} of {card.evaluated} rule(s) passed"
        + (f" ({score:.0f} %)" if score is not None else "")
        + f"; {len(completed.findings)} finding(s)",
    )


async def etl_adherence(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Recompute the proportion of days covered per patient and drug class."""
    period_days = _whole_days(
        params, "period_days", 180, 91, " (the shortest treatment period measured)"
    )
    lineage = await run_patient_adherence(context.target, period_days)
    rejected = (
        f" ({lineage.rows_rejected} rejected: NDC not a medication)"
        if lineage.rows_rejected
        else ""
    )
    return JobOutput(
        lineage.rows_written,
        f"read {lineage.rows_read} paid claim(s){rejected}, wrote "
        f"{lineage.rows_written} adherence row(s) in {lineage.duration_ms:.0f} ms",
    )


async def etl_claim_ingestion(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Load the staged claim batches into healthcare.pharmacy_claims.

    A batch that fails stays staged and fails the run, which names it; the
    other batches still load.
    """
    try:
        batches = await run_claim_ingestion(context.target)
    except BatchesNotLoaded as error:
        raise JobActionError(
            f"{len(error.failures)} claim batch(es) not loaded, still staged: "
            f"{error}. {_batch_summary(error.loaded)}; fix the batch in "
            "healthcare.claims_staging and run the job again"
        ) from error
    if not batches:
        return JobOutput(0, "no staged claims to load")
    loaded = sum(lineage.rows_written for _, lineage in batches)
    return JobOutput(loaded, _batch_summary(batches))


def _batch_summary(batches: list[tuple[str, Lineage]]) -> str:
    loaded = sum(lineage.rows_written for _, lineage in batches)
    rejected = sum(lineage.rows_rejected for _, lineage in batches)
    return (
        f"{len(batches)} batch(es): {loaded} claim(s) loaded, {rejected} "
        "rejected (see healthcare.claims_rejects)"
    )


async def etl_summaries(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Refresh the fill, order and customer health summaries."""
    days_back = _whole_days(params, "days_back", 30, 1)
    steps = await run_summaries(context.target, days_back)
    return JobOutput(
        sum(lineage.rows_written for _, lineage in steps),
        _steps_summary(steps),
    )


def _steps_summary(steps: list[tuple[str, Lineage]]) -> str:
    """Describe each step's rows written, and its rows rejected if any, in one line."""
    parts = []
    for step, lineage in steps:
        part = f"{step}: {lineage.rows_written} row(s)"
        if lineage.rows_rejected:
            part += f", {lineage.rows_rejected} rejected"
        parts.append(part)
    return "; ".join(parts)


async def etl_dim_patient(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Close changed patients' current rows in dim_patient and add new ones."""
    lineage = await run_dim_patient(context.target)
    return JobOutput(
        lineage.rows_written,
        f"read {lineage.rows_read} patient(s), wrote {lineage.rows_written} "
        f"dimension row(s) in {lineage.duration_ms:.0f} ms",
    )


async def etl_warehouse(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Load the star schema and refresh its view, then its statistics."""
    steps = await run_warehouse_load(context.target)
    analyzed = await update_statistics(context.target)
    return JobOutput(
        sum(lineage.rows_written for _, lineage in steps),
        _steps_summary(steps) + f"; statistics updated on {len(analyzed)} table(s)",
    )


async def etl_incident_metrics(
    context: JobContext, params: dict[str, Any]
) -> JobOutput:
    """Roll the store's incidents up per day, kind and severity on the target."""
    days_back = _whole_days(params, "days_back", 30, 1)
    if context.incidents_since is None:
        raise JobActionError(
            "the incident store is missing: run etl_incident_metrics from the "
            "engine's scheduler (warroom demo or warroom serve)"
        )
    now = utc_now()
    since = (now - timedelta(days=days_back - 1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    incidents = context.incidents_since(since)
    lineage = await run_incident_metrics(
        context.target, incidents, context.config.warroom.sla, now, days_back
    )
    return JobOutput(
        lineage.rows_written,
        f"read {lineage.rows_read} incident(s), wrote {lineage.rows_written} "
        f"row(s) in {lineage.duration_ms:.0f} ms",
    )


async def phi_audit(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Read the PHI access log for users at or over the read limit and report
    them.

    Each data check cycle runs the same audit and opens the phi_access
    incidents. This run leaves a record in the job history, and it runs even
    with phi_audit.enabled off.
    """
    settings = context.config.warroom.phi_audit
    findings = await phi_anomalies(context.target, settings)
    limit = (
        f"{len(findings)} user(s) read {settings.max_patients} or more patients' "
        f"records in {settings.window_minutes} min"
    )
    users = ", ".join(str(finding.metrics["user_name"]) for finding in findings)
    return JobOutput(len(findings), f"{limit}: {users}" if users else limit)


async def data_layer(context: JobContext, params: dict[str, Any]) -> JobOutput:
    """Stand in for the jobs whose work comes with the data layer."""
    needs = params.get("needs", "its SQL procedures")
    raise JobActionError(
        f"not available until the data layer exists: {needs} are not installed; "
        "keep this job disabled until then"
    )


def _whole_days(
    params: dict[str, Any], key: str, default: int, minimum: int, why: str = ""
) -> int:
    """Return ``params[key]`` (``default`` when missing) as a whole number of
    days, or raise JobActionError when it is not one or is below ``minimum``."""
    days = params.get(key, default)
    if isinstance(days, bool) or not isinstance(days, int) or days < minimum:
        raise JobActionError(
            f"params.{key} must be a whole number of days, at least {minimum}"
            f"{why}, not {days!r}"
        )
    return days


def _schemas(params: dict[str, Any]) -> list[str]:
    schemas = params.get("schemas", list(DEMO_SCHEMAS))
    if not isinstance(schemas, list) or not all(
        isinstance(s, str) and s for s in schemas
    ):
        raise JobActionError(
            f"params.schemas must be a list of schema names, not {schemas!r}"
        )
    return schemas


ACTIONS: dict[str, Action] = {
    "health_snapshot": health_snapshot,
    "cleanup_stale_sessions": cleanup_stale_sessions,
    "snapshot_retention": snapshot_retention,
    "statistics_maintenance": statistics_maintenance,
    "catalog_scan": catalog_scan,
    "validation_run": validation_run,
    "etl_adherence": etl_adherence,
    "etl_dim_patient": etl_dim_patient,
    "etl_claim_ingestion": etl_claim_ingestion,
    "etl_summaries": etl_summaries,
    "etl_warehouse": etl_warehouse,
    "etl_incident_metrics": etl_incident_metrics,
    "phi_audit": phi_audit,
    "data_layer": data_layer,
}

INSTALLING_ACTIONS = frozenset(name for name in ACTIONS if name.startswith("etl_"))
"""The ETL actions. Each creates the tables and procedures it is missing
before it runs, so the target's catalog can change."""

HEALTHCARE_SOURCES = frozenset({"etl_claim_ingestion", "etl_adherence"})
"""The actions that load rows the healthcare figures count: the claims and
healthcare.patient_adherence."""
