"""Drill records and the rollback journal in the state database."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.store.database import Store, from_text, to_json, to_text, utc_now

_TIMES = (
    "started_at",
    "injected_at",
    "detected_at",
    "remediated_at",
    "resolved_at",
    "rolled_back_at",
    "ended_at",
)


@dataclass
class DrillRecord:
    id: int
    scenario: str
    target: str
    actor: str
    status: str
    started_at: datetime
    injected_at: datetime | None = None
    detected_at: datetime | None = None
    remediated_at: datetime | None = None
    resolved_at: datetime | None = None
    rolled_back_at: datetime | None = None
    ended_at: datetime | None = None
    incident_id: int | None = None
    error: str | None = None
    target_identity: str | None = None
    """The database the drill ran on (Target.identity); None before it was kept."""

    def _since_inject(self, moment: datetime | None) -> float | None:
        if moment is None or self.injected_at is None:
            return None
        return max(0.0, (moment - self.injected_at).total_seconds())

    @property
    def seconds_to_detect(self) -> float | None:
        return self._since_inject(self.detected_at)

    @property
    def seconds_to_resolve(self) -> float | None:
        return self._since_inject(self.resolved_at)

    @property
    def passed(self) -> bool:
        return (
            self.detected_at is not None
            and self.resolved_at is not None
            and self.rolled_back_at is not None
            and self.error is None
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "scenario": self.scenario,
            "target": self.target,
            "actor": self.actor,
            "status": self.status,
            "incident_id": self.incident_id,
            "error": self.error,
            "detected": self.detected_at is not None,
            "resolved": self.resolved_at is not None,
            "rolled_back": self.rolled_back_at is not None,
            "seconds_to_detect": self.seconds_to_detect,
            "seconds_to_resolve": self.seconds_to_resolve,
            "passed": self.passed,
        }
        for name in _TIMES:
            data[name] = to_text(getattr(self, name))
        return data


@dataclass(frozen=True)
class JournalEntry:
    id: int
    drill_id: int
    table_name: str
    row_key: dict[str, Any]
    original: dict[str, Any]
    operation: str = "update"
    """update (from an older version, nothing to restore), insert (delete
    the row) or row (write the whole original row back)."""
    changed_to: dict[str, Any] = field(default_factory=dict)
    """For a row entry: the values the drill set, which the row must still
    have for the original to be written back."""


class DrillRepository:
    def __init__(self, store: Store):
        self.store = store

    def create(
        self,
        scenario: str,
        target: str,
        actor: str,
        target_identity: str | None = None,
    ) -> DrillRecord:
        started = utc_now()
        drill_id = self.store.execute(
            "INSERT INTO drills "
            "(scenario, target, actor, status, started_at, target_identity) "
            "VALUES (?, ?, ?, 'running', ?, ?)",
            (scenario, target, actor, to_text(started), target_identity),
        )
        return DrillRecord(
            drill_id,
            scenario,
            target,
            actor,
            "running",
            started,
            target_identity=target_identity,
        )

    def save(self, drill: DrillRecord) -> None:
        assignments = ", ".join(f"{name} = ?" for name in _TIMES)
        self.store.execute(
            f"UPDATE drills SET status = ?, incident_id = ?, error = ?, {assignments} "
            "WHERE id = ?",
            (
                drill.status,
                drill.incident_id,
                drill.error,
                *(to_text(getattr(drill, name)) for name in _TIMES),
                drill.id,
            ),
        )

    def get(self, drill_id: int) -> DrillRecord | None:
        row = self.store.query_one("SELECT * FROM drills WHERE id = ?", (drill_id,))
        return _drill(row) if row else None

    def history(
        self, scenario: str | None = None, limit: int = 50
    ) -> list[DrillRecord]:
        if scenario:
            rows = self.store.query(
                "SELECT * FROM drills WHERE scenario = ? ORDER BY id DESC LIMIT ?",
                (scenario, limit),
            )
        else:
            rows = self.store.query(
                "SELECT * FROM drills ORDER BY id DESC LIMIT ?", (limit,)
            )
        return [_drill(row) for row in rows]

    def last_ended(self, scenario: str, target: str) -> datetime | None:
        row = self.store.query_one(
            "SELECT max(coalesce(ended_at, started_at)) AS at FROM drills "
            "WHERE scenario = ? AND target = ?",
            (scenario, target),
        )
        return from_text(row["at"]) if row and row["at"] else None

    def running(self, target: str) -> list[DrillRecord]:
        rows = self.store.query(
            "SELECT * FROM drills WHERE target = ? AND status = 'running'", (target,)
        )
        return [_drill(row) for row in rows]

    def journal(
        self,
        drill_id: int,
        table_name: str,
        row_key: dict,
        original: dict,
        operation: str = "update",
        changed_to: dict | None = None,
    ) -> None:
        self.store.execute(
            "INSERT INTO drill_journal "
            "(drill_id, table_name, row_key, original, operation, changed_to) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                drill_id,
                table_name,
                to_json(row_key),
                to_json(original),
                operation,
                to_json(changed_to) if changed_to else None,
            ),
        )

    def pending_journal(self, drill_id: int | None = None) -> list[JournalEntry]:
        return self._journal(drill_id, pending_only=True)

    def journal_entries(self, drill_id: int) -> list[JournalEntry]:
        """Return every entry of a drill, restored or not, newest first."""
        return self._journal(drill_id, pending_only=False)

    def _journal(self, drill_id: int | None, pending_only: bool) -> list[JournalEntry]:
        sql = "SELECT * FROM drill_journal WHERE 1 = 1"
        if pending_only:
            sql += " AND restored_at IS NULL"
        params: tuple[Any, ...] = ()
        if drill_id is not None:
            sql += " AND drill_id = ?"
            params = (drill_id,)
        rows = self.store.query(sql + " ORDER BY id DESC", params)
        return [
            JournalEntry(
                row["id"],
                row["drill_id"],
                row["table_name"],
                json.loads(row["row_key"]),
                json.loads(row["original"]),
                row["operation"],
                json.loads(row["changed_to"]) if row["changed_to"] else {},
            )
            for row in rows
        ]

    def mark_restored(self, entry_id: int) -> None:
        self.store.execute(
            "UPDATE drill_journal SET restored_at = ? WHERE id = ?",
            (to_text(utc_now()), entry_id),
        )


def _drill(row: sqlite3.Row) -> DrillRecord:
    return DrillRecord(
        id=row["id"],
        scenario=row["scenario"],
        target=row["target"],
        actor=row["actor"],
        status=row["status"],
        incident_id=row["incident_id"],
        error=row["error"],
        target_identity=row["target_identity"],
        **{name: from_text(row[name]) for name in _TIMES},
    )
