"""Incidents, their timelines, remediation results and postmortems."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from engine.incidents.models import (
    ALLOWED_TRANSITIONS,
    Incident,
    Status,
    TimelineEntry,
)
from engine.remediation.actions import ActionResult

Kind = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Incident kind in snake_case, such as blocking or disk_full.",
    ),
]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=2000)]


class TimelineEntryOut(msgspec.Struct):
    at: datetime
    actor: str
    action: str
    message: str
    from_status: Status | None
    to_status: Status | None


class IncidentOut(msgspec.Struct):
    id: int
    kind: str
    status: Status
    severity: str
    title: str
    root_cause: str
    target: str
    session_id: int | None
    is_open: bool
    occurrences: int
    started_at: datetime
    detected_at: datetime
    last_seen_at: datetime
    escalated_at: datetime | None
    resolved_at: datetime | None
    seconds_to_detect: float
    seconds_to_resolve: float | None
    drill_id: int | None
    metrics: dict[str, Any]
    peak: dict[str, Any]


class IncidentDetail(IncidentOut):
    """An incident with its timeline and the statuses it may move to next."""

    allowed_transitions: list[Status] = []
    timeline: list[TimelineEntryOut] = []


class IncidentPage(msgspec.Struct):
    items: list[IncidentOut]
    limit: int
    offset: int


class IncidentCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An incident reported by hand."""

    kind: Kind
    title: Title
    severity: Literal["warning", "critical"] = "warning"
    root_cause: LongText = ""


class IncidentPatch(msgspec.Struct, forbid_unknown_fields=True):
    """A status change, checked against the incident state machine."""

    status: Status
    note: LongText = ""


class RemediateIn(msgspec.Struct, forbid_unknown_fields=True):
    dry_run: bool | None = None
    """true: report what the playbook action would do and change nothing.
    false: run it. Left out or null: the engine's remediation.dry_run decides,
    so a war room configured for dry runs only never acts on such a request."""


class SkippedSession(msgspec.Struct):
    session_id: int
    reason: str


class ActionResultOut(msgspec.Struct):
    incident_id: int
    action: str
    dry_run: bool
    succeeded: bool
    message: str
    terminated: list[int]
    """The sessions the action ended, or with dry_run the sessions it would
    end: a dry run terminates nothing."""
    skipped: list[SkippedSession]
    """The sessions the action left alone, or with dry_run would leave alone."""
    retryable: bool
    """Nothing qualified yet (for example sessions too young); try again later."""


class PostmortemOut(msgspec.Struct):
    incident_id: int
    markdown: str


def _incident_fields(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "kind": incident.kind,
        "status": incident.status,
        "severity": incident.severity,
        "title": incident.title,
        "root_cause": incident.root_cause,
        "target": incident.target,
        "session_id": incident.session_id,
        "is_open": incident.is_open,
        "occurrences": incident.occurrences,
        "started_at": incident.started_at,
        "detected_at": incident.detected_at,
        "last_seen_at": incident.last_seen_at,
        "escalated_at": incident.escalated_at,
        "resolved_at": incident.resolved_at,
        "seconds_to_detect": incident.seconds_to_detect,
        "seconds_to_resolve": incident.seconds_to_resolve,
        "drill_id": incident.drill_id,
        "metrics": incident.metrics,
        "peak": incident.peak,
    }


def incident_out(incident: Incident) -> IncidentOut:
    return IncidentOut(**_incident_fields(incident))


def incident_detail(incident: Incident) -> IncidentDetail:
    return IncidentDetail(
        **_incident_fields(incident),
        allowed_transitions=sorted(ALLOWED_TRANSITIONS[incident.status]),
        timeline=[timeline_entry_out(entry) for entry in incident.timeline],
    )


def incident_page(incidents: list[Incident], limit: int, offset: int) -> IncidentPage:
    return IncidentPage(
        items=[incident_out(incident) for incident in incidents],
        limit=limit,
        offset=offset,
    )


def timeline_entry_out(entry: TimelineEntry) -> TimelineEntryOut:
    return TimelineEntryOut(
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        message=entry.message,
        from_status=entry.from_status,
        to_status=entry.to_status,
    )


def action_result_out(incident_id: int, result: ActionResult) -> ActionResultOut:
    return ActionResultOut(
        incident_id=incident_id,
        action=result.action,
        dry_run=result.dry_run,
        succeeded=result.succeeded,
        message=result.message,
        terminated=list(result.terminated),
        skipped=[
            SkippedSession(session_id=session_id, reason=reason)
            for session_id, reason in sorted(result.skipped.items())
        ],
        retryable=result.retryable,
    )
