"""The six data and job drills end to end on the real embedded PostgreSQL:
inject, detect, remediate, resolve, and a rollback that leaves every touched
table as it was (row count and a digest of its contents)."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from engine.chaos.scenarios import SCENARIOS
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
