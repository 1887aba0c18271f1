"""SLA figures over a window of incidents: counts, breaches and mean times.

Pure functions over Incident records with their timelines; the Engine reads
the incidents and the targets and calls ``sla_report``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean

from engine.config.models import SlaConfig
from engine.incidents.manager import ENGINE
from engine.incidents.models import Incident, Status

# Actors the war room writes on timelines itself: the incident manager
# (ENGINE), auto-remediation and its escalation in engine/service.py, the job
# alerts (SCHEDULER_ACTOR), and the drill runner, which escalates as
# CHAOS_ACTOR and remediates as "drill <id>".
CHAOS_ACTOR = "chaos"
AUTO_REMEDIATION_ACTOR = "engine (auto)"
ESCALATION_ACTOR = "remediation"
SCHEDULER_ACTOR = "scheduler"
AUTOMATIC_ACTORS = frozenset(
    {ENGINE, AUTO_REMEDIATION_ACTOR, ESCALATION_ACTOR, CHAOS_ACTOR, SCHEDULER_ACTOR}
)
_DRILL_ACTOR = re.compile(r"drill \d+")


def drill_actor(drill_id: int) -> str:
    """Return the timeline actor for what drill ``drill_id`` does to incidents."""
    return f"drill {drill_id}"


def is_person(actor: str) -> bool:
    """Tell whether a timeline actor is a person or an outside caller.

    Anyone but the engine and the drill runner counts: a TUI login name, an
    ``X-Warroom-Actor`` name, or "api" for an API call without one.
    """
    return actor not in AUTOMATIC_ACTORS and not _DRILL_ACTOR.fullmatch(actor)


@dataclass(frozen=True)
class SlaReport:
    """SLA figures for the incidents detected in one window.

    Times are in seconds. A mean over no incidents is None, as is
    ``automatic_share`` when no incident in the window is resolved.
    """

    hours: float
    since: datetime
    until: datetime
    critical_minutes: float
    warning_minutes: float
    total: int
    open: int
    drills: int
    by_severity: dict[str, int]
    by_status: dict[str, int]
    breaches: int
    open_breaches: int
    breached_ids: tuple[int, ...]
    mean_seconds_to_detect: float | None
    mean_seconds_to_acknowledge: float | None
    mean_seconds_to_resolve: float | None
    resolved: int
    resolved_automatically: int
    automatic_share: float | None


def sla_report(
    incidents: list[Incident], targets: SlaConfig, now: datetime, hours: float
) -> SlaReport:
    """Compute the SLA figures of the incidents detected in the last ``hours``.

    ``incidents`` must carry their timelines; those detected before the window
    (or after ``now``) are left out. Drill incidents count like any other,
    because the war room handled them the same way, and ``drills`` counts
    those a drill caused.

    - A breach is an incident resolved more than its severity's target after
      detection, or still open more than the target after detection at
      ``now``. Resolving exactly at the target is no breach. A severity
      without a target never breaches.
    - Time to detect runs from started_at to detected_at.
    - Time to acknowledge runs from detection to the first status change a
      person made (see ``is_person``), over the incidents a person moved.
    - Time to resolve runs from detection to resolution, over resolved ones.
    - ``automatic_share`` is the share of resolved incidents whose timeline
      has no entry by a person.
    """
    since = now - timedelta(hours=hours)
    window = [i for i in incidents if since <= i.detected_at <= now]
    resolved = [i for i in window if i.resolved_at is not None]
    breached = [i for i in window if is_breach(i, targets, now)]
    acknowledged = [
        seconds
        for seconds in (seconds_to_acknowledge(i) for i in window)
        if seconds is not None
    ]
    automatic = [i for i in resolved if resolved_without_person(i)]
    return SlaReport(
        hours=hours,
        since=since,
        until=now,
        critical_minutes=targets.critical_minutes,
        warning_minutes=targets.warning_minutes,
        total=len(window),
        open=sum(1 for i in window if i.is_open),
        drills=sum(1 for i in window if i.drill_id is not None),
        by_severity=dict(Counter(i.severity for i in window)),
        by_status=dict(Counter(str(i.status) for i in window)),
        breaches=len(breached),
        open_breaches=sum(1 for i in breached if i.is_open),
        breached_ids=tuple(i.id for i in breached),
        mean_seconds_to_detect=_mean([i.seconds_to_detect for i in window]),
        mean_seconds_to_acknowledge=_mean(acknowledged),
        mean_seconds_to_resolve=_mean([i.seconds_to_resolve or 0.0 for i in resolved]),
        resolved=len(resolved),
        resolved_automatically=len(automatic),
        automatic_share=len(automatic) / len(resolved) if resolved else None,
    )


def is_breach(incident: Incident, targets: SlaConfig, now: datetime) -> bool:
    """Tell whether ``incident`` missed its severity's target at ``now``."""
    minutes = targets.target_minutes(incident.severity)
    if minutes is None:
        return False
    end = incident.resolved_at if incident.resolved_at is not None else now
    return end - incident.detected_at > timedelta(minutes=minutes)


def resolved_without_person(incident: Incident) -> bool:
    """Tell whether ``incident`` is resolved and no person is on its timeline."""
    if incident.resolved_at is None:
        return False
    return not any(is_person(entry.actor) for entry in incident.timeline)


def seconds_to_acknowledge(incident: Incident) -> float | None:
    """Return seconds from detection to a person's first status change, if any."""
    for entry in incident.timeline:
        if entry.to_status is None or entry.to_status is Status.DETECTED:
            continue
        if is_person(entry.actor):
            return max(0.0, (entry.at - incident.detected_at).total_seconds())
    return None


def _mean(values: list[float]) -> float | None:
    return fmean(values) if values else None
