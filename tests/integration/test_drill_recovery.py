"""Recovery of drills that a crash or a failed rollback left behind.

One entry that cannot be restored does not hold up the others. A journal is
replayed only on the database it came from. No drill starts while rows are
still out."""

from __future__ import annotations

import asyncio
import itertools

import psycopg
import pytest

from engine.chaos.interlocks import RollbackIncomplete
from engine.chaos.journal import MAX_FAILURES_IN_A_ROW
from engine.events import DrillProgress
from engine.incidents.models import Status
from engine.monitor.findings import Finding, FindingKind, Severity
from engine.store.database import utc_now

_numbers = itertools.count(1)


def add_customer(url: str, with_order: bool, without_email: bool = False) -> int:
    email = None if without_email else f"left{next(_numbers)}@example.com"
    with psycopg.connect(url, autocommit=True) as connection:
        (customer_id,) = connection.execute(
            "INSERT INTO commerce.customers (email, first_name, last_name, state) "
            "VALUES (%s, 'Left', 'Over', 'TX') RETURNING customer_id",
            (email,),
        ).fetchone()
        if with_order:
            connection.execute(
                "INSERT INTO commerce.orders (customer_id, total_amount) "
                "VALUES (%s, 10)",
                (customer_id,),
            )
    return customer_id


def drain(queue: asyncio.Queue) -> list:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


def customer_exists(url: str, customer_id: int) -> bool:
    with psycopg.connect(url) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM commerce.customers WHERE customer_id = %s",
            (customer_id,),
        ).fetchone()
    return count == 1


def interrupted_insert(engine, customer_id: int, identity: str | None):
    """Record a running data_corruption drill that added ``customer_id``."""
    drills = engine.drills.drills
    drill = drills.create("data_corruption", engine.target_name, "test", identity)
    drills.journal(
        drill.id, "commerce.customers", {"customer_id": customer_id}, {}, "insert"
    )
    return drill


async def test_failed_entry_leaves_others_restored(engine, database_url):
    # An order references the first drill's customer, so deleting it fails.
    stuck = add_customer(database_url, with_order=True)
    free = add_customer(database_url, with_order=False)
    first = interrupted_insert(engine, stuck, engine.target.identity)
    second = interrupted_insert(engine, free, engine.target.identity)
    drills = engine.drills.drills

    await engine.drills.recover()

    failed = drills.get(first.id)
    assert failed.status == "interrupted"
    assert failed.rolled_back_at is None
    assert "1 journal entry(s) not restored: commerce.customers" in failed.error
    assert "tried again every 60 s and at each start" in failed.error
    assert len(drills.pending_journal(first.id)) == 1
    assert customer_exists(database_url, stuck)
    restored = drills.get(second.id)
    assert restored.status == "interrupted"
    assert restored.rolled_back_at is not None
    assert not customer_exists(database_url, free)
    assert drills.running(engine.target_name) == []


async def test_restore_stops_after_failures_in_a_row(engine, database_url):
    stuck = [add_customer(database_url, with_order=True) for _ in range(5)]
    drill = interrupted_insert(engine, stuck[0], engine.target.identity)
    for customer_id in stuck[1:]:
        engine.drills.drills.journal(
            drill.id, "commerce.customers", {"customer_id": customer_id}, {}, "insert"
        )

    result = await engine.drills.journal.restore(drill.id)

    assert result.restored == 0
    assert len(result.failures) == MAX_FAILURES_IN_A_ROW
    assert result.untried == 5 - MAX_FAILURES_IN_A_ROW
    assert result.summary().startswith("5 journal entry(s) not restored")
    assert result.summary().endswith("2 more not tried after 3 failures in a row")
    assert len(engine.drills.drills.pending_journal(drill.id)) == 5


async def test_no_drill_while_rows_are_out(engine, database_url):
    stuck = add_customer(database_url, with_order=True)
    drill = interrupted_insert(engine, stuck, engine.target.identity)
    await engine.drills.recover()

    assert engine.drills.recovery_notes[-1].startswith(f"drill {drill.id} left rows")
    with pytest.raises(RollbackIncomplete, match=f"drill {drill.id} left rows"):
        engine.trigger_drill("deadlock", "test")
    blocked = {state.name: state.blocked_by for state in engine.scenarios()}
    assert all(f"drill {drill.id} left rows" in reason for reason in blocked.values())


