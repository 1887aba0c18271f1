"""Each chaos drill end to end on the real embedded PostgreSQL."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from engine.chaos.interlocks import (
    ChaosNotAllowed,
    CooldownActive,
    DrillAlreadyRunning,
    UnknownScenario,
)
from engine.incidents.models import Status

CLAIM_COLUMNS = "claim_id, service_date, claim_status, updated_at"


def claims_state(url: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            f"SELECT {CLAIM_COLUMNS} FROM healthcare.pharmacy_claims ORDER BY claim_id"
        ).fetchall()


def chaos_sessions(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name LIKE 'warroom-chaos-%'"
        ).fetchone()
    return row[0]


@pytest.mark.parametrize(
    ("scenario", "kind"),
    [
        ("long_running_query", "blocking"),
        ("connection_flood", "connections"),
        ("deadlock", "deadlock"),
    ],
)
async def test_drill_end_to_end(engine, database_url, scenario, kind):
    before = claims_state(database_url)

    drill = await asyncio.wait_for(
        engine.trigger_drill(scenario, "test", auto_remediate=True), 60
    )

    assert drill.status == "passed", drill.error
    assert drill.detected_at is not None
    assert drill.resolved_at is not None
    assert drill.rolled_back_at is not None
    incident = engine.get_incident(drill.incident_id)
    assert incident.kind == kind
    assert incident.status is Status.RESOLVED
    assert incident.drill_id == drill.id
    assert "Root cause" in engine.postmortem(incident.id)
    # Poll interval is 0.25 s in tests, so detection is far inside 2 s.
    assert drill.seconds_to_detect < 2.0
    assert claims_state(database_url) == before
    assert chaos_sessions(database_url) == 0


async def test_deadlock_counted_by_server(engine):
    drill = await asyncio.wait_for(
        engine.trigger_drill("deadlock", "test", auto_remediate=True), 60
    )
    await asyncio.sleep(0.6)

    incidents = engine.list_incidents(kind="deadlock")

    # The live cycle (if a poll saw it) and the counter share one incident.
    assert len(incidents) == 1
    assert incidents[0].drill_id == drill.id
    assert incidents[0].status is Status.RESOLVED
    assert incidents[0].peak["deadlocks"] == 1


async def test_long_running_query_kills_head_only(engine):
    drill = await asyncio.wait_for(
        engine.trigger_drill("long_running_query", "test", auto_remediate=True), 60
    )
    incident = engine.get_incident(drill.incident_id)
    actions = [entry for entry in incident.timeline if "remediation" in entry.action]

    assert len(actions) == 1
    assert f"terminated session {incident.session_id} " in actions[0].message
    assert incident.peak["blocked_sessions"] == 3


async def first_incident(engine) -> int:
    """Wait for the running drill's first incident and return its id."""
    while True:
        drill = engine.drills.current
        if drill is not None and drill.incident_id is not None:
            return drill.incident_id
        await asyncio.sleep(0.1)


async def test_remediation_by_hand_timed(engine):
    task = engine.trigger_drill("long_running_query", "test", auto_remediate=False)

    incident_id = await asyncio.wait_for(first_incident(engine), 30)

    plan = await engine.remediate(incident_id, "alice", dry_run=True)
    previewed = engine.drills.current.remediated_at
    result = await engine.remediate(incident_id, "alice")
    drill = await asyncio.wait_for(task, 60)

    assert plan.succeeded
    assert previewed is None
    assert result.succeeded
    assert drill.status == "passed"
    assert drill.remediated_at is not None
    assert drill.injected_at <= drill.remediated_at <= drill.resolved_at


async def test_resolve_without_fix_does_not_pass(engine):
    task = engine.trigger_drill("long_running_query", "test", auto_remediate=False)

    async def recurrence(drill_id: int, after: int) -> int:
        while True:
            for incident in engine.open_incidents():
                if incident.drill_id == drill_id and incident.id > after:
                    return incident.id
            await asyncio.sleep(0.1)

    first = await asyncio.wait_for(first_incident(engine), 30)
    drill_id = engine.drills.current.id
    # Escalate and resolve by hand while the blocker still holds its lock.
    engine.transition(first, Status.ESCALATED, "alice")
    engine.resolve(first, "alice")
    second = await asyncio.wait_for(recurrence(drill_id, first), 30)
    still_running = engine.drills.current is not None
    await engine.remediate(second, "alice")
    drill = await asyncio.wait_for(task, 60)

    assert still_running
    assert drill.status == "passed"
    assert drill.resolved_at == engine.get_incident(second).resolved_at
    assert drill.remediated_at is not None


