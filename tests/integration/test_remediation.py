"""Remediation actions and their guards on real sessions."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from engine.remediation.actions import (
    _terminate,
    cancel_long_query,
    cleanup_stale,
    kill_blocking_session,
    terminate_idle_transaction,
)


def alive(admin_url: str, pid: int) -> bool:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
    return row[0] == 1


async def blocking_pair(url: str, table: str = "healthcare.medications"):
    """Return (holder, waiter connections, waiter task): the holder is idle in
    a transaction holding a row lock the waiter needs."""
    holder = await psycopg.AsyncConnection.connect(url, application_name="app-holder")
    await holder.execute(f"SELECT * FROM {table} ORDER BY 1 LIMIT 1 FOR UPDATE")
    waiter = await psycopg.AsyncConnection.connect(
        url, autocommit=True, application_name="app-waiter"
    )
    task = asyncio.ensure_future(
        waiter.execute(
            f"SELECT * FROM (SELECT * FROM {table} ORDER BY 1 LIMIT 1) AS first "
            "FOR UPDATE"
        )
    )
    await asyncio.sleep(0.3)
    return holder, waiter, task


async def close_all(*connections) -> None:
    for connection in connections:
        await connection.close()


@pytest.fixture
def admin_url(pg_server):
    return pg_server.url("postgres")


async def test_kill_head_blocker(engine, database_url, admin_url):
    holder, waiter, task = await blocking_pair(database_url)
    pid = holder.info.backend_pid

    result = await kill_blocking_session(engine.target, pid)

    assert result.succeeded, result.message
    assert result.terminated == [pid]
    await asyncio.wait_for(task, 5)
    assert not alive(admin_url, pid)
    await close_all(holder, waiter)


async def test_dry_run_kills_nothing(engine, database_url, admin_url):
    holder, waiter, task = await blocking_pair(database_url)
    pid = holder.info.backend_pid

    result = await kill_blocking_session(engine.target, pid, dry_run=True)

    assert result.succeeded
    assert result.dry_run
    assert result.message.startswith("would terminate")
    assert result.terminated == [pid]
    assert alive(admin_url, pid)
    await holder.rollback()
    await asyncio.wait_for(task, 5)
    await close_all(holder, waiter)


async def test_waiter_is_not_head(engine, database_url, admin_url):
    holder, waiter, task = await blocking_pair(database_url)
    pid = waiter.info.backend_pid

    result = await kill_blocking_session(engine.target, pid)

    assert not result.succeeded
    assert "not a head blocker" in result.message
    assert alive(admin_url, pid)
    await holder.rollback()
    await asyncio.wait_for(task, 5)
    await close_all(holder, waiter)


async def test_own_session_never_killed(engine, admin_url):
    own = sorted(await engine.target.own_session_ids())

    for pid in own:
        for action in (kill_blocking_session, terminate_idle_transaction):
            result = await action(engine.target, pid)
            assert not result.succeeded
            assert "engine's own" in result.message
    assert all(alive(admin_url, pid) for pid in own)


async def test_system_session_never_killed(engine, admin_url):
    with psycopg.connect(admin_url) as connection:
        pid = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
        ).fetchone()[0]

    result = await kill_blocking_session(engine.target, pid)

    assert not result.succeeded
    assert "system session" in result.message
    assert alive(admin_url, pid)


async def test_other_database_never_killed(engine, pg_server, admin_url):
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS guard_probe (id int)")
        connection.execute("INSERT INTO guard_probe VALUES (1)")
    holder, waiter, task = await blocking_pair(admin_url, "guard_probe")
    pid = holder.info.backend_pid

    refused = await kill_blocking_session(engine.target, pid)

    assert not refused.succeeded
    assert "allow_cross_database_kill" in refused.message
    assert alive(admin_url, pid)

    allowed = await kill_blocking_session(engine.target, pid, allow_cross_database=True)
    assert allowed.succeeded, allowed.message
    await asyncio.wait_for(task, 5)
    await close_all(holder, waiter)


async def test_cleanup_stale_only_that_application(engine, database_url, admin_url):
    stale = [
        await psycopg.AsyncConnection.connect(
            database_url, autocommit=True, application_name="leaky-app"
        )
        for _ in range(3)
    ]
    other = await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, application_name="healthy-app"
    )
    await asyncio.sleep(0.6)

    result = await cleanup_stale(engine.target, "leaky-app", idle_seconds=0.5)

    assert result.succeeded, result.message
    assert sorted(result.terminated) == sorted(c.info.backend_pid for c in stale)
    assert alive(admin_url, other.info.backend_pid)
    await close_all(*stale, other)


async def test_cleanup_stale_spares_young_sessions(engine, database_url):
    young = await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, application_name="young-app"
    )

    result = await cleanup_stale(engine.target, "young-app", idle_seconds=60)

    assert not result.succeeded
    assert result.retryable
    assert result.terminated == []
    await young.close()


async def test_idle_transaction_terminated(engine, database_url, admin_url):
    idle = await psycopg.AsyncConnection.connect(database_url)
    await idle.execute("SELECT 1")
    pid = idle.info.backend_pid

    preview = await terminate_idle_transaction(engine.target, pid, dry_run=True)
    result = await terminate_idle_transaction(engine.target, pid)

    assert preview.terminated == [pid]
    assert result.succeeded, result.message
    assert result.terminated == [pid]
    assert not alive(admin_url, pid)
    await idle.close()


async def test_failed_remediation_escalates(engine, database_url):
    holder, waiter, task = await blocking_pair(database_url)
    await asyncio.sleep(0.6)
    incidents = [i for i in engine.open_incidents() if i.kind == "blocking"]
    assert len(incidents) == 1
    # The blocker ends on its own before remediation runs.
    await holder.rollback()
    await asyncio.wait_for(task, 5)

    result = await engine.remediate(incidents[0].id, "tester")

    assert not result.succeeded
    incident = engine.get_incident(incidents[0].id)
    assert incident.status == "ESCALATED"
    assert incident.timeline[-1].actor == "remediation"
    await close_all(holder, waiter)


async def test_kill_of_ended_session_is_done(engine, database_url):
    holder, waiter, task = await blocking_pair(database_url)
    pid = holder.info.backend_pid
    first = await kill_blocking_session(engine.target, pid)
    await asyncio.wait_for(task, 5)
    # A terminated backend stays in pg_stat_activity until it has exited.
    for _ in range(50):
        snapshot = await engine.target.snapshot()
        if snapshot.session(pid) is None:
            break
        await asyncio.sleep(0.1)

    second = await kill_blocking_session(engine.target, pid)

    assert first.succeeded
    assert second.succeeded
    assert second.terminated == []
    assert "already ended" in second.message
    await close_all(holder, waiter)


async def test_idle_transaction_of_ended_session_is_done(engine, database_url):
    # As for a blocker: the session has gone, so the condition has too.
    idle = await psycopg.AsyncConnection.connect(database_url)
    await idle.execute("SELECT 1")
    pid = idle.info.backend_pid
    await idle.close()
    for _ in range(50):
        if (await engine.target.snapshot()).session(pid) is None:
            break
        await asyncio.sleep(0.1)

    idle_result = await terminate_idle_transaction(engine.target, pid)
    cancel_result = await cancel_long_query(engine.target, pid)

    assert idle_result.succeeded
    assert idle_result.message == f"session {pid} has already ended"
    assert cancel_result.succeeded
    assert cancel_result.message == f"session {pid} has already ended"


async def test_concurrent_remediations_act_once(engine, database_url):
    holder, waiter, task = await blocking_pair(database_url)
    await asyncio.sleep(0.6)
    (incident,) = [i for i in engine.open_incidents() if i.kind == "blocking"]

    first, second = await asyncio.gather(
        engine.remediate(incident.id, "alice", dry_run=False),
        engine.remediate(incident.id, "bob", dry_run=False),
    )

    after = engine.get_incident(incident.id)
    actions = [entry.action for entry in after.timeline]
    assert first.succeeded, first.message
    assert second.succeeded, second.message
    assert second.message.startswith("remediation by alice was already running")
    assert actions.count("remediation: kill_blocking_session") == 1
    assert after.status == "REMEDIATING"
    await asyncio.wait_for(task, 5)
    await close_all(holder, waiter)


async def test_terminate_of_vanished_session_is_done(engine, database_url):
    # The session ends between the snapshot and the signal.
    closed = await psycopg.AsyncConnection.connect(database_url)
    pid = closed.info.backend_pid
    await closed.close()
    for _ in range(50):
        if (await engine.target.snapshot()).session(pid) is None:
            break
        await asyncio.sleep(0.1)

    result = await _terminate(
        engine.target, "kill_blocking_session", [pid], f"session {pid}"
    )

    assert result.succeeded
    assert result.terminated == []
    assert result.skipped == {}
    assert result.message == f"session(s) {pid} had already ended"


async def test_cancel_dry_run_names_statement(engine, database_url):
    sleeper = await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, application_name="app-report"
    )
    pid = sleeper.info.backend_pid
    task = asyncio.ensure_future(sleeper.execute("SELECT pg_sleep(3)"))
    await asyncio.sleep(0.5)

    preview = await cancel_long_query(engine.target, pid, dry_run=True)
    result = await cancel_long_query(engine.target, pid)

    assert preview.message.startswith(
        f"would cancel the statement of session {pid} (postgres@app-report), running "
    )
    assert preview.message.endswith(": SELECT pg_sleep(3)")
    assert result.succeeded, result.message
    with pytest.raises(psycopg.errors.QueryCanceled):
        await asyncio.wait_for(task, 5)
    await sleeper.close()


async def deadlock_two_sessions(url: str) -> None:
    """Deadlock two sessions on two patients' rows and close both, then wait
    until pg_stat_database counts the deadlock. The victim's backend flushes
    its statistics as it exits."""
    update = "UPDATE healthcare.patients SET zip_code = zip_code WHERE patient_id = %s"
    first, second = [
        await psycopg.AsyncConnection.connect(url, autocommit=True) for _ in range(2)
    ]
    for connection in (first, second):
        await connection.execute("SET deadlock_timeout = '100ms'")
        await connection.execute("BEGIN")
    await first.execute(update, (1,))
    await second.execute(update, (2,))

    outcomes = await asyncio.gather(
        first.execute(update, (2,)),
        second.execute(update, (1,)),
        return_exceptions=True,
    )

    victims = [o for o in outcomes if isinstance(o, psycopg.errors.DeadlockDetected)]
    assert len(victims) == 1, outcomes
    await close_all(first, second)
    count = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
    for _ in range(50):
        with psycopg.connect(url, autocommit=True) as reader:
            if reader.execute(count).fetchone()[0] >= 1:
                return
        await asyncio.sleep(0.1)
    raise AssertionError("pg_stat_database did not count the deadlock within 5 s")


async def test_remediation_snapshot_leaves_deadlock_to_poll(
    unpolled_engine, database_url
):
    engine = unpolled_engine
    await engine.poll_once()
    await deadlock_two_sessions(database_url)

    # The cleanup_stale_sessions job runs this action on its own schedule,
    # between two polls.
    await cleanup_stale(engine.target, "no-such-app", idle_seconds=600)
    result = await engine.poll_once()

    deadlocks = [i for i in engine.open_incidents() if i.kind == "deadlock"]
    assert result.snapshot.counters.deadlocks.value == 1
    assert len(deadlocks) == 1


async def test_first_poll_counts_deadlock_after_start(unpolled_engine, database_url):
    engine = unpolled_engine
    await deadlock_two_sessions(database_url)

    result = await engine.poll_once()

    deadlocks = [i for i in engine.open_incidents() if i.kind == "deadlock"]
    assert result.snapshot.counters.deadlocks.value == 1
    assert len(deadlocks) == 1
