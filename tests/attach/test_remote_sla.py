"""The attached TUI's copy of the SLA figures, read from the sidecar."""

from __future__ import annotations

from engine.events import IncidentChanged
from tests.attach.conftest import next_event


async def test_sla_read_at_connect(remote, engine):
    report = remote.sla(24)

    assert report is not None
    assert report.hours == 24
    assert report.total == engine.sla(24).total


async def test_sla_refreshed_on_incident_event(remote, engine):
    queue = remote.bus.subscribe()
    before = remote.sla(24).total

    created = engine.create_incident("disk_full", "volume full", "tester", "critical")
    await next_event(
        queue,
        lambda item: (
            isinstance(item, IncidentChanged) and item.incident.id == created.id
        ),
    )

    report = remote.sla(24)
    assert report.total == before + 1
    assert report.by_severity.get("critical", 0) >= 1
    assert report.mean_seconds_to_acknowledge is None