async def test_drill_sessions_long_queries_tagged(engine, config):
    config.warroom.thresholds.long_query_seconds = 1
    task = engine.trigger_drill("long_running_query", "test", auto_remediate=False)

    async def long_queries() -> list:
        while True:
            found = [i for i in engine.open_incidents() if i.kind == "long_query"]
            drill = engine.drills.current
            if found and drill is not None and drill.incident_id is not None:
                return found
            await asyncio.sleep(0.1)

    found = await asyncio.wait_for(long_queries(), 30)
    drill_id = engine.drills.current.id
    await engine.remediate(engine.drills.current.incident_id, "alice")
    drill = await asyncio.wait_for(task, 60)

    assert drill.status == "passed"
    assert [incident.drill_id for incident in found] == [drill_id] * len(found)


async def test_drill_without_remediation_times_out(engine, config):
    # remediation.auto leaves a drill's incidents to the drill, which was
    # started without remediation.
    config.warroom.remediation.auto = True
    config.chaos.scenarios["long_running_query"].max_duration_seconds = 2
    config.chaos.scenarios["long_running_query"].params["hold_seconds"] = 30

    drill = await asyncio.wait_for(
        engine.trigger_drill("long_running_query", "test", auto_remediate=False), 30
    )

    assert drill.status == "timed out"
    assert drill.detected_at is not None
    assert drill.resolved_at is None
    assert drill.rolled_back_at is not None
    assert not drill.passed
    # No drill drives the incident once its drill has ended, so it escalates.
    incident = engine.get_incident(drill.incident_id)
    assert incident.status is Status.ESCALATED


async def test_second_drill_is_rejected(engine):
    task = engine.trigger_drill("long_running_query", "test", auto_remediate=True)
    try:
        with pytest.raises(DrillAlreadyRunning):
            engine.trigger_drill("deadlock", "test")
    finally:
        await asyncio.wait_for(task, 60)


async def test_cooldown_rejects_rerun(engine, config):
    config.chaos.scenarios["deadlock"].cooldown_seconds = 600
    await asyncio.wait_for(
        engine.trigger_drill("deadlock", "test", auto_remediate=True), 60
    )

    with pytest.raises(CooldownActive) as raised:
        engine.trigger_drill("deadlock", "test")

    assert raised.value.remaining > 500


async def test_chaos_refused_on_named_target(engine, config):
    config.warroom.target.url = "postgresql://elsewhere/db"

    with pytest.raises(ChaosNotAllowed) as raised:
        engine.trigger_drill("deadlock", "test")

    assert "allow_chaos" in str(raised.value)


async def test_unknown_scenario_rejected(engine):
    with pytest.raises(UnknownScenario):
        engine.trigger_drill("disk_full", "test")


FORMULARY_COLUMNS = "ndc, tier, prior_auth_required, effective_date, updated_at"


def formulary_row(url: str) -> dict:
    with psycopg.connect(url) as connection:
        cursor = connection.execute(
            f"SELECT {FORMULARY_COLUMNS} FROM healthcare.formulary ORDER BY ndc LIMIT 1"
        )
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def journal_formulary_row(engine, original: dict):
    """Record a formulary_change drill that journaled ``original`` and then
    crashed."""
    drills = engine.drills.drills
    drill = drills.create("formulary_change", "test", "test", engine.target.identity)
    drills.journal(
        drill.id,
        "healthcare.formulary",
        {"ndc": original["ndc"]},
        original,
        "row",
        {"tier": 3, "prior_auth_required": True},
    )
    return drill


def set_formulary(url: str, ndc: str, tier: int, prior_auth: bool) -> None:
    with psycopg.connect(url) as connection:
        connection.execute(
            "UPDATE healthcare.formulary SET tier = %s, prior_auth_required = %s "
            "WHERE ndc = %s",
            (tier, prior_auth, ndc),
        )


async def test_rollback_after_crash_restores_rows(engine, database_url):
    """A journal left by a crashed drill is restored when the engine recovers."""
    original = formulary_row(database_url)
    drill = journal_formulary_row(engine, original)
    set_formulary(database_url, original["ndc"], 3, True)

    await engine.drills.recover()

    drills = engine.drills.drills
    assert formulary_row(database_url) == original
    assert drills.get(drill.id).status == "interrupted"
    assert drills.pending_journal() == []
    assert engine.drills.recovery_notes == [
        f"drill {drill.id} (formulary_change) was interrupted: engine stopped "
        "during the drill; its sessions are ended and its rows restored"
    ]


async def test_row_changed_since_drill_kept(engine, database_url):
    """A row someone changed after the drill did is left as it is."""
    original = formulary_row(database_url)
    drill = journal_formulary_row(engine, original)
    tier = 2 if original["tier"] != 2 else 1
    set_formulary(database_url, original["ndc"], tier, False)

    await engine.drills.recover()

    after = formulary_row(database_url)
    assert (after["tier"], after["prior_auth_required"]) == (tier, False)
    assert engine.drills.drills.pending_journal(drill.id) == []
    assert engine.drills.drills.get(drill.id).rolled_back_at is not None


