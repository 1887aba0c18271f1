"""The incident metrics pipeline: the engine's incidents, with their SLA
figures, rolled up on the target per day, kind and severity."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from engine.config.models import SlaConfig
from engine.etl.pipelines import Lineage, call_procedure, install, read_lineage
from engine.incidents.models import Incident
from engine.incidents.sla import (
    is_breach,
    resolved_without_person,
    seconds_to_acknowledge,
)


def incident_fact(incident: Incident, targets: SlaConfig, now: datetime) -> dict:
    """Return the row of ``incident`` in warroom_incident_facts, as the
    procedure reads it from JSON."""
    return {
        "incident_id": incident.id,
        "kind": incident.kind,
        "severity": incident.severity,
        "status": str(incident.status),
        "is_drill": incident.drill_id is not None,
        "detected_at": incident.detected_at.isoformat(),
        "resolved_at": (
            incident.resolved_at.isoformat() if incident.resolved_at else None
        ),
        "seconds_to_detect": round(incident.seconds_to_detect, 1),
        "seconds_to_acknowledge": _rounded(seconds_to_acknowledge(incident)),
        "seconds_to_resolve": _rounded(incident.seconds_to_resolve),
        "resolved_automatically": resolved_without_person(incident),
        "breached": is_breach(incident, targets, now),
    }


async def run_incident_metrics(
    target,
    incidents: list[Incident],
    targets: SlaConfig,
    now: datetime,
    days_back: int,
) -> Lineage:
    """Upsert ``incidents`` (those detected in the ``days_back`` UTC days up
    to ``now``) and recompute the metrics of those days on the target.

    Breaches of open incidents are judged at ``now``, as the SLA report
    judges them.
    """
    day_to = now.date()
    day_from = day_to - timedelta(days=days_back - 1)
    facts = [
        incident_fact(incident, targets, now)
        for incident in incidents
        if incident.target == target.name and _day(incident) >= day_from
    ]
    await install(target)
    await target.run_script("incident_metrics")
    await call_procedure(
        target,
        "run_incident_metrics",
        {
            "target": target.name,
            "incidents": json.dumps(facts),
            "date_from": day_from,
            "date_to": day_to,
        },
    )
    return await read_lineage(target, "incident_metrics")


def _day(incident: Incident) -> date:
    return incident.detected_at.astimezone(UTC).date()


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)
