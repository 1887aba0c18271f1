"""API response bodies back into the engine's own records, for the TUI.

The TUI renders engine records; in attach mode they are rebuilt from the
sidecar's JSON, so every screen draws the same thing in either mode.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

import msgspec

from engine.chaos.drills import ScenarioState
from engine.config.models import (
    JobConfig,
    MaskRuleConfig,
    ThresholdsConfig,
    ValidationRuleConfig,
    WarroomConfig,
)
from engine.governance.lineage import LineageReport, LineageRow
from engine.healthcare.figures import HealthcareFigure
from engine.healthcare.monitor import HealthcareReading
from engine.incidents.models import Incident, PostmortemSummary, TimelineEntry
from engine.incidents.sla import SlaReport
from engine.jobs.models import JobState
from engine.monitor.graph import BlockingGraph, build_graph
from engine.remediation.actions import ActionResult
from engine.store.drills import DrillRecord
from engine.store.governance import CatalogEntry, ScannedColumn, ScanRecord
from engine.store.jobs import JobRunRecord
from engine.targets.models import Counters, Figure, HealthSnapshot, Session
from engine.validation.models import RuleResult, Scorecard
from warroom.api.schemas.chaos import DrillOut, ScenarioOut
from warroom.api.schemas.common import FigureOut
from warroom.api.schemas.dashboard import PostmortemSummary as PostmortemOut
from warroom.api.schemas.governance import ColumnOut, LineageOut, ScanOut
from warroom.api.schemas.health import CountersOut, SnapshotOut
from warroom.api.schemas.healthcare import HealthcareOut
from warroom.api.schemas.incidents import (
    ActionResultOut,
    IncidentDetail,
    IncidentOut,
    TimelineEntryOut,
)
from warroom.api.schemas.jobs import JobOut, JobRunOut
from warroom.api.schemas.sessions import SessionOut, SessionsOut
from warroom.api.schemas.settings import SettingsOut
from warroom.api.schemas.sla import SlaOut
from warroom.api.schemas.validation import ScorecardOut

T = TypeVar("T")

# IncidentOut leaves out the dedup key; attach mode never deduplicates.
_NO_DEDUP_KEY = ""


def config_with(local: WarroomConfig, settings: SettingsOut) -> WarroomConfig:
    """Return ``local`` with the sidecar's monitor, thresholds, remediation
    defaults, jobs, rules and PHI mask rules.

    Keys and everything else the TUI reads stay the engineer's own.
    """
    warroom = local.warroom.model_copy(
        update={
            "monitor": local.warroom.monitor.model_copy(
                update={
                    "poll_interval_seconds": settings.monitor.poll_interval_seconds,
                    "history_minutes": settings.monitor.history_minutes,
                }
            ),
            "thresholds": ThresholdsConfig.model_validate(settings.thresholds),
            "remediation": local.warroom.remediation.model_copy(
                update={
                    "auto": settings.remediation.auto,
                    "dry_run": settings.remediation.dry_run,
                }
            ),
            "governance": local.warroom.governance.model_copy(
                update={
                    "min_confidence": settings.governance.min_confidence,
                    "masking": {
                        table: {
                            column: MaskRuleConfig(
                                rule=rule.rule,  # type: ignore[arg-type]
                                keep_first=rule.keep_first,
                                keep_last=rule.keep_last,
                                mask_char=rule.mask_char,
                            )
                            for column, rule in columns.items()
                        }
                        for table, columns in settings.governance.masking.items()
                    },
                }
            ),
        }
    )
    jobs = local.jobs.model_copy(
        update={
            "jobs": [
                JobConfig(
                    name=job.name, cron=job.cron, action=job.action, enabled=job.enabled
                )
                for job in settings.jobs
            ]
        }
    )
    # The sidecar leaves rule parameters out, and a rule such as range_check
    # is invalid without them. So the copies skip validation. The sidecar's
    # engine has parsed its rules already, and the TUI only lists them.
    validation = local.validation.model_copy(
        update={
            "rules": [
                ValidationRuleConfig.model_construct(
                    name=rule.name,
                    table=rule.table,
                    type=rule.type,
                    column=rule.column,
                    severity=rule.severity,
                )
                for rule in settings.validation_rules
            ]
        }
    )
    return local.model_copy(
        update={"warroom": warroom, "jobs": jobs, "validation": validation}
    )


# -- the last poll -------------------------------------------------------------


def snapshot_of(counts: SnapshotOut, listed: SessionsOut) -> HealthSnapshot:
    """Rebuild one poll from its counters and its sessions (same ``taken_at``)."""
    return HealthSnapshot(
        taken_at=counts.taken_at,
        target=counts.target,
        database=counts.database,
        sessions=tuple(session_of(session) for session in listed.sessions),
        counters=counters_of(counts.counters),
        own_session_ids=frozenset(
            session.session_id for session in listed.sessions if session.is_engine_own
        ),
        duration_ms=counts.duration_ms,
    )


def graph_of(snapshot: HealthSnapshot) -> BlockingGraph:
    # The graph is a pure function of the sessions, so it is built here with
    # the engine's own code rather than decoded from /api/sessions/blocking.
    return build_graph(snapshot.sessions)


def session_of(session: SessionOut) -> Session:
    return _record(session, Session)


def counters_of(counters: CountersOut) -> Counters:
    return Counters(
        connections=_figure(counters.connections),
        max_connections=_figure(counters.max_connections),
        active_requests=_figure(counters.active_requests),
        cpu_percent=_figure(counters.cpu_percent),
        memory_percent=_figure(counters.memory_percent),
        temp_space_mb=_figure(counters.temp_space_mb),
        transactions_per_second=_figure(counters.transactions_per_second),
        deadlocks=_figure(counters.deadlocks),
        cache_hit_ratio=_figure(counters.cache_hit_ratio),
        database_size_mb=_figure(counters.database_size_mb),
        waits_by_class=dict(counters.waits_by_class),
    )


def _figure(figure: FigureOut) -> Figure:
    return Figure(figure.value, figure.reason)


# -- incidents -----------------------------------------------------------------


def incident_of(incident: IncidentOut) -> Incident:
    """Rebuild an incident; its timeline only when the body is an IncidentDetail."""
    timeline = incident.timeline if isinstance(incident, IncidentDetail) else []
    return Incident(
        id=incident.id,
        kind=incident.kind,
        dedup_key=_NO_DEDUP_KEY,
        status=incident.status,
        severity=incident.severity,
        title=incident.title,
        root_cause=incident.root_cause,
        target=incident.target,
        session_id=incident.session_id,
        metrics=dict(incident.metrics),
        peak=dict(incident.peak),
        started_at=incident.started_at,
        detected_at=incident.detected_at,
        last_seen_at=incident.last_seen_at,
        occurrences=incident.occurrences,
        escalated_at=incident.escalated_at,
        resolved_at=incident.resolved_at,
        drill_id=incident.drill_id,
        timeline=[_entry(entry) for entry in timeline],
    )


def _entry(entry: TimelineEntryOut) -> TimelineEntry:
    return _record(entry, TimelineEntry)


def postmortem_summary_of(row: PostmortemOut) -> PostmortemSummary:
    """Rebuild a postmortem row. The dashboard sends the two durations, not the
    three times, so the times are laid back from ``written_at``: the TUI shows
    only the durations, and they come out as sent."""
    resolved = row.written_at
    detected = started = None
    if resolved is not None and row.seconds_to_resolve is not None:
        detected = resolved - timedelta(seconds=row.seconds_to_resolve)
        if row.seconds_to_detect is not None:
            started = detected - timedelta(seconds=row.seconds_to_detect)
    return PostmortemSummary(
        incident_id=row.incident_id,
        title=row.title,
        kind=row.kind,
        written_at=row.written_at,
        started_at=started,
        detected_at=detected,
        resolved_at=resolved,
    )


def action_result_of(result: ActionResultOut) -> ActionResult:
    return ActionResult(
        action=result.action,
        dry_run=result.dry_run,
        succeeded=result.succeeded,
        message=result.message,
        terminated=list(result.terminated),
        skipped={skip.session_id: skip.reason for skip in result.skipped},
        retryable=result.retryable,
    )


# -- chaos ---------------------------------------------------------------------


def scenario_of(scenario: ScenarioOut, elapsed_seconds: float) -> ScenarioState:
    """Rebuild a scenario's state ``elapsed_seconds`` after the sidecar sent it."""
    return ScenarioState(
        name=scenario.name,
        title=scenario.title,
        description=scenario.description,
        enabled=scenario.enabled,
        cooldown_seconds=scenario.cooldown_seconds,
        cooldown_remaining=max(
            0.0, scenario.cooldown_remaining_seconds - elapsed_seconds
        ),
        running=scenario.running,
        blocked_by=scenario.blocked_by,
    )