async def test_claim_drill_changes_no_claim(engine, database_url):
    """The claim drills lock claims with an update that changes no value, so
    a claim the application adjudicates during the drill keeps that change."""
    before = claims_state(database_url)
    claim_id = before[-1][0]

    async def adjudicate_when_blocked() -> None:
        await asyncio.sleep(1.0)
        with psycopg.connect(database_url) as connection:
            connection.execute(
                "UPDATE healthcare.pharmacy_claims SET claim_status = 'reversed' "
                "WHERE claim_id = %s",
                (claim_id,),
            )

    adjudication = asyncio.create_task(adjudicate_when_blocked())
    drill = await asyncio.wait_for(
        engine.trigger_drill("long_running_query", "test", auto_remediate=True), 60
    )
    await adjudication

    after = {row[0]: row for row in claims_state(database_url)}
    assert drill.status == "passed", drill.error
    assert engine.drills.drills.journal_entries(drill.id) == []
    assert after[claim_id][2] == "reversed"
    assert after[claim_id][3] == before[-1][3]
    assert [row for row in before if row[0] != claim_id] == [
        after[row[0]] for row in before if row[0] != claim_id
    ]


async def test_legacy_claim_entry_keeps_later_change(engine, database_url):
    """An ``update`` entry of an older version is closed without writing."""
    before = claims_state(database_url)
    claim_id, service_date, status, updated_at = before[-1]
    drills = engine.drills.drills
    drill = drills.create("long_running_query", "test", "test")
    drills.journal(
        drill.id,
        "healthcare.pharmacy_claims",
        {"claim_id": claim_id, "service_date": service_date},
        {"claim_status": status, "updated_at": updated_at},
    )
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "UPDATE healthcare.pharmacy_claims SET claim_status = 'reversed' "
            "WHERE claim_id = %s",
            (claim_id,),
        )

    await engine.drills.recover()

    after = claims_state(database_url)
    assert after[-1][2] == "reversed"
    assert drills.get(drill.id).status == "interrupted"
    assert drills.pending_journal() == []


async def test_chaos_sessions_outlive_statement_timeout(database_url, tmp_path):
    """The engine's statement_timeout must not cut a drill's fault short."""
    from engine.service import Engine
    from engine.targets.postgres import PostgresTarget
    from tests.conftest import fast_config

    config = fast_config()
    config.chaos.scenarios["long_running_query"].max_duration_seconds = 2.5
    target = PostgresTarget(
        database_url, name="test", is_local=True, statement_timeout=0.5
    )
    engine = Engine(config, target, tmp_path / "state.db")
    await engine.start()
    try:
        drill = await asyncio.wait_for(
            engine.trigger_drill("long_running_query", "test", auto_remediate=False),
            30,
        )
        incident = engine.get_incident(drill.incident_id)
    finally:
        await engine.stop()

    assert drill.status == "timed out"
    assert incident.occurrences >= 5


async def test_recovery_ends_leftover_chaos_sessions(engine, database_url):
    """After a crash mid-drill, leftover sessions that hold the drill's row
    locks are terminated before the row is restored."""
    original = formulary_row(database_url)
    drill = journal_formulary_row(engine, original)
    leftover = await psycopg.AsyncConnection.connect(
        database_url, application_name="warroom-chaos-formulary_change"
    )
    await leftover.execute(
        "UPDATE healthcare.formulary SET tier = 3 WHERE ndc = %s",
        (original["ndc"],),
    )
    incident = engine.create_incident("validation", "left by the crash", "test")
    engine.incidents.repository.store.execute(
        "UPDATE incidents SET drill_id = ? WHERE id = ?", (drill.id, incident.id)
    )

    await asyncio.wait_for(engine.drills.recover(), 10)

    drills = engine.drills.drills
    assert chaos_sessions(database_url) == 0
    assert formulary_row(database_url) == original
    assert drills.get(drill.id).status == "interrupted"
    assert engine.get_incident(incident.id).status is Status.ESCALATED
    await leftover.close()


async def test_timed_out_drill_escalates_its_incident(engine, config):
    config.chaos.scenarios["long_running_query"].max_duration_seconds = 2

    drill = await asyncio.wait_for(
        engine.trigger_drill("long_running_query", "test", auto_remediate=False), 30
    )
    incident = engine.get_incident(drill.incident_id)

    assert incident.status in (Status.ESCALATED, Status.RESOLVED)
    assert any(entry.actor == "chaos" for entry in incident.timeline)


async def test_scenarios_show_why_blocked(engine, config):
    ready = {state.name: state.blocked_by for state in engine.scenarios()}
    config.warroom.target.url = "postgresql://elsewhere/db"

    blocked = {state.name: state.blocked_by for state in engine.scenarios()}

    assert set(ready.values()) == {None}
    assert all("allow_chaos" in reason for reason in blocked.values())


async def test_drill_incident_starts_at_inject(engine):
    drill = await asyncio.wait_for(
        engine.trigger_drill("deadlock", "test", auto_remediate=True), 60
    )
    incident = engine.get_incident(drill.incident_id)

    assert incident.started_at <= drill.injected_at
    assert incident.seconds_to_detect >= drill.seconds_to_detect
