"""Install the star schema of sql/<dialect>/warehouse.sql, load it, refresh
its statistics and list the fact table's partitions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.etl import pipelines
from engine.etl.pipelines import Lineage
from engine.targets.base import Target
from engine.targets.sqlfiles import load_statement

log = logging.getLogger(__name__)

# The lineage rows one load writes, in the order it writes them. dim_patient
# comes from healthcare.etl_dim_patient, which the load calls first. The
# statistics update that follows the load writes none.
LOAD_STEPS = (
    "dim_patient",
    "dim_date",
    "dim_medication",
    "dim_pharmacy",
    "dim_provider",
    "fact_pharmacy_claims",
    "claims_by_drug_class",
)


@dataclass(frozen=True)
class PartitionInfo:
    """One partition of healthcare.fact_pharmacy_claims."""

    name: str
    bounds: str
    range_from: date | None
    """First service date of the partition, or None without a lower bound."""
    range_to: date | None
    """First service date after the partition, or None without an upper bound."""
    rows: int | None
    """PostgreSQL's row estimate (None before the first ANALYZE), or SQL
    Server's row count."""
    size_bytes: int


async def install(target: Target) -> None:
    """Install the ETL objects the warehouse builds on, then create the star
    schema's missing tables and replace its procedures with this version's."""
    await pipelines.install(target)
    await target.run_script("warehouse")


async def run_warehouse_load(target: Target) -> list[tuple[str, Lineage]]:
    """Load the dimensions and the fact, refresh the claims-by-drug-class
    view, and return each step's lineage."""
    await install(target)
    await _call(target, "run_warehouse_load")
    return [(step, await pipelines.read_lineage(target, step)) for step in LOAD_STEPS]


async def update_statistics(target: Target) -> list[tuple[str, int | None]]:
    """Refresh the optimizer statistics of the star tables, and return each
    table the target analyzed with its row figure afterwards. The star schema
    must be installed, as run_warehouse_load does."""
    rows = await _call(target, "update_statistics", fetch=True)
    return [(str(name), None if count is None else int(count)) for name, count in rows]


async def partition_info(target: Target) -> list[PartitionInfo]:
    """List the fact table's partitions with their bounds, rows and size."""
    rows = await target.fetch(
        load_statement(target.dialect.name, "warehouse_runs", "partition_info")
    )
    return [
        PartitionInfo(
            name=str(name),
            bounds=str(bounds),
            range_from=range_from,
            range_to=range_to,
            rows=None if count is None else int(count),
            size_bytes=int(size),
        )
        for name, bounds, range_from, range_to, count, size in rows
    ]


async def _call(
    target: Target, name: str, fetch: bool = False
) -> list[tuple[Any, ...]]:
    """Run one statement of sql/<dialect>/warehouse_runs.sql on a session of
    its own without the engine's statement timeout, as pipelines do: the load
    and ANALYZE of a large fact table run for minutes, and the job's
    timeout_seconds bounds them instead. The session's program name is
    warroom-etl-warehouse."""
    statement = load_statement(target.dialect.name, "warehouse_runs", name)
    session = await target.open_chaos_session("warroom-etl-warehouse")
    log.info("running warehouse statement %s on target %s", name, target.name)
    try:
        if fetch:
            return await session.fetch(statement)
        await session.execute(statement)
        return []
    finally:
        await session.close()
