"""The chaos kill switch on the real embedded PostgreSQL: an open incident that
no drill caused rejects new drills and rolls back a running one."""

from __future__ import annotations

import asyncio
import time

import pytest

from engine.chaos.interlocks import KillSwitchEngaged
from engine.incidents.models import Status
from tests.integration.test_drills import chaos_sessions, claims_state


def report_incident(engine, severity: str):
    return engine.create_incident(
        "disk_full", f"data volume full ({severity})", "alice", severity=severity
    )


def resolve(engine, incident_id: int) -> None:
    engine.escalate(incident_id, "alice")
    engine.resolve(incident_id, "alice")


async def wait_until(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(0.1)


async def test_critical_incident_rejects_drill(engine):
    incident = report_incident(engine, "critical")

    with pytest.raises(KillSwitchEngaged) as raised:
        engine.trigger_drill("deadlock", "test")

    message = str(raised.value)
    assert raised.value.incident_id == incident.id
    assert f"incident {incident.id}" in message
    assert incident.title in message
    assert "critical" in message
    assert engine.current_drill is None


async def test_kill_switch_shown_as_blocked_by(engine):
    incident = report_incident(engine, "critical")

    states = engine.scenarios()

    for state in states:
        assert state.blocked_by is not None, state.name
        assert f"incident {incident.id}" in state.blocked_by, state.name


async def test_warning_incident_allows_drill(engine):
    report_incident(engine, "warning")

    drill = await asyncio.wait_for(
        engine.trigger_drill("deadlock", "test", auto_remediate=True), 60
    )

    assert drill.status == "passed", drill.error


async def test_warning_threshold_rejects_warning(engine, config):
    config.chaos.kill_switch_severity = "warning"
    report_incident(engine, "warning")

    with pytest.raises(KillSwitchEngaged):
        engine.trigger_drill("deadlock", "test")


async def test_critical_incident_rolls_back_drill(engine, config, database_url):
    config.chaos.scenarios["long_running_query"].params["hold_seconds"] = 60
    before = claims_state(database_url)
    task = engine.trigger_drill("long_running_query", "test", auto_remediate=False)
    await wait_until(lambda: engine.current_drill.detected_at is not None)

    incident = report_incident(engine, "critical")
    drill = await asyncio.wait_for(task, 20)

    assert drill.status == "aborted"
    assert "kill switch" in drill.error
    assert f"incident {incident.id}" in drill.error
    assert drill.rolled_back_at is not None
    assert engine.current_drill is None
    assert claims_state(database_url) == before
    assert chaos_sessions(database_url) == 0
    # The drill's own incident escalates, and may resolve once the fault clears.
    drill_incident = engine.get_incident(drill.incident_id)
    escalations = [e for e in drill_incident.timeline if e.actor == "chaos"]
    assert escalations[0].to_status is Status.ESCALATED
    assert engine.get_incident(incident.id).status is Status.DETECTED


async def test_resolving_incident_reenables_drills(engine):
    incident = report_incident(engine, "critical")
    with pytest.raises(KillSwitchEngaged):
        engine.trigger_drill("deadlock", "test")

    resolve(engine, incident.id)
    drill = await asyncio.wait_for(
        engine.trigger_drill("deadlock", "test", auto_remediate=True), 60
    )

    assert drill.status == "passed", drill.error
    assert all(state.blocked_by is None for state in engine.scenarios())


async def test_polled_incident_of_other_kind_rolls_back_drill(engine, config):
    """A finding the scenario does not cause is not the drill's, even when a
    poll opens it mid-drill, so it trips the kill switch."""
    from engine.monitor.findings import Finding, FindingKind, Severity
    from engine.store.database import utc_now

    config.chaos.scenarios["long_running_query"].params["hold_seconds"] = 60
    task = engine.trigger_drill("long_running_query", "test", auto_remediate=False)
    await wait_until(lambda: engine.current_drill.detected_at is not None)
    drill_id = engine.current_drill.id

    finding = Finding(
        kind=FindingKind.TARGET_UNREACHABLE,
        dedup_key="target_unreachable:test",
        severity=Severity.CRITICAL,
        title="target test unreachable",
        root_cause="connection refused",
    )
    (opened,) = engine.incidents.observe(
        "test", [finding], utc_now(), clear_others=False
    )
    drill = await asyncio.wait_for(task, 20)

    assert opened.drill_id is None
    assert drill.status == "aborted"
    assert f"incident {opened.id}" in drill.error
    own = engine.get_incident(drill.incident_id)
    assert own.drill_id == drill_id
    assert own.kind == "blocking"
