"""The integration tests that have a SQL Server meaning, on a live server."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from engine.monitor.graph import build_graph
from engine.remediation.actions import kill_blocking_session
from engine.targets.mssql.errors import DeadlockVictim, LoginFailed

pytestmark = pytest.mark.mssql


@pytest.fixture
async def probe_table(mssql_target):
    """A global temporary table with two rows that the test sessions lock."""
    name = f"##warroom_probe_{uuid.uuid4().hex[:8]}"
    await mssql_target.execute(
        f"CREATE TABLE {name} (id int PRIMARY KEY, value int NOT NULL); "
        f"INSERT INTO {name} VALUES (1, 0), (2, 0);"
    )
    yield name
    await mssql_target.execute(
        f"IF OBJECT_ID('tempdb..{name}') IS NOT NULL DROP TABLE {name}"
    )


async def wait_for(condition, timeout: float = 10.0, step: float = 0.25):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await condition()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(step)


async def test_snapshot_fields(mssql_target):
    first = await mssql_target.snapshot()
    second = await mssql_target.snapshot()
    counters = second.counters

    assert second.database == mssql_target.settings.database
    assert counters.connections.value >= 2
    assert counters.max_connections.value > 0
    assert counters.memory_percent.available
    assert counters.database_size_mb.value > 0
    assert counters.transactions_per_second.available
    assert counters.deadlocks.value is not None
    assert first.counters.deadlocks.reason == "first poll: no baseline yet"
    assert await mssql_target.own_session_ids() <= second.own_session_ids
    assert any(session.is_system for session in second.sessions)


async def test_waitfor_holder_blocks(mssql_target, probe_table):
    holder = await mssql_target.open_chaos_session("warroom-live-holder")
    waiter = await mssql_target.open_chaos_session("warroom-live-waiter")
    try:
        hold = asyncio.ensure_future(
            holder.execute(
                f"BEGIN TRAN; UPDATE {probe_table} SET value = 1 WHERE id = 1; "
                "WAITFOR DELAY '00:00:20'; COMMIT;"
            )
        )
        await asyncio.sleep(0.5)
        wait = asyncio.ensure_future(
            waiter.execute(f"UPDATE {probe_table} SET value = 2 WHERE id = 1")
        )

        async def blocked():
            graph = build_graph((await mssql_target.snapshot()).sessions)
            return graph if holder.session_id in graph.head_blockers else None

        graph = await wait_for(blocked)

        assert graph is not None
        assert graph.waits_on[waiter.session_id] == (holder.session_id,)
    finally:
        await mssql_target.kill_session(holder.session_id)
        await asyncio.gather(hold, wait, return_exceptions=True)
        await holder.close()
        await waiter.close()


async def test_sleeping_head_blocker_killed(mssql_target, probe_table):
    holder = await mssql_target.open_chaos_session("warroom-live-holder")
    waiter = await mssql_target.open_chaos_session("warroom-live-waiter")
    try:
        await holder.execute(
            f"BEGIN TRAN; UPDATE {probe_table} SET value = 1 WHERE id = 2;"
        )
        wait = asyncio.ensure_future(
            waiter.execute(f"UPDATE {probe_table} SET value = 2 WHERE id = 2")
        )

        async def head():
            snapshot = await mssql_target.snapshot()
            session = snapshot.session(holder.session_id)
            graph = build_graph(snapshot.sessions)
            return session if holder.session_id in graph.head_blockers else None

        session = await wait_for(head)
        assert session is not None
        assert session.state == "idle in transaction"

        result = await kill_blocking_session(mssql_target, holder.session_id)

        assert result.succeeded, result.message
        assert result.terminated == [holder.session_id]
        await asyncio.wait_for(wait, 10)
        after = await mssql_target.snapshot()
        assert after.session(holder.session_id) is None
    finally:
        await holder.close()
        await waiter.close()


async def test_kill_rejects_system_session(mssql_target):
    snapshot = await mssql_target.snapshot()
    system = next(s for s in snapshot.sessions if s.is_system)

    with pytest.raises(Exception, match="system session"):
        await mssql_target.kill_session(system.session_id)


async def test_deadlock_victim_and_counter(mssql_target, probe_table):
    await mssql_target.snapshot()
    first = await mssql_target.open_chaos_session("warroom-live-deadlock")
    second = await mssql_target.open_chaos_session("warroom-live-deadlock")
    try:
        await first.execute(
            f"BEGIN TRAN; UPDATE {probe_table} SET value = 1 WHERE id = 1;"
        )
        await second.execute(
            f"BEGIN TRAN; UPDATE {probe_table} SET value = 1 WHERE id = 2;"
        )
        crossed = await asyncio.gather(
            first.execute(f"UPDATE {probe_table} SET value = 3 WHERE id = 2"),
            second.execute(f"UPDATE {probe_table} SET value = 3 WHERE id = 1"),
            return_exceptions=True,
        )

        victims = [item for item in crossed if isinstance(item, DeadlockVictim)]
        assert len(victims) == 1, crossed
        assert victims[0].native_error == 1205

        async def counted():
            figure = (await mssql_target.snapshot()).counters.deadlocks
            return figure.value if figure.value else None

        # The counter rises once, so take deltas until a poll reads the rise.
        assert await wait_for(counted, timeout=5) == 1
    finally:
        await first.close()
        await second.close()


async def test_connection_flood_counted(mssql_target):
    before = (await mssql_target.snapshot()).counters.connections.value
    sessions = await asyncio.gather(
        *(mssql_target.open_chaos_session("warroom-live-flood") for _ in range(20))
    )
    try:
        after = await mssql_target.snapshot()
        flood = [s for s in after.sessions if s.program == "warroom-live-flood"]

        assert after.counters.connections.value >= before + 20
        assert len(flood) == 20
        assert all(s.state == "idle" for s in flood)
    finally:
        for session in sessions:
            await session.close()


async def test_wrong_password_hides_it(mssql_settings):
    from dataclasses import replace

    from engine.targets.mssql import MssqlTarget

    wrong = "Not-The-Password-9f3b"
    target = MssqlTarget(replace(mssql_settings, password=wrong))

    with pytest.raises(LoginFailed) as raised:
        await target.connect()

    assert mssql_settings.user in str(raised.value)
    assert wrong not in str(raised.value)


@pytest.mark.parametrize(
    ("scenario", "kind"),
    [
        ("long_running_query", "blocking"),
        ("connection_flood", "connections"),
        ("deadlock", "deadlock"),
    ],
)
async def test_drill_end_to_end(mssql_target, tmp_path, scenario, kind):
    from engine.service import Engine
    from tests.conftest import fast_config

    rows = await mssql_target.fetch(
        "SELECT COUNT(*) FROM sys.tables WHERE name = N'pharmacy_claims'"
    )
    if not rows[0][0]:
        pytest.skip("the demo schema is not loaded (sql/mssql/schema.sql, seed.sql)")
    config = fast_config(target__allow_chaos=True)
    engine = Engine(config, mssql_target, tmp_path / "state.db")
    await engine.start()
    try:
        # SQL Server's lock monitor looks for deadlocks every 5 s.
        drill = await asyncio.wait_for(
            engine.trigger_drill(scenario, "test", auto_remediate=True), 120
        )
        incident = engine.get_incident(drill.incident_id) if drill.incident_id else None
    finally:
        await engine.stop()

    assert drill.status == "passed", drill.error
    assert incident is not None
    assert incident.kind == kind
