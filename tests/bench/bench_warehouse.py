"""The star schema load (the etl_warehouse job) over about 1 million claims:
the first load, a second run over unchanged claims, and a run after 1% of
the claims changed. Each run compares every claim with the fact table, so
the later runs show what that comparison costs when little has changed."""

from __future__ import annotations

import time
from datetime import date

import psycopg

from engine.etl.warehouse import run_warehouse_load
from engine.targets.postgres import PostgresTarget
from tests.bench.bench_validation import load
from tests.bench.report import record

# 30,000 claims per scale unit, so 1,020,000 claims.
SCALE = 34
DATABASE = "bench_warehouse"
CHANGED_SHARE = 0.01
COMMAND = (
    "python -m pytest tests/bench/bench_warehouse.py -o python_files='bench_*.py' -s"
)


async def timed_load(target: PostgresTarget) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    steps = await run_warehouse_load(target)
    seconds = time.perf_counter() - started
    return seconds, {step: lineage.rows_written for step, lineage in steps}


async def test_warehouse_load_over_a_million_claims(pg_server):
    url, counts, load_seconds = load(pg_server, DATABASE, SCALE, date.today())
    claims = counts["healthcare.pharmacy_claims"]
    changed = int(claims * CHANGED_SHARE)
    target = PostgresTarget(url, name="bench", is_local=True)
    await target.connect()
    try:
        first, first_written = await timed_load(target)
        unchanged, unchanged_written = await timed_load(target)
        with psycopg.connect(url, autocommit=True) as connection:
            # Claims adjudicated again: each one's copay changes.
            connection.execute(
                "UPDATE healthcare.pharmacy_claims SET copay = copay + 1 "
                "WHERE claim_id IN (SELECT claim_id FROM healthcare.pharmacy_claims "
                "ORDER BY claim_id LIMIT %s)",
                [changed],
            )
        after_change, changed_written = await timed_load(target)
    finally:
        await target.close()

    assert first_written["fact_pharmacy_claims"] == claims
    assert unchanged_written["fact_pharmacy_claims"] == 0
    assert changed_written["fact_pharmacy_claims"] == changed
    body = (
        f"healthcare.etl_warehouse on the embedded PostgreSQL, demo data at scale "
        f"{SCALE}: {claims:,} claims, {counts['healthcare.patients']:,} patients "
        f"(loaded in {load_seconds:.0f} s). One run each, in this order; each "
        "time covers the dimensions, the fact and the refresh of the "
        "claims-by-drug-class view.\n\n"
        "| Run | Seconds | Fact rows written |\n"
        "|---|---|---|\n"
        f"| first load | {first:.1f} | {first_written['fact_pharmacy_claims']:,} |\n"
        f"| again, nothing changed | {unchanged:.1f} "
        f"| {unchanged_written['fact_pharmacy_claims']:,} |\n"
        f"| after {changed:,} claims ({CHANGED_SHARE:.0%}) changed "
        f"| {after_change:.1f} | {changed_written['fact_pharmacy_claims']:,} |\n\n"
        "Every run compares every claim with the fact table, so a run that "
        "writes nothing still costs "
        f"{unchanged / first:.0%} of the first load."
    )
    record("warehouse", body, COMMAND)