async def incident_of_stuck_row(engine, database_url):
    """Record a drill's insert of a customer without an email that an order
    keeps from being undone, and return the drill, the customer's id and the
    validation incident the customer opens."""
    stuck = add_customer(database_url, with_order=True, without_email=True)
    drill = interrupted_insert(engine, stuck, engine.target.identity)
    await engine.drills.recover()
    await engine.run_checks()
    await engine.poll_once()
    (incident,) = [i for i in engine.open_incidents() if i.kind == "validation"]
    return drill, stuck, incident


def free_customer(database_url: str, customer_id: int) -> None:
    """Delete the order that keeps ``customer_id`` from being restored."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "DELETE FROM commerce.orders WHERE customer_id = %s", (customer_id,)
        )


async def test_incident_names_rows_still_out(engine, database_url):
    drill, _stuck, incident = await incident_of_stuck_row(engine, database_url)

    notes = [entry.message for entry in engine.get_incident(incident.id).timeline]
    assert incident.drill_id is None
    assert any(
        note.startswith(f"drill {drill.id} (data_corruption) left rows")
        for note in notes
    ), notes


async def test_noted_incident_resolves_after_restore(engine, database_url):
    drill, stuck, incident = await incident_of_stuck_row(engine, database_url)
    free_customer(database_url, stuck)

    await engine.drills.retry_leftovers()

    restoring = engine.get_incident(incident.id)
    assert restoring.status is Status.REMEDIATING
    assert restoring.timeline[-1].message.startswith(
        f"the rows drill {drill.id} (data_corruption) left out are restored"
    )
    await engine.run_checks()
    for _ in range(engine.config.warroom.incidents.clear_polls):
        await engine.poll_once()
    assert engine.get_incident(incident.id).status is Status.RESOLVED


async def test_noted_incident_with_real_fault_stays_open(engine, database_url):
    _drill, stuck, incident = await incident_of_stuck_row(engine, database_url)
    # A customer without an email that no drill added, so a real fault.
    add_customer(database_url, with_order=False, without_email=True)
    free_customer(database_url, stuck)

    await engine.drills.retry_leftovers()
    await engine.run_checks()
    for _ in range(engine.config.warroom.incidents.clear_polls + 1):
        await engine.poll_once()

    assert engine.drills.unrestored() is None
    assert engine.get_incident(incident.id).status is Status.REMEDIATING


async def test_retry_restores_once_cause_is_gone(engine, database_url):
    stuck = add_customer(database_url, with_order=True)
    drill = interrupted_insert(engine, stuck, engine.target.identity)
    await engine.drills.recover()
    free_customer(database_url, stuck)
    events = engine.bus.subscribe()

    await engine.drills.retry_leftovers()

    progress = [event for event in drain(events) if isinstance(event, DrillProgress)]
    after = engine.drills.drills.get(drill.id)
    assert [(event.drill_id, event.phase) for event in progress] == [
        (drill.id, "restored")
    ]
    assert progress[0].figures["final"] is True
    assert not customer_exists(database_url, stuck)
    assert after.rolled_back_at is not None
    assert after.error.endswith("rows restored later")
    assert engine.drills.unrestored() is None


async def test_journal_of_other_database_not_replayed(engine, database_url):
    customer_id = add_customer(database_url, with_order=False)
    other = "postgresql://postgres@elsewhere/warroom_demo"
    drill = interrupted_insert(engine, customer_id, other)

    await engine.drills.recover()
    await engine.drills.retry_leftovers()

    drills = engine.drills.drills
    assert customer_exists(database_url, customer_id)
    assert drills.get(drill.id).status == "running"
    assert len(drills.pending_journal(drill.id)) == 1
    assert engine.drills.unrestored() is None


async def test_drill_records_target_identity(engine):
    drill = await engine.drills.run("deadlock", "test", auto_remediate=True)

    assert engine.drills.drills.get(drill.id).target_identity == (
        engine.target.identity
    )


async def test_stop_reports_rows_still_out(database_url, tmp_path):
    from engine.service import Engine
    from engine.targets.postgres import PostgresTarget
    from tests.conftest import fast_config

    target = PostgresTarget(database_url, name="test", is_local=True)
    engine = Engine(fast_config(), target, tmp_path / "state.db")
    await engine.start(poll=False)
    stuck = add_customer(database_url, with_order=True)
    drill = interrupted_insert(engine, stuck, engine.target.identity)
    await engine.drills.recover()

    await engine.stop()

    assert engine.unrestored_at_stop is not None
    assert engine.unrestored_at_stop.startswith(f"drill {drill.id} left rows")


async def stop_during_locked_rollback(database_url, tmp_path, hold: float):
    """Start a phi_exposure drill, keep its rows locked from its inject, stop
    the engine once it rolls back and release the lock ``hold`` seconds into
    the stop. Return the engine, whether the stop was still waiting at the
    release, and the drill's rows left."""
    from engine.service import Engine
    from engine.targets.postgres import PostgresTarget
    from tests.conftest import fast_config

    config = fast_config()
    config.chaos.scenarios["phi_exposure"].max_duration_seconds = 2
    # Each locked entry waits 1 s, so three in a row fail within about 3 s.
    target = PostgresTarget(database_url, name="test", statement_timeout=1)
    engine = Engine(config, target, tmp_path / "state.db")
    await engine.start()
    events = engine.bus.subscribe()
    engine.drills.start("phi_exposure", "test", auto_remediate=False)
    locker = await psycopg.AsyncConnection.connect(database_url)
    phase = None
    while phase != "rolling back":
        event = await asyncio.wait_for(events.get(), 10)
        phase = getattr(event, "phase", None)
        if phase == "injected":
            await locker.execute(
                "SELECT 1 FROM healthcare.phi_access_log "
                "WHERE user_name = 'contractor017' FOR UPDATE"
            )

    stopping = asyncio.ensure_future(engine.stop())
    await asyncio.sleep(hold)
    waited = not stopping.done()
    await locker.rollback()
    await asyncio.wait_for(stopping, 40)
    await locker.close()
    with psycopg.connect(database_url) as connection:
        (left,) = connection.execute(
            "SELECT count(*) FROM healthcare.phi_access_log "
            "WHERE user_name = 'contractor017'"
        ).fetchone()
    return engine, waited, left


