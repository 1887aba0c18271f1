"""Install the ETL procedures and run one pipeline, returning its lineage."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from engine.targets.base import Target, TargetError, first_line
from engine.targets.sqlfiles import load_statement

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lineage:
    """The rows one pipeline run read, wrote and rejected, and its duration."""

    rows_read: int
    rows_written: int
    rows_rejected: int
    duration_ms: float


async def install(target: Target) -> None:
    """Create the ETL tables and procedures that are missing, and replace the
    procedures with this version's."""
    await target.run_script("etl")


class BatchesNotLoaded(Exception):
    """Some staged claim batches failed to load; the others were loaded."""

    def __init__(self, loaded: list[tuple[str, Lineage]], failures: list[str]):
        self.loaded = loaded
        self.failures = failures
        super().__init__("; ".join(failures))


async def run_claim_ingestion(target: Target) -> list[tuple[str, Lineage]]:
    """Load every staged batch with rows not yet processed, oldest first, and
    return each batch's lineage.

    A batch that fails rolls back alone and stays staged, and the later ones
    still load. Raises BatchesNotLoaded after the last batch if any failed.
    """
    dialect = target.dialect.name
    await install(target)
    batches = await target.fetch(
        load_statement(dialect, "etl_runs", "unprocessed_batches")
    )
    results = []
    failures = []
    for (batch_id,) in batches:
        try:
            await call_procedure(target, "run_claim_ingestion", {"batch_id": batch_id})
        except TargetError as error:
            log.error("claim batch %s not loaded: %s", batch_id, error)
            failures.append(f"batch {batch_id}: {first_line(error)}")
            continue
        results.append((str(batch_id), await read_lineage(target, "claim_ingestion")))
    if failures:
        raise BatchesNotLoaded(results, failures)
    return results


async def run_summaries(target: Target, days_back: int) -> list[tuple[str, Lineage]]:
    """Refresh the pharmacy fill summary, the daily order summary and
    customer health over the ``days_back`` days up to today in UTC; return
    each step's lineage."""
    end = datetime.now(UTC).date()
    start = end - timedelta(days=days_back - 1)
    await install(target)
    await call_procedure(target, "run_summaries", {"date_from": start, "date_to": end})
    steps = ("pharmacy_fill_summary", "daily_order_summary", "customer_health")
    return [(step, await read_lineage(target, step)) for step in steps]


async def run_dim_patient(target: Target) -> Lineage:
    """Load the patient dimension: close the current row of every changed
    patient and add a current row for each patient without one."""
    await install(target)
    await call_procedure(target, "run_dim_patient", None)
    return await read_lineage(target, "dim_patient")


async def run_patient_adherence(
    target: Target, period_days: int, period_end: date | None = None
) -> Lineage:
    """Compute the PDC over the ``period_days`` days that end on
    ``period_end`` (today in UTC by default)."""
    end = period_end or datetime.now(UTC).date()
    start = end - timedelta(days=period_days - 1)
    await install(target)
    await call_procedure(
        target, "run_patient_adherence", {"period_start": start, "period_end": end}
    )
    return await read_lineage(target, "patient_adherence")


async def call_procedure(
    target: Target, name: str, params: dict[str, Any] | None
) -> None:
    """Run one procedure call of sql/<dialect>/etl_runs.sql on a session of
    its own, without the engine's statement timeout: a pipeline over a large
    table runs for minutes, and its job's timeout_seconds bounds it instead.
    The session is a chaos session only in kind (no statement timeout); its
    program name warroom-etl-NAME shows who it is in the sessions view."""
    session = await target.open_chaos_session(
        f"warroom-etl-{name.removeprefix('run_')}"
    )
    try:
        await session.execute(
            load_statement(target.dialect.name, "etl_runs", name), params
        )
    finally:
        await session.close()


async def read_lineage(target: Target, pipeline: str) -> Lineage:
    rows = await target.fetch(
        load_statement(target.dialect.name, "etl_runs", "last_lineage"),
        {"pipeline": pipeline},
    )
    if not rows:
        raise TargetError(f"the {pipeline} procedure ran but wrote no lineage row")
    read, written, rejected, duration = rows[0]
    return Lineage(int(read), int(written), int(rejected), float(duration))
