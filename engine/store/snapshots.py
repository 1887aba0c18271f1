"""Per-poll figures kept for trend history, pruned by age."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from engine.store.database import Store, from_text, to_json, to_text


class SnapshotRepository:
    def __init__(self, store: Store):
        self.store = store

    def add(self, target: str, taken_at: datetime, figures: dict) -> None:
        self.store.execute(
            "INSERT INTO snapshots (target, taken_at, figures) VALUES (?, ?, ?)",
            (target, to_text(taken_at), to_json(figures)),
        )

    def prune(self, now: datetime, retention_hours: float) -> int:
        """Delete figures older than the retention; return how many."""
        cutoff = now - timedelta(hours=retention_hours)
        with self.store.transaction() as store:
            store.execute(
                "DELETE FROM snapshots WHERE taken_at < ?", (to_text(cutoff),)
            )
            row = store.query_one("SELECT changes()")
        return int(row[0]) if row else 0

    def recent(self, target: str, limit: int) -> list[tuple[str, dict]]:
        rows = self.store.query(
            "SELECT taken_at, figures FROM snapshots WHERE target = ? "
            "ORDER BY id DESC LIMIT ?",
            (target, limit),
        )
        return [(row["taken_at"], json.loads(row["figures"])) for row in reversed(rows)]

    def latest(self, target: str) -> datetime | None:
        """Return when the newest figures of ``target`` were taken, or None."""
        row = self.store.query_one(
            "SELECT taken_at FROM snapshots WHERE target = ? ORDER BY id DESC LIMIT 1",
            (target,),
        )
        return from_text(row["taken_at"]) if row else None