async def test_stop_waits_for_rollback(database_url, tmp_path):
    engine, waited, left = await stop_during_locked_rollback(
        database_url, tmp_path, 0.5
    )

    assert waited
    assert left == 0
    assert engine.drill_at_stop is not None
    assert engine.drill_at_stop.rolled_back_at is not None
    assert engine.unrestored_at_stop is None


async def test_stop_retries_rows_left_locked(database_url, tmp_path):
    # The lock outlasts the rollback's first try, not the stop's deadline.
    engine, waited, left = await stop_during_locked_rollback(database_url, tmp_path, 6)

    assert waited
    assert left == 0
    assert engine.unrestored_at_stop is None
    assert engine.drill_at_stop.error.endswith("rows restored later")


async def test_interrupted_job_drill_reruns_job(engine):
    drills = engine.drills.drills
    drill = drills.create("job_failure", engine.target_name, "test", None)
    finding = Finding(
        kind=FindingKind.JOB_FAILURE,
        dedup_key="job:statistics_maintenance",
        severity=Severity.CRITICAL,
        title="critical job statistics_maintenance timed out",
        root_cause="left by the crash",
        metrics={"job": "statistics_maintenance"},
    )
    (incident,) = engine.incidents.observe(
        engine.target_name, [finding], utc_now(), clear_others=False
    )
    engine.incidents.repository.store.execute(
        "UPDATE incidents SET drill_id = ? WHERE id = ?", (drill.id, incident.id)
    )

    await engine.drills.recover()
    for _ in range(100):
        if engine.get_incident(incident.id).status is Status.RESOLVED:
            break
        await asyncio.sleep(0.1)

    after = engine.get_incident(incident.id)
    actions = [entry.action for entry in after.timeline]
    assert after.status is Status.RESOLVED
    assert actions.index("escalated") < actions.index("job run again")


async def test_incident_of_other_target_blocks_nothing(engine):
    finding = Finding(
        kind=FindingKind.VALIDATION,
        dedup_key="validation:customers_email_present",
        severity=Severity.WARNING,
        title="rule customers_email_present failed",
        root_cause="seen on another database",
    )
    engine.incidents.observe("elsewhere", [finding], utc_now(), clear_others=False)

    blocked = {state.name: state.blocked_by for state in engine.scenarios()}

    assert blocked["data_corruption"] is None


async def test_start_notes_earlier_rows_still_out(engine, database_url):
    stuck = add_customer(database_url, with_order=True)
    drill = interrupted_insert(engine, stuck, engine.target.identity)
    drill.status = "failed"
    drill.error = "rollback failed: the target went away"
    engine.drills.drills.save(drill)

    await engine.drills.recover()

    (note,) = engine.drills.recovery_notes
    assert note.startswith(f"drill {drill.id} left rows not yet restored")
    assert "the target went away" in note
    assert len(engine.drills.drills.pending_journal(drill.id)) == 1
