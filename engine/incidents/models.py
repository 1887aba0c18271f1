"""Incident states, allowed transitions and the records the store keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    DETECTED = "DETECTED"
    INVESTIGATING = "INVESTIGATING"
    REMEDIATING = "REMEDIATING"
    ESCALATED = "ESCALATED"
    RESOLVED = "RESOLVED"


OPEN_STATUSES = frozenset(
    {Status.DETECTED, Status.INVESTIGATING, Status.REMEDIATING, Status.ESCALATED}
)

# Dedup key prefixes of incidents that no poll observes (reported by hand, or
# a failed scheduled job), so a poll without their finding does not clear them.
# Dedup key prefixes of incidents a person reports and of job incidents.
REPORTED_PREFIX = "manual:"
JOB_PREFIX = "job:"
NOT_CLEARED_BY_POLLS = (REPORTED_PREFIX, JOB_PREFIX)

# Timeline action labels of a playbook run and of its dry run, followed by
# ": <action>".
REMEDIATION = "remediation"
DRY_RUN_REMEDIATION = "remediation (dry run)"

ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DETECTED: frozenset({Status.INVESTIGATING, Status.ESCALATED}),
    Status.INVESTIGATING: frozenset({Status.REMEDIATING, Status.ESCALATED}),
    Status.REMEDIATING: frozenset({Status.RESOLVED, Status.ESCALATED}),
    Status.ESCALATED: frozenset({Status.RESOLVED}),
    Status.RESOLVED: frozenset(),
}


class InvalidTransition(ValueError):
    """A status change the incident state machine does not allow."""

    def __init__(self, incident_id: int, current: Status, requested: Status):
        self.incident_id = incident_id
        self.current = current
        self.requested = requested
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[current])) or "none"
        super().__init__(
            f"incident {incident_id} cannot move from {current} to {requested}; "
            f"allowed from {current}: {allowed}"
        )


class IncidentNotFound(LookupError):
    def __init__(self, incident_id: int):
        self.incident_id = incident_id
        super().__init__(f"incident {incident_id} not found")


class PostmortemNotFound(LookupError):
    """The incident exists but has no postmortem yet because it is still open."""


def check_transition(incident_id: int, current: Status, requested: Status) -> None:
    """Raise InvalidTransition unless ``current`` may move to ``requested``."""
    if requested not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(incident_id, current, requested)


@dataclass(frozen=True)
class PostmortemSummary:
    """One written postmortem, as the recent-postmortems lists show it."""

    incident_id: int
    title: str
    kind: str
    written_at: datetime | None
    started_at: datetime | None
    detected_at: datetime | None
    resolved_at: datetime | None

    @property
    def seconds_to_detect(self) -> float | None:
        return _seconds_between(self.started_at, self.detected_at)

    @property
    def seconds_to_resolve(self) -> float | None:
        return _seconds_between(self.detected_at, self.resolved_at)


def _seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    message: str
    from_status: Status | None = None
    to_status: Status | None = None


@dataclass
class Incident:
    id: int
    kind: str
    dedup_key: str
    status: Status
    severity: str
    title: str
    root_cause: str
    target: str
    session_id: int | None
    metrics: dict[str, Any]
    peak: dict[str, Any]
    started_at: datetime
    detected_at: datetime
    last_seen_at: datetime
    occurrences: int = 1
    clear_polls: int = 0
    escalated_at: datetime | None = None
    resolved_at: datetime | None = None
    drill_id: int | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def reported_by_hand(self) -> bool:
        """Whether a person or an automation reported the incident, so it has
        no figures from a check."""
        return self.dedup_key.startswith(REPORTED_PREFIX)

    @property
    def cleared_by_polls(self) -> bool:
        """Whether polls watch the condition, so clear polls can resolve it."""
        return not self.dedup_key.startswith(NOT_CLEARED_BY_POLLS)

    @property
    def seconds_to_detect(self) -> float:
        return max(0.0, (self.detected_at - self.started_at).total_seconds())

    @property
    def seconds_to_resolve(self) -> float | None:
        if self.resolved_at is None:
            return None
        return max(0.0, (self.resolved_at - self.detected_at).total_seconds())
