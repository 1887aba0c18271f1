"""Snapshot latency and the engine's CPU per poll with 200 idle and 50 active
sessions on the embedded PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import psycopg

from tests.bench.report import record, summary

IDLE_SESSIONS = 200
ACTIVE_SESSIONS = 50
POLLS = 200


async def open_sessions(url: str):
    idle = [
        await psycopg.AsyncConnection.connect(
            url, autocommit=True, application_name="bench-idle"
        )
        for _ in range(IDLE_SESSIONS)
    ]
    active = [
        await psycopg.AsyncConnection.connect(
            url, autocommit=True, application_name="bench-active"
        )
        for _ in range(ACTIVE_SESSIONS)
    ]
    tasks = [
        asyncio.ensure_future(connection.execute("SELECT pg_sleep(600)"))
        for connection in active
    ]
    await asyncio.sleep(1.0)
    return idle, active, tasks


async def close_sessions(engine, idle, active, tasks) -> None:
    for connection in active:
        await engine.target.cancel_request(connection.info.backend_pid)
    await asyncio.gather(*tasks, return_exceptions=True)
    for connection in (*idle, *active):
        await connection.close()


async def test_snapshot_latency(engine, database_url):
    idle, active, tasks = await open_sessions(database_url)
    try:
        snapshot = await engine.target.snapshot()
        sessions = len(snapshot.sessions)
        latencies, cpu = [], []
        for _ in range(POLLS):
            wall = time.perf_counter()
            started = time.process_time()
            await engine.poll_once()
            cpu.append((time.process_time() - started) * 1000)
            latencies.append((time.perf_counter() - wall) * 1000)
        raw = []
        for _ in range(POLLS):
            wall = time.perf_counter()
            await engine.target.snapshot()
            raw.append((time.perf_counter() - wall) * 1000)
    finally:
        await close_sessions(engine, idle, active, tasks)

    rows = [
        row("snapshot round trip (`target.snapshot()`), ms", raw, "median <= 20"),
        row("whole poll (snapshot, graph, findings, incidents, store), ms", latencies),
        row("engine CPU per poll (process time), ms", cpu),
    ]
    body = (
        f"{sessions} sessions in pg_stat_activity ({IDLE_SESSIONS} idle, "
        f"{ACTIVE_SESSIONS} active in `pg_sleep`, plus background processes), "
        f"{POLLS} polls each, demo data at scale 1.\n\n"
        "| figure | median | p95 | max | target |\n"
        "| --- | --- | --- | --- | --- |\n" + "\n".join(rows)
    )
    record(
        "snapshot",
        body,
        "python -m pytest tests/bench -o python_files='bench_*.py' -k snapshot -s",
    )
    assert summary(raw)["median"] <= 20.0


def row(label: str, values: list[float], target: str = "") -> str:
    figures = summary(values)
    return (
        f"| {label} | {figures['median']:.1f} | {figures['p95']:.1f} "
        f"| {figures['max']:.1f} | {target} |"
    )
