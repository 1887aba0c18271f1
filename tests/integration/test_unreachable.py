"""The war room keeps working, and reports it, when the target is down."""

from __future__ import annotations

import asyncio
import os
import signal

import psycopg
import pytest

from engine.service import Engine
from engine.targets import postgres
from engine.targets.base import TargetError, TargetUnreachable
from engine.targets.postgres import PostgresTarget


async def test_unreachable_target_opens_incident(config, tmp_path):
    target = PostgresTarget(
        "postgresql://oncall:secret@127.0.0.1:1/claims", name="test", connect_timeout=1
    )
    engine = Engine(config, target, tmp_path / "state.db")
    await engine.start(poll=False)
    try:
        first = await engine.poll_once()
        second = await engine.poll_once()
        incidents = engine.open_incidents()
    finally:
        await engine.stop()

    assert first is None
    assert second is None
    assert len(incidents) == 1
    assert incidents[0].kind == "target_unreachable"
    assert incidents[0].occurrences == 2
    assert "127.0.0.1:1" in incidents[0].root_cause
    assert "secret" not in incidents[0].root_cause
    assert "secret" not in (engine.last_error or "")


async def test_recovery_keeps_other_incidents(engine, database_url):
    """A failed poll neither opens nor clears the other incidents."""
    await engine.poll_once()
    real_url = engine.target.url
    engine.target.url = "postgresql://127.0.0.1:1/claims"
    await engine.target.close()

    assert await engine.poll_once() is None
    engine.target.url = real_url
    result = await engine.poll_once()

    assert result is not None
    assert engine.last_error is None
    unreachable = engine.list_incidents(kind="target_unreachable")
    assert len(unreachable) == 1
    assert unreachable[0].clear_polls == 1


async def test_remediation_on_unreachable_target_escalates(config, tmp_path):
    target = PostgresTarget("postgresql://127.0.0.1:1/claims", name="test")
    engine = Engine(config, target, tmp_path / "state.db")
    await engine.start(poll=False)
    try:
        incident = engine.create_incident("blocking", "reported by hand", "alice")
        engine.incidents.repository.store.execute(
            "UPDATE incidents SET session_id = 4242 WHERE id = ?", (incident.id,)
        )

        with pytest.raises(TargetUnreachable):
            await engine.remediate(incident.id, "alice")
        current = engine.get_incident(incident.id)
    finally:
        await engine.stop()

    assert current.status == "ESCALATED"
    assert "failed: cannot connect" in current.timeline[-2].message
    assert any("remediation" in entry.action for entry in current.timeline)


async def test_hung_server_opens_incident(unpolled_engine, database_url, monkeypatch):
    # A stopped backend never responds, and its statement_timeout never fires.
    monkeypatch.setattr(postgres, "RESPONSE_MARGIN_SECONDS", 0.5)
    engine = unpolled_engine
    await engine.poll_once()
    with psycopg.connect(database_url) as connection:
        (pid,) = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = "
            "'warroom-monitor' AND datname = current_database()"
        ).fetchone()
    os.kill(pid, signal.SIGSTOP)
    try:
        # Without the bound the poll would wait for as long as the stop lasts.
        failed = await asyncio.wait_for(engine.poll_once(), 60)
    finally:
        os.kill(pid, signal.SIGCONT)
    recovered = await engine.poll_once()

    (incident,) = engine.open_incidents()
    assert failed is None
    assert incident.kind == "target_unreachable"
    assert "did not respond to the snapshot query within" in incident.root_cause
    assert recovered is not None


async def test_statement_error_is_not_unreachable(database_url):
    target = PostgresTarget(database_url, name="test", is_local=True)
    await target.connect()
    try:
        await target.execute(
            "CREATE MATERIALIZED VIEW public.never_filled AS SELECT 1 AS x WITH NO DATA"
        )
        # PostgreSQL raises SQLSTATE 55000 for one statement, which psycopg
        # reports as an OperationalError, like a lost connection.
        with pytest.raises(TargetError) as raised:
            await target.fetch("SELECT x FROM public.never_filled")
        rows = await target.fetch("SELECT 1")
    finally:
        await target.close()

    assert not isinstance(raised.value, TargetUnreachable)
    assert raised.value.sqlstate == "55000"
    assert rows == [(1,)]


async def test_terminated_admin_session_is_unreachable(database_url):
    target = PostgresTarget(database_url, name="test", is_local=True)
    await target.connect()
    try:
        (pid,) = (await target.fetch("SELECT pg_backend_pid()"))[0]
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(TargetUnreachable):
            await target.fetch("SELECT 1")
    finally:
        await target.close()
