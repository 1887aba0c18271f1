"""The six data and job drills end to end on the real embedded PostgreSQL:
inject, detect, remediate, resolve, and a rollback that leaves every touched
table as it was (row count and a digest of its contents)."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from engine.chaos.scenarios import SCENARIOS
from engine.events import IncidentChanged
from engine.incidents.models import Status

DRILLS = [
    ("data_corruption", "validation", "quarantine_data"),
    ("orphaned_records", "validation", "quarantine_data"),
    ("job_failure", "job_failure", "restart_job"),
    ("claim_volume_spike", "claim_volume", "quarantine_data"),
    ("phi_exposure", "phi_access", "suspend_phi_access"),
    ("formulary_change", "validation", "revert_formulary"),
]


def table_digests(url: str, tables) -> dict[str, tuple[int, str]]:
    """Row count and the MD5 of every row's text, sorted, per table."""
    digests = {}
    with psycopg.connect(url) as connection:
        for table in tables:
            row = connection.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' "
                f"ORDER BY t::text), '')) FROM {table} AS t"
            ).fetchone()
            digests[table] = (row[0], row[1])
    return digests


def quarantined(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM public.warroom_quarantine"
        ).fetchone()[0]


@pytest.mark.parametrize(("scenario", "kind", "action"), DRILLS)
async def test_data_drill_end_to_end(engine, database_url, scenario, kind, action):
    tables = SCENARIOS[scenario].touched_tables + ("public.warroom_quarantine",)
    before = table_digests(database_url, tables)

    drill = await asyncio.wait_for(
        engine.trigger_drill(scenario, "test", auto_remediate=True), 90
    )

    assert drill.status == "passed", drill.error
    assert drill.detected_at is not None and drill.resolved_at is not None
    incident = engine.get_incident(drill.incident_id)
    assert incident.kind == kind
    assert incident.status is Status.RESOLVED
    assert incident.drill_id == drill.id
    actions = [entry.message for entry in incident.timeline]
    assert any(action in message for message in actions), actions
    assert table_digests(database_url, tables) == before
    assert quarantined(database_url) == 0
    # The checks after the rollback read the restored rows: nothing the drill
    # caused may reopen outside it, where it would trip the kill switch.
    await asyncio.sleep(2)
    assert [i.title for i in engine.open_incidents() if i.drill_id is None] == []


async def test_partly_resolved_drill_has_no_resolve_time(engine, config):
    # data_corruption breaks several rules at once. Remediating only the first
    # incident leaves the others open until the drill times out.
    config.chaos.scenarios["data_corruption"].max_duration_seconds = 20
    events = engine.bus.subscribe()
    drill_task = engine.trigger_drill("data_corruption", "test", auto_remediate=False)
    first = None
    async with asyncio.timeout(60):
        while first is None:
            event = await events.get()
            if (
                isinstance(event, IncidentChanged)
                and event.change == "opened"
                and event.incident.drill_id is not None
            ):
                first = event.incident
    await asyncio.sleep(1)
    # From here no scheduled check cycle runs, so only the checks that follow
    # the rollback can clear the incidents the drill leaves open.
    config.validation.interval_seconds = 3600
    opened = [i for i in engine.open_incidents() if i.drill_id == first.drill_id]
    await engine.remediate(first.id, "test")
    drill = await asyncio.wait_for(drill_task, 90)
    engine.bus.unsubscribe(events)

    # The checks run again on the restored rows, so the incidents the drill
    # left open clear and resolve without waiting for the next cycle.
    for _ in range(100):
        if not [i for i in engine.open_incidents() if i.drill_id == drill.id]:
            break
        await asyncio.sleep(0.1)

    assert len(opened) > 1
    assert engine.get_incident(first.id).status is Status.RESOLVED
    assert drill.status == "timed out"
    assert drill.resolved_at is None
    assert drill.seconds_to_resolve is None
    assert [i.id for i in engine.open_incidents() if i.drill_id == drill.id] == []
    assert [i.title for i in engine.open_incidents()] == []


async def test_phi_drill_keeps_real_suspension(engine, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO healthcare.phi_access_suspensions (user_name, reason) "
            "VALUES ('contractor017', 'privacy officer: case 123')"
        )

    drill = await asyncio.wait_for(
        engine.trigger_drill("phi_exposure", "test", auto_remediate=True), 30
    )

    with psycopg.connect(database_url) as connection:
        (reason,) = connection.execute(
            "SELECT reason FROM healthcare.phi_access_suspensions "
            "WHERE user_name = 'contractor017'"
        ).fetchone()
    assert drill.status == "failed"
    assert "contractor017 is already suspended" in drill.error
    assert "case 123" in drill.error
    assert reason == "privacy officer: case 123"


async def test_phi_rollback_keeps_later_suspension(engine, database_url, config):
    config.chaos.scenarios["phi_exposure"].max_duration_seconds = 3
    events = engine.bus.subscribe()
    task = engine.drills.start("phi_exposure", "test", auto_remediate=False)
    while True:
        event = await asyncio.wait_for(events.get(), 10)
        if getattr(event, "phase", None) == "injected":
            break
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO healthcare.phi_access_suspensions (user_name, reason) "
            "VALUES ('contractor017', 'security officer: report 4411')"
        )

    drill = await asyncio.wait_for(task, 30)

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT reason FROM healthcare.phi_access_suspensions"
        ).fetchall()
    assert rows == [("security officer: report 4411",)]
    assert drill.status != "passed"