def drill_of(drill: DrillOut) -> DrillRecord:
    return _record(drill, DrillRecord)


def healthcare_of(healthcare: HealthcareOut) -> HealthcareReading:
    figures = tuple(
        HealthcareFigure(
            key=item.key,
            label=item.label,
            unit=item.unit,
            value=item.value,
            reason=item.reason,
            threshold=item.threshold,
            bound=item.bound,
            # The API spells n/a as "na", and the engine's card rules use "n/a".
            state="n/a" if item.state == "na" else item.state,
            detail=item.detail,
        )
        for item in healthcare.figures
    )
    return HealthcareReading(
        figures, healthcare.read_at, healthcare.error, healthcare.failed_at
    )


def sla_of(sla: SlaOut) -> SlaReport:
    return SlaReport(
        hours=sla.hours,
        since=sla.since,
        until=sla.until,
        critical_minutes=sla.targets.critical_minutes,
        warning_minutes=sla.targets.warning_minutes,
        total=sla.total,
        open=sla.open,
        drills=sla.drills,
        by_severity=dict(sla.by_severity),
        by_status=dict(sla.by_status),
        breaches=sla.breaches,
        open_breaches=sla.open_breaches,
        breached_ids=tuple(sla.breached_ids),
        mean_seconds_to_detect=sla.mean_seconds_to_detect,
        mean_seconds_to_acknowledge=sla.mean_seconds_to_acknowledge,
        mean_seconds_to_resolve=sla.mean_seconds_to_resolve,
        resolved=sla.resolved,
        resolved_automatically=sla.resolved_automatically,
        automatic_share=sla.automatic_share,
    )


