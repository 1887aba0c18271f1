"""Check a rollback: the rows a drill added are gone, and each table it
touched has the row count and checksum it had before the inject."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.chaos import rows_sql
from engine.store.drills import JournalEntry
from engine.targets.base import Target

# Tables the demo traffic writes while a drill runs: a changed fingerprint
# there is reported, not failed, as long as the drill's own rows are gone.
SHARED_TABLES = frozenset({"healthcare.pharmacy_claims"})


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    checksum: str


@dataclass(frozen=True)
class RollbackCheck:
    leftovers: int
    """Rows the drill added that are still in their tables."""
    changed: dict[str, tuple[Fingerprint, Fingerprint]]
    """Tables whose fingerprint differs: before and after."""

    @property
    def failure(self) -> str | None:
        """Why the rollback is incomplete, or None when it is complete."""
        problems = []
        if self.leftovers:
            problems.append(f"{self.leftovers} row(s) the drill added are still there")
        for table, (before, after) in self.changed.items():
            if table not in SHARED_TABLES:
                problems.append(_describe(table, before, after))
        return "; ".join(problems) or None

    @property
    def notices(self) -> list[str]:
        """Shared tables that other sessions changed during the drill."""
        return [
            _describe(table, before, after) + " (other sessions write it)"
            for table, (before, after) in self.changed.items()
            if table in SHARED_TABLES
        ]


async def fingerprint(target: Target, tables: Iterable[str]) -> dict[str, Fingerprint]:
    dialect = target.dialect.name
    quote = target.dialect.quote_identifier
    prints = {}
    for table in tables:
        rows = await target.fetch(rows_sql.fingerprint(dialect, table, quote))
        count, checksum = rows[0]
        prints[table] = Fingerprint(int(count), str(checksum))
    return prints


async def check_rollback(
    target: Target, before: dict[str, Fingerprint], entries: list[JournalEntry]
) -> RollbackCheck:
    after = await fingerprint(target, before)
    changed = {
        table: (before[table], after[table])
        for table in before
        if before[table] != after[table]
    }
    quote = target.dialect.quote_identifier
    leftovers = 0
    for entry in entries:
        if entry.operation != "insert":
            continue
        condition = " AND ".join(
            f"{quote(column)} = %({column})s" for column in entry.row_key
        )
        statement = (
            f"SELECT COUNT(*) FROM {rows_sql.relation(entry.table_name, quote)} "
            f"WHERE {condition}"
        )
        leftovers += int((await target.fetch(statement, entry.row_key))[0][0])
    return RollbackCheck(leftovers, changed)


def _describe(table: str, before: Fingerprint, after: Fingerprint) -> str:
    if before.rows != after.rows:
        return f"{table} has {after.rows} rows, {before.rows} before the drill"
    return f"{table} has its {after.rows} rows but their contents changed"
