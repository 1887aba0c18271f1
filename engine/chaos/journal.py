"""The rollback journal: what a drill changed, written before it changes it.

Two kinds of entry. ``insert`` keeps the key of a row the drill adds, and
restoring deletes it. ``row`` keeps a whole original row, and restoring
writes it back if the row was moved away or still has the values the drill
set, and leaves it if someone changed it since. Before the entries,
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
from engine.targets.base import Target, TargetError, first_line

log = logging.getLogger(__name__)

# Puts a drill's quarantined rows back: (drill id, rows it added by table).
ReleaseQuarantine = Callable[[int, dict[str, list[dict[str, Any]]]], Awaitable[int]]

# After this many entries in a row fail, the rest wait for the next try. A
# session holding the drill's rows locked makes each entry wait for the
# statement timeout, so trying them all would hold a rollback for minutes.
MAX_FAILURES_IN_A_ROW = 3


@dataclass(frozen=True)
class RestoreResult:
    restored: int
    """Journal entries restored by this call."""
    failures: tuple[str, ...]
    """One line per entry (or quarantine release) that failed and stays
    pending: the table, the row's key and the error."""
    changed_since: tuple[str, ...] = ()
    """One line per row left as it is because someone changed it after the
    drill did: the table, the row's key and its values now."""
    untried: int = 0
    """Entries left pending without a try, after MAX_FAILURES_IN_A_ROW
    failures in a row."""

    def summary(self) -> str:
        """Return the failures as one sentence for a drill's error: the
        first three in full, then how many more, then the untried entries."""
        listed = "; ".join(self.failures[:3])
        more = len(self.failures) - 3
        if more > 0:
            listed += f" (and {more} more in logs/warroom.log)"
        if self.untried:
            listed += (
                f"; {self.untried} more not tried after "
                f"{MAX_FAILURES_IN_A_ROW} failures in a row"
            )
        count = len(self.failures) + self.untried
        return f"{count} journal entry(s) not restored: {listed}"


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
        changed_to: dict[str, Any] | None = None,
    ) -> None:
        """Journal a whole row before the drill changes or moves it.

        ``changed_to`` names the values the drill sets. The rollback then
        writes ``row`` back only while the row still has them (or is gone),
        and leaves a row that someone changed since.
        """
        self.drills.journal(drill_id, table_name, row_key, row, "row", changed_to)

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
                failures.append(f"quarantined rows not released: {first_line(error)}")
        restored = 0
        changed_since: list[str] = []
        pending = self.drills.pending_journal(drill_id)
        in_a_row = 0
        untried = 0
        for index, entry in enumerate(pending):
            if in_a_row == MAX_FAILURES_IN_A_ROW:
                untried = len(pending) - index
                log.warning(
                    "drill %s: %s journal entry(s) left for the next try after "
                    "%s failures in a row",
                    drill_id,
                    untried,
                    in_a_row,
                )
                break
            statement = self._statement(entry)
            if statement is not None:
                try:
                    # NOTE: the check and the write are two statements, so a
                    # change committed between them is still overwritten.
                    changed = await self._changed_since(entry)
                    if changed is None:
                        await self.target.execute(*statement)
                    else:
                        changed_since.append(changed)
                except TargetError as error:
                    log.error(
                        "drill %s: journal entry %s (%s %s) not restored: %s",
                        drill_id,
                        entry.id,
                        entry.table_name,
                        entry.row_key,
                        error,
                    )
                    failures.append(
                        f"{entry.table_name} {entry.row_key}: {first_line(error)}"
                    )
                    in_a_row += 1
                    continue
            in_a_row = 0
            self.drills.mark_restored(entry.id)
            restored += 1
        if restored:
            log.info("restored %s journaled row(s) for drill %s", restored, drill_id)
        for line in changed_since:
            log.warning("drill %s: %s", drill_id, line)
        return RestoreResult(restored, tuple(failures), tuple(changed_since), untried)

    async def _changed_since(self, entry: JournalEntry) -> str | None:
        """Return why a row entry's row is left as it is, or None to restore
        it: the row is gone, still has the drill's values, or is back to the
        original already."""
        if entry.operation != "row" or not entry.changed_to:
            return None
        columns = list(entry.changed_to)
        rows = await self.target.fetch(
            rows_sql.select_row(
                entry.table_name,
                list(entry.row_key),
                columns,
                self.target.dialect.quote_identifier,
            ),
            entry.row_key,
        )
        if not rows:
            return None
        now = dict(zip(columns, rows[0], strict=True))
        original = {column: entry.original.get(column) for column in columns}
        if now in (entry.changed_to, original):
            return None
        return (
            f"{entry.table_name} {entry.row_key} left as it is: changed to "
            f"{now} after the drill set {entry.changed_to}"
        )

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
