"""Snapshots and blocking on real PostgreSQL sessions."""

from __future__ import annotations

import asyncio

import psycopg

from engine.monitor.graph import build_graph


async def test_snapshot_fields(engine, database_url):
    from engine.targets.postgres import PostgresTarget

    fresh = PostgresTarget(database_url, is_local=True)
    await fresh.connect()
    first = await fresh.snapshot()
    await fresh.close()
    second = await engine.target.snapshot()
    counters = second.counters

    assert second.database == first.database
    assert counters.connections.value >= 2
    assert counters.max_connections.value == 300
    assert counters.transactions_per_second.available
    assert counters.deadlocks.value == 0
    assert counters.cpu_percent.available
    assert counters.memory_percent.available
    assert counters.temp_space_mb.value == 0
    assert counters.database_size_mb.value > 1
    assert first.counters.deadlocks.reason == "first poll: no baseline yet"
    own = await engine.target.own_session_ids()
    assert own <= second.own_session_ids
    system = [s for s in second.sessions if s.is_system]
    assert any(s.backend_type == "checkpointer" for s in system)


async def test_remote_target_has_no_host_figures(database_url):
    from engine.targets.postgres import PostgresTarget

    target = PostgresTarget(database_url, is_local=False)
    await target.connect()
    snapshot = await target.snapshot()
    await target.close()

    assert snapshot.counters.cpu_percent.value is None
    assert snapshot.counters.cpu_percent.reason == "server runs on another host"


async def test_session_details(engine, database_url):
    client = await psycopg.AsyncConnection.connect(
        database_url, application_name="claims-api"
    )
    await client.execute("SELECT 1")
    pid = client.info.backend_pid

    snapshot = await engine.target.snapshot()
    session = snapshot.session(pid)

    assert session is not None
    assert session.program == "claims-api"
    assert session.state == "idle in transaction"
    assert session.open_transactions == 1
    assert session.login == "postgres"
    assert session.login_time is not None
    assert session.sql_text == "SELECT 1"
    await client.close()


async def test_several_blockers_per_session(engine, database_url):
    """Two share-lock holders both block one exclusive-lock waiter."""
    holders = []
    for _ in range(2):
        holder = await psycopg.AsyncConnection.connect(database_url)
        await holder.execute("LOCK TABLE healthcare.pharmacies IN SHARE MODE")
        holders.append(holder)
    waiter = await psycopg.AsyncConnection.connect(database_url)
    task = asyncio.ensure_future(
        waiter.execute("LOCK TABLE healthcare.pharmacies IN EXCLUSIVE MODE")
    )
    await asyncio.sleep(0.3)

    snapshot = await engine.target.snapshot()
    graph = build_graph(snapshot.sessions)
    holder_pids = sorted(h.info.backend_pid for h in holders)
    waiter_pid = waiter.info.backend_pid

    assert sorted(graph.waits_on[waiter_pid]) == holder_pids
    assert list(graph.head_blockers) == holder_pids
    assert snapshot.session(waiter_pid).wait_type == "Lock:relation"
    assert snapshot.session(waiter_pid).wait_seconds > 0.1
    for holder in holders:
        session = snapshot.session(holder.info.backend_pid)
        assert session.is_idle_in_transaction

    for holder in holders:
        await holder.rollback()
    await asyncio.wait_for(task, 5)
    for connection in (*holders, waiter):
        await connection.close()


async def test_idle_head_blocker_opens_incident(engine, database_url):
    holder = await psycopg.AsyncConnection.connect(
        database_url, application_name="forgetful-app"
    )
    await holder.execute(
        "UPDATE healthcare.patients SET zip_code = zip_code WHERE patient_id = 1"
    )
    waiter = await psycopg.AsyncConnection.connect(database_url, autocommit=True)
    task = asyncio.ensure_future(
        waiter.execute(
            "UPDATE healthcare.patients SET zip_code = zip_code WHERE patient_id = 1"
        )
    )
    await asyncio.sleep(0.8)

    result = await engine.poll_once()
    blocking = [i for i in engine.open_incidents() if i.kind == "blocking"]

    assert result.graph.head_blockers == (holder.info.backend_pid,)
    assert len(blocking) == 1
    assert blocking[0].session_id == holder.info.backend_pid
    assert "idle in an open transaction" in blocking[0].root_cause
    await holder.rollback()
    await asyncio.wait_for(task, 5)
    await holder.close()
    await waiter.close()


async def test_run_script_creates_schema(pg_server):
    from engine.targets.postgres import PostgresTarget

    pg_server.ensure_database("script_probe")
    url = pg_server.url("script_probe")
    target = PostgresTarget(url, is_local=True)
    await target.connect()
    try:
        await target.run_script("schema")
        rows = await target.fetch(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema IN ('healthcare', 'commerce') "
            "AND table_name IN ('pharmacy_claims', 'patients', 'orders')"
        )
    finally:
        await target.close()

    assert rows[0][0] == 3
