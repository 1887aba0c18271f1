"""The rollback journal: what a drill changed, written before it changes it.

Two kinds of entry. ``insert`` keeps the key of a row the drill adds, and
restoring deletes it. ``row`` keeps a whole original row, and restoring
writes it back whether it was changed or moved away. Before the entries,
the rows remediation quarantined during the drill go back to their tables.
Restoring is idempotent and works from the journal alone, so it can run again
after a crash. An entry that fails stays pending and the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from engine.chaos import rows_sql
from engine.store.drills import DrillRepository, JournalEntry
from engine.targets.base import Target, TargetError

log = logging.getLogger(__name__)

# Puts a drill's quarantined rows back: (drill id, rows it added by table).
ReleaseQuarantine = Callable[[int, dict[str, list[dict[str, Any]]]], Awaitable[int]]


@dataclass(frozen=True)
class RestoreResult:
    restored: int
    """Journal entries restored by this call."""
    failures: tuple[str, ...]
    """One line per entry (or quarantine release) that failed and stays
    pending: the table, the row's key and the error."""

    def summary(self) -> str:
        """Return the failures as one sentence for a drill's error."""
        first = self.failures[0]
        more = f" (and {len(self.failures) - 1} more)" if len(self.failures) > 1 else ""
        return f"{len(self.failures)} journal entry(s) not restored: {first}{more}"


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

    async def restore(self, drill_id: int) -> RestoreResult:
        """Release the drill's quarantined rows, then restore its journaled
        rows newest first. A failed entry is logged and left pending, so a
        later call tries it again, and the rest are still restored."""
        failures: list[str] = []
        if self.release_quarantine is not None:
            try:
                await self.release_quarantine(drill_id, self._added(drill_id))
            except TargetError as error:
                log.error(
                    "drill %s: quarantined rows not released: %s", drill_id, error
                )
                failures.append(f"quarantined rows not released: {error}")
        restored = 0
        for entry in self.drills.pending_journal(drill_id):
            statement = self._statement(entry)
            if statement is not None:
                try:
                    await self.target.execute(*statement)
                except TargetError as error:
                    log.error(
                        "drill %s: journal entry %s (%s %s) not restored: %s",
                        drill_id,
                        entry.id,
                        entry.table_name,
                        entry.row_key,
                        error,
                    )
                    failures.append(f"{entry.table_name} {entry.row_key}: {error}")
                    continue
            self.drills.mark_restored(entry.id)
            restored += 1
        if restored:
            log.info("restored %s journaled row(s) for drill %s", restored, drill_id)
        return RestoreResult(restored, tuple(failures))

    def _added(self, drill_id: int) -> dict[str, list[dict[str, Any]]]:
        added: dict[str, list[dict[str, Any]]] = {}
        for entry in self.drills.journal_entries(drill_id):
            if entry.operation == "insert":
                added.setdefault(entry.table_name, []).append(entry.row_key)
        return added

    def _statement(self, entry: JournalEntry) -> tuple[str, dict[str, Any]] | None:
        """Return the statement that restores ``entry``, or None for an
        ``update`` entry of an older version, which journaled claims whose
        drill changed only ``updated_at``: nothing is put back for those."""
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
        log.info(
            "journal entry %s (%s %s) from an older version: nothing to restore",
            entry.id,
            entry.table_name,
            entry.row_key,
        )
        return None
