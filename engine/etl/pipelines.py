"""Install the ETL procedures and run one pipeline, returning its lineage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from engine.targets.base import Target, TargetError
from engine.targets.sqlfiles import load_statement


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


async def run_patient_adherence(
    target: Target, period_days: int, period_end: date | None = None
) -> Lineage:
    """Compute the PDC over the ``period_days`` days that end on
    ``period_end`` (today in UTC by default)."""
    end = period_end or date.today()
    start = end - timedelta(days=period_days - 1)
    dialect = target.dialect.name
    await install(target)
    await target.execute(
        load_statement(dialect, "etl_runs", "run_patient_adherence"),
        {"period_start": start, "period_end": end},
    )
    rows = await target.fetch(
        load_statement(dialect, "etl_runs", "last_lineage"),
        {"pipeline": "patient_adherence"},
    )
    if not rows:
        raise TargetError("the adherence procedure ran but wrote no lineage row")
    read, written, rejected, duration = rows[0]
    return Lineage(int(read), int(written), int(rejected), float(duration))
