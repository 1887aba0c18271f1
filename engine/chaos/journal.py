"""The rollback journal: original row values written before a drill changes them.

Restoring is idempotent and works from the journal alone, so it can run again
after a crash.
"""

from __future__ import annotations

import logging
from typing import Any

from engine.store.drills import DrillRepository
from engine.targets.base import Target
from engine.targets.sqlfiles import load_statement

log = logging.getLogger(__name__)

# Table to the named statement in sql/<dialect>/chaos.sql that restores a row.
RESTORE_STATEMENTS = {"healthcare.pharmacy_claims": "restore_claim"}


class Journal:
    def __init__(self, drills: DrillRepository, target: Target):
        self.drills = drills
        self.target = target

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

    async def restore(self, drill_id: int | None = None) -> int:
        """Restore journaled rows, newest first; return how many were restored."""
        restored = 0
        for entry in self.drills.pending_journal(drill_id):
            statement = load_statement(
                self.target.dialect.name, "chaos", RESTORE_STATEMENTS[entry.table_name]
            )
            await self.target.execute(statement, {**entry.row_key, **entry.original})
            self.drills.mark_restored(entry.id)
            restored += 1
        if restored:
            log.info("restored %s journaled row(s) for drill %s", restored, drill_id)
        return restored
