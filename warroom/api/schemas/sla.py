"""SLA figures over a window of incidents."""

from __future__ import annotations

from datetime import datetime

import msgspec

from engine.incidents.sla import SlaReport


class SlaTargetsOut(msgspec.Struct):
    """Minutes from detection within which each severity should be resolved."""

    critical_minutes: float
    warning_minutes: float


class SlaOut(msgspec.Struct):
    """SLA figures for the incidents detected between ``since`` and ``until``.

    Times are in seconds. A mean over no incidents is null, and
    ``automatic_share`` is null when no incident in the window is resolved.
    Drill incidents count like any other, and ``drills`` counts them.
    """

    hours: int
    since: datetime
    until: datetime
    targets: SlaTargetsOut
    total: int
    open: int
    drills: int
    by_severity: dict[str, int]
    by_status: dict[str, int]
    breaches: int
    open_breaches: int
    breached_ids: list[int]
    mean_seconds_to_detect: float | None
    mean_seconds_to_acknowledge: float | None
    mean_seconds_to_resolve: float | None
    resolved: int
    resolved_automatically: int
    automatic_share: float | None
    """Share (0 to 1) of resolved incidents with no timeline entry by a person."""


def sla_out(report: SlaReport, hours: int) -> SlaOut:
    return SlaOut(
        hours=hours,
        since=report.since,
        until=report.until,
        targets=SlaTargetsOut(
            critical_minutes=report.critical_minutes,
            warning_minutes=report.warning_minutes,
        ),
        total=report.total,
        open=report.open,
        drills=report.drills,
        by_severity=report.by_severity,
        by_status=report.by_status,
        breaches=report.breaches,
        open_breaches=report.open_breaches,
        breached_ids=list(report.breached_ids),
        mean_seconds_to_detect=report.mean_seconds_to_detect,
        mean_seconds_to_acknowledge=report.mean_seconds_to_acknowledge,
        mean_seconds_to_resolve=report.mean_seconds_to_resolve,
        resolved=report.resolved,
        resolved_automatically=report.resolved_automatically,
        automatic_share=report.automatic_share,
    )
