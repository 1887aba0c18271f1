"""Payloads of the server-sent events: one small JSON object per engine event.

A poll event carries a summary (counts and headline figures), never the whole
sessions list; clients fetch /api/sessions when they need it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from engine.events import (
    CatalogChanged,
    DrillProgress,
    EngineNotice,
    Event,
    IncidentChanged,
    JobRun,
    PollCompleted,
    PollFailed,
)
from engine.healthcare.monitor import HealthcareRefreshed
from engine.incidents.models import Status
from engine.monitor.history import figures_of
from engine.validation.cycle import ChecksCompleted


class PollEvent(msgspec.Struct):
    taken_at: datetime
    target: str
    duration_ms: float
    sessions: int
    blocked_sessions: int
    head_blockers: list[int]
    findings: list[str]
    figures: dict[str, float | None]


class PollFailedEvent(msgspec.Struct):
    at: datetime
    error: str


class IncidentEvent(msgspec.Struct):
    id: int
    status: Status
    title: str
    kind: str
    severity: str
    change: str
    """opened, status or timeline."""


class DrillEvent(msgspec.Struct):
    drill_id: int
    scenario: str
    phase: str
    message: str
    figures: dict[str, Any]


class HealthcareEvent(msgspec.Struct):
    """The healthcare figures were read again; GET /api/healthcare has them."""

    read_at: datetime | None
    error: str | None


class JobRunEvent(msgspec.Struct):
    """A job run started or ended; GET /api/jobs/{job}/history has it."""

    run_id: int
    job: str
    status: str
    trigger: str
    error: str | None


class ValidationEvent(msgspec.Struct):
    """The counts of a finished data check cycle. GET
    /api/validation/scorecard returns every rule."""

    run_at: datetime | None
    """When the last run of the rules started; null before the first run."""
    passed: int
    evaluated: int
    failed: int
    error: str | None
    """The reason the cycle was incomplete, or null."""


class NoticeEvent(msgspec.Struct):
    level: str
    message: str


class CatalogEvent(msgspec.Struct):
    change: str
    """scanned or classified."""
    actor: str


def event_payload(event: Event, long_query_seconds: float) -> tuple[str, Any] | None:
    """Return the SSE event name and payload for an engine event, or None to skip it."""
    if isinstance(event, PollCompleted):
        return "poll", _poll_event(event, long_query_seconds)
    if isinstance(event, PollFailed):
        return "poll_failed", PollFailedEvent(at=event.at, error=event.error)
    if isinstance(event, IncidentChanged):
        incident = event.incident
        return "incident", IncidentEvent(
            id=incident.id,
            status=incident.status,
            title=incident.title,
            kind=incident.kind,
            severity=incident.severity,
            change=event.change,
        )
    if isinstance(event, DrillProgress):
        return "drill", DrillEvent(
            drill_id=event.drill_id,
            scenario=event.scenario,
            phase=event.phase,
            message=event.message,
            figures=dict(event.figures),
        )
    if isinstance(event, JobRun):
        run = event.run
        return "job", JobRunEvent(
            run_id=run.id,
            job=run.job,
            status=str(run.status),
            trigger=run.trigger,
            error=run.error,
        )
    if isinstance(event, EngineNotice):
        return "notice", NoticeEvent(level=event.level, message=event.message)
    if isinstance(event, HealthcareRefreshed):
        reading = event.reading
        return "healthcare", HealthcareEvent(
            read_at=reading.read_at, error=reading.error
        )
    if isinstance(event, ChecksCompleted):
        return "validation", _validation_event(event)
    if isinstance(event, CatalogChanged):
        return "catalog", CatalogEvent(change=event.change, actor=event.actor)
    return None


def _validation_event(event: ChecksCompleted) -> ValidationEvent:
    card = event.scorecard
    return ValidationEvent(
        run_at=card.run_at if card else None,
        passed=card.passed if card else 0,
        evaluated=card.evaluated if card else 0,
        failed=len(card.failed) if card else 0,
        error=event.error,
    )


def _poll_event(event: PollCompleted, long_query_seconds: float) -> PollEvent:
    snapshot = event.snapshot
    return PollEvent(
        taken_at=snapshot.taken_at,
        target=snapshot.target,
        duration_ms=snapshot.duration_ms,
        sessions=len(snapshot.sessions),
        blocked_sessions=len(event.graph.blocked_sessions),
        head_blockers=list(event.graph.head_blockers),
        findings=sorted({str(finding.kind) for finding in event.findings}),
        figures=figures_of(snapshot, event.graph, long_query_seconds),
    )
