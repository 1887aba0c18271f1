"""Sessions and the blocking graph of a real lock wait on the target."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from tests.api.conftest import eventually

FIRST_CLAIM = "SELECT min(claim_id) FROM healthcare.pharmacy_claims"
TOUCH_CLAIM = (
    "UPDATE healthcare.pharmacy_claims SET updated_at = updated_at WHERE claim_id = %s"
)


@pytest.fixture
async def lock_wait(database_url):
    """A session holding a row lock and another waiting on it; rolled back after."""
    holder = await psycopg.AsyncConnection.connect(
        database_url, application_name="api-test-holder"
    )
    waiter = await psycopg.AsyncConnection.connect(
        database_url, application_name="api-test-waiter"
    )
    cursor = await holder.execute(
        "SELECT min(claim_id) FROM healthcare.pharmacy_claims"
    )
    (claim_id,) = await cursor.fetchone()
    await holder.execute(TOUCH_CLAIM, (claim_id,))
    blocked = asyncio.create_task(waiter.execute(TOUCH_CLAIM, (claim_id,)))
    try:
        yield holder.info.backend_pid, waiter.info.backend_pid
    finally:
        await holder.rollback()
        await asyncio.wait_for(blocked, 10)
        await waiter.rollback()
        await holder.close()
        await waiter.close()


async def test_sessions_of_last_poll(client, polled):
    response = await client.get("/api/sessions")

    assert response.status_code == 200
    body = response.json()
    assert body["target"] == "test"
    assert body["last_error"] is None
    own = [session for session in body["sessions"] if session["is_engine_own"]]
    assert own
    assert all(session["program"].startswith("warroom-") for session in own)


async def test_blocking_graph_of_lock_wait(client, engine, lock_wait):
    holder, waiter = lock_wait

    async def graph_with_edge():
        response = await client.get("/api/sessions/blocking")
        if response.status_code == 503:
            return None  # no poll has completed yet
        body = response.json()
        edges = {(edge["waiter"], edge["blocker"]) for edge in body["edges"]}
        return body if (waiter, holder) in edges else None

    body = await eventually(graph_with_edge)

    assert holder in body["head_blockers"]
    assert waiter in body["blocked_sessions"]
    assert body["cycles"] == []
    nodes = {node["session_id"]: node for node in body["nodes"]}
    assert nodes[holder]["virtual"] is False
    assert nodes[holder]["state"] == "idle in transaction"
    assert "api-test-holder" in nodes[holder]["label"]
    tree = [(line["depth"], line["session_id"]) for line in body["tree"]]
    assert (0, holder) in tree
    assert (1, waiter) in tree


async def test_sessions_show_blocked_by(client, lock_wait):
    holder, waiter = lock_wait

    async def waiter_row():
        response = await client.get("/api/sessions")
        if response.status_code == 503:
            return None  # no poll has completed yet
        body = response.json()
        rows = {row["session_id"]: row for row in body["sessions"]}
        row = rows.get(waiter)
        return row if row and row["blocked_by"] else None

    row = await eventually(waiter_row)

    assert row["blocked_by"] == [holder]
    assert row["program"] == "api-test-waiter"
    assert row["wait_type"]