def scorecard_of(scorecard: ScorecardOut) -> Scorecard | None:
    """Return the engine's scorecard, or None before the first run."""
    if scorecard.run_at is None:
        return None
    return Scorecard(
        run_at=scorecard.run_at,
        seconds=scorecard.seconds or 0.0,
        results=tuple(_record(result, RuleResult) for result in scorecard.results),
    )


def scan_record_of(scan: ScanOut | None, target: str) -> ScanRecord | None:
    """Return the engine's record of a catalog scan, or None before the first."""
    if scan is None:
        return None
    return ScanRecord(
        id=scan.id,
        target=target,
        scanned_at=scan.scanned_at,
        tables=scan.tables,
        columns=scan.columns,
        added=scan.added,
        dropped=scan.dropped,
        sampled_tables=scan.sampled_tables,
        sample_errors=dict(scan.sample_errors),
    )


def catalog_entry_of(column: ColumnOut) -> CatalogEntry:
    schema, _, table = column.table.partition(".")
    scanned = ScannedColumn(
        table_schema=schema,
        table_name=table,
        table_type=column.table_type,
        column_name=column.column,
        ordinal=column.ordinal,
        data_type=column.data_type,
        is_nullable=column.is_nullable,
        category=column.detected_category,
        confidence=column.detected_confidence,
        reason=column.detected_reason,
        detected_by=column.detected_by,
    )
    return CatalogEntry(
        column=scanned,
        first_seen_at=column.first_seen_at,
        classification=column.classification,
        classification_reason=column.classification_reason,
        classified_by=column.classified_by,
        classified_at=column.classified_at,
    )


def lineage_of(lineage: LineageOut) -> LineageReport:
    rows = [_record(row, LineageRow) for row in lineage.rows]
    return LineageReport(rows=rows, note=lineage.note)


def job_run_of(run: JobRunOut) -> JobRunRecord:
    return _record(run, JobRunRecord)


def job_state_of(job: JobOut) -> JobState:
    return _record(job, JobState)


def _record(body: object, record_type: type[T]) -> T:
    """Copy an API body into the engine record whose fields it shares by name.

    Fields the record lacks are ignored, and types convert as msgspec does
    (lists to tuples, strings to enums).
    """
    return msgspec.convert(body, record_type, from_attributes=True)
