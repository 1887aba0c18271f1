"""ETL lineage: the runs of the ETL pipelines, read from the target's
healthcare.etl_lineage table, which the pipelines write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from engine.targets.base import Target
from engine.targets.sqlfiles import load_statement

MAX_ROWS = 1000


@dataclass(frozen=True)
class LineageRow:
    """One run of one ETL pipeline."""

    run_id: int
    pipeline: str
    source: str
    target: str
    rows_read: int
    rows_written: int
    rows_rejected: int
    started_at: datetime
    ended_at: datetime
    duration_ms: float


@dataclass(frozen=True)
class LineageReport:
    """Lineage rows, newest first, and a note on where they come from or why
    there are none."""

    rows: list[LineageRow] = field(default_factory=list)
    note: str = ""


async def read_lineage(target: Target, max_rows: int = 100) -> LineageReport:
    """Return the newest ``max_rows`` lineage rows.

    A target without the lineage table (the ETL pipelines were never
    installed) returns no rows and a note with that reason.
    """
    if not 1 <= max_rows <= MAX_ROWS:
        raise ValueError(f"max_rows {max_rows} is invalid; give 1 to {MAX_ROWS}")
    dialect = target.dialect.name
    found = await target.fetch(
        load_statement(dialect, "governance", "lineage_table_exists")
    )
    if not found or not found[0][0]:
        return LineageReport(
            note=(
                "healthcare.etl_lineage does not exist on this target: the ETL "
                "pipelines are not installed, so there is no lineage yet"
            )
        )
    rows = await target.fetch(
        load_statement(dialect, "governance", "lineage_rows"), {"max_rows": max_rows}
    )
    lineage = [_row(*row) for row in rows]
    note = (
        "from healthcare.etl_lineage, newest run first"
        if lineage
        else "healthcare.etl_lineage is empty: no ETL pipeline has run yet"
    )
    return LineageReport(rows=lineage, note=note)


def _utc(moment: datetime) -> datetime:
    # SQL Server keeps these times as datetime2 in UTC, without a zone.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _row(run_id, pipeline, source, target, read, written, rejected, start, end, ms):
    return LineageRow(
        run_id=int(run_id),
        pipeline=pipeline,
        source=source,
        target=target,
        rows_read=int(read),
        rows_written=int(written),
        rows_rejected=int(rejected),
        started_at=_utc(start),
        ended_at=_utc(end),
        duration_ms=float(ms),
    )
