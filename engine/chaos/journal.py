"""The rollback journal: what a drill changed, written before it changes it.

Three kinds of entry. ``update`` keeps the original values of the columns a
named restore statement puts back. ``insert`` keeps the key of a row the drill
adds, and restoring deletes it. ``row`` keeps a whole original row, and
restoring writes it back whether it was changed or moved away. Before the entries, the
rows remediation quarantined during the drill go back to their tables.
Restoring is idempotent and works from the journal alone, so it can run again
after a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from engine.chaos import rows_sql
from engine.store.drills import DrillRepository, JournalEntry
from engine.targets.base import Target
from engine.targets.sqlfiles import load_statement

log = logging.getLogger(__name__)

# Table to the named statement in sql/<dialect>/chaos.sql that restores a row.
RESTORE_STATEMENTS = {"healthcare.pharmacy_claims": "restore_claim"}

# Puts a drill's quarantined rows back: (drill id, rows it added by table).
ReleaseQuarantine = Callable[[int, dict[str, list[dict[str, Any]]]], Awaitable[int]]


class Journal:
    def __init__(
        self,
        drills: DrillRepository,
        target: Target,
        release_quarantine: ReleaseQuarantine | None = None,
    ):
        self.drills = drills
        self.target = target
        self.release_quarantine = release_quarantine

    def record(
        self,
        drill_id: int,
        table_name: str,
        row_key: dict[str, Any],
        original: dict[str, Any],
    ) -> None:
        if table_name not in RESTORE_STATEMENTS:
            raise ValueError(f"no restore statement for table {table_name}")
        self.drills.journal(drill_id, table_name, row_key, original)

    def record_insert(
        self, drill_id: int, table_name: str, row_key: dict[str, Any]
    ) -> None:
        """Journal a row the drill adds; write it before the add commits."""
        self.drills.journal(drill_id, table_name, row_key, {}, "insert")

    def record_row(
        self,
        drill_id: int,
        table_name: str,
        row_key: dict[str, Any],
        row: dict[str, Any],
    ) -> None:
        """Journal a whole row before the drill changes or moves it."""
        self.drills.journal(drill_id, table_name, row_key, row, "row")

    async def restore(self, drill_id: int | None = None) -> int:
        """Release quarantined rows, then restore journaled rows newest first;
        return how many journal entries were restored."""
        entries = self.drills.pending_journal(drill_id)
        if self.release_quarantine is not None:
            drills = {entry.drill_id for entry in entries}
            if drill_id is not None:
                drills.add(drill_id)
            for drill in sorted(drills):
                await self.release_quarantine(drill, self._added(drill))
        restored = 0
        for entry in entries:
            statement, params = self._statement(entry)
            await self.target.execute(statement, params)
            self.drills.mark_restored(entry.id)
            restored += 1
        if restored:
            log.info("restored %s journaled row(s) for drill %s", restored, drill_id)
        return restored

    def _added(self, drill_id: int) -> dict[str, list[dict[str, Any]]]:
        added: dict[str, list[dict[str, Any]]] = {}
        for entry in self.drills.journal_entries(drill_id):
            if entry.operation == "insert":
                added.setdefault(entry.table_name, []).append(entry.row_key)
        return added

    def _statement(self, entry: JournalEntry) -> tuple[str, dict[str, Any]]:
        dialect = self.target.dialect.name
        quote = self.target.dialect.quote_identifier
        if entry.operation == "insert":
            return (
                rows_sql.delete_row(entry.table_name, list(entry.row_key), quote),
                entry.row_key,
            )
        if entry.operation == "row":
            return (
                rows_sql.upsert_row(
                    dialect,
                    entry.table_name,
                    list(entry.row_key),
                    list(entry.original),
                    quote,
                ),
                entry.original,
            )
        statement = load_statement(
            dialect, "chaos", RESTORE_STATEMENTS[entry.table_name]
        )
        return statement, {**entry.row_key, **entry.original}
