"""The attached TUI's copy of the healthcare figures, read from the sidecar."""

from __future__ import annotations

from engine.healthcare.monitor import HealthcareRefreshed
from tests.attach.conftest import next_event
from warroom.api.schemas.healthcare import reading_out
from warroom.attach.convert import healthcare_of


async def test_healthcare_converts_back(engine):
    reading = await engine.refresh_healthcare()

    converted = healthcare_of(reading_out(reading, engine))

    assert converted == reading


async def test_healthcare_event_republished(remote, engine):
    queue = remote.bus.subscribe()

    reading = await engine.refresh_healthcare()
    event = await next_event(
        queue,
        lambda item: (
            isinstance(item, HealthcareRefreshed)
            and item.reading.read_at == reading.read_at
        ),
    )

    assert event.reading.error is None
    assert [figure.key for figure in event.reading.figures] == [
        "claims_today",
        "rejection_rate",
        "generic_dispensing",
        "adherent_patients",
    ]
    assert remote.healthcare_reading() == event.reading
