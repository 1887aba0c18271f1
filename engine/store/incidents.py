"""Incidents, their timelines and postmortems in the state database."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from engine.incidents.models import (
    Incident,
    PostmortemSummary,
    Status,
    TimelineEntry,
)
from engine.store.database import Store, from_text, to_json, to_text

_COLUMNS = (
    "kind, dedup_key, status, severity, title, root_cause, target, session_id, "
    "metrics, peak, started_at, detected_at, last_seen_at, occurrences, "
    "clear_polls, escalated_at, resolved_at, drill_id"
)


class IncidentRepository:
    def __init__(self, store: Store):
        self.store = store

    def insert(self, incident: Incident) -> int:
        placeholders = ", ".join("?" for _ in _COLUMNS.split(","))
        return self.store.execute(
            f"INSERT INTO incidents ({_COLUMNS}) VALUES ({placeholders})",
            _values(incident),
        )

    def update(self, incident: Incident) -> None:
        assignments = ", ".join(f"{name.strip()} = ?" for name in _COLUMNS.split(","))
        self.store.execute(
            f"UPDATE incidents SET {assignments} WHERE id = ?",
            (*_values(incident), incident.id),
        )

    def get(self, incident_id: int, with_timeline: bool = True) -> Incident | None:
        row = self.store.query_one(
            "SELECT * FROM incidents WHERE id = ?", (incident_id,)
        )
        if row is None:
            return None
        incident = _incident(row)
        if with_timeline:
            incident.timeline = self.timeline(incident_id)
        return incident

    def open_incidents(self) -> list[Incident]:
        rows = self.store.query(
            "SELECT * FROM incidents WHERE status <> 'RESOLVED' ORDER BY id"
        )
        return [_incident(row) for row in rows]

    def detected_since(self, since: datetime) -> list[Incident]:
        """Return the incidents detected at or after ``since``, with timelines."""
        rows = self.store.query(
            "SELECT * FROM incidents WHERE detected_at >= ? ORDER BY id",
            (to_text(since),),
        )
        incidents = [_incident(row) for row in rows]
        for incident in incidents:
            incident.timeline = self.timeline(incident.id)
        return incidents

    def search(
        self,
        status: str | None = None,
        kind: str | None = None,
        open_only: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Incident]:
        clauses, params = [], []
        if status:
            clauses.append("status = ?")
            params.append(status)
        if kind:
            clauses.append("kind = ?")
            params.append(kind)
        if open_only:
            clauses.append("status <> 'RESOLVED'")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.store.query(
            f"SELECT * FROM incidents {where} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_incident(row) for row in rows]

    def add_event(self, incident_id: int, entry: TimelineEntry) -> None:
        self.store.execute(
            "INSERT INTO incident_events "
            "(incident_id, at, actor, action, from_status, to_status, message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                incident_id,
                to_text(entry.at),
                entry.actor,
                entry.action,
                entry.from_status,
                entry.to_status,
                entry.message,
            ),
        )

    def timeline(self, incident_id: int) -> list[TimelineEntry]:
        rows = self.store.query(
            "SELECT * FROM incident_events WHERE incident_id = ? ORDER BY id",
            (incident_id,),
        )
        return [
            TimelineEntry(
                at=from_text(row["at"]),  # type: ignore[arg-type]
                actor=row["actor"],
                action=row["action"],
                message=row["message"],
                from_status=Status(row["from_status"]) if row["from_status"] else None,
                to_status=Status(row["to_status"]) if row["to_status"] else None,
            )
            for row in rows
        ]

    def save_postmortem(self, incident_id: int, at: datetime, markdown: str) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO postmortems (incident_id, written_at, markdown) "
            "VALUES (?, ?, ?)",
            (incident_id, to_text(at), markdown),
        )

    def postmortem(self, incident_id: int) -> str | None:
        row = self.store.query_one(
            "SELECT markdown FROM postmortems WHERE incident_id = ?", (incident_id,)
        )
        return row["markdown"] if row else None

    def ids_of_drill(self, drill_id: int) -> list[int]:
        """Return the ids of the incidents tagged with ``drill_id``."""
        rows = self.store.query(
            "SELECT id FROM incidents WHERE drill_id = ? ORDER BY id", (drill_id,)
        )
        return [int(row["id"]) for row in rows]

    def resolved_without_postmortem(self) -> list[int]:
        """Return the ids of resolved incidents that have no postmortem."""
        rows = self.store.query(
            "SELECT id FROM incidents WHERE status = 'RESOLVED' AND NOT EXISTS "
            "(SELECT 1 FROM postmortems AS p WHERE p.incident_id = incidents.id) "
            "ORDER BY id"
        )
        return [int(row["id"]) for row in rows]

    def recent_postmortems(self, limit: int = 10) -> list[PostmortemSummary]:
        rows = self.store.query(
            "SELECT p.incident_id, p.written_at, i.title, i.kind, i.detected_at, "
            "i.started_at, i.resolved_at FROM postmortems AS p "
            "JOIN incidents AS i ON i.id = p.incident_id "
            "ORDER BY p.written_at DESC, p.incident_id DESC LIMIT ?",
            (limit,),
        )
        return [
            PostmortemSummary(
                incident_id=int(row["incident_id"]),
                title=row["title"] or "",
                kind=row["kind"] or "",
                written_at=from_text(row["written_at"]),
                started_at=from_text(row["started_at"]),
                detected_at=from_text(row["detected_at"]),
                resolved_at=from_text(row["resolved_at"]),
            )
            for row in rows
        ]


def _values(incident: Incident) -> tuple[Any, ...]:
    return (
        incident.kind,
        incident.dedup_key,
        str(incident.status),
        incident.severity,
        incident.title,
        incident.root_cause,
        incident.target,
        incident.session_id,
        to_json(incident.metrics),
        to_json(incident.peak),
        to_text(incident.started_at),
        to_text(incident.detected_at),
        to_text(incident.last_seen_at),
        incident.occurrences,
        incident.clear_polls,
        to_text(incident.escalated_at),
        to_text(incident.resolved_at),
        incident.drill_id,
    )


def _incident(row: sqlite3.Row) -> Incident:
    return Incident(
        id=row["id"],
        kind=row["kind"],
        dedup_key=row["dedup_key"],
        status=Status(row["status"]),
        severity=row["severity"],
        title=row["title"],
        root_cause=row["root_cause"],
        target=row["target"],
        session_id=row["session_id"],
        metrics=json.loads(row["metrics"]),
        peak=json.loads(row["peak"]),
        started_at=from_text(row["started_at"]),  # type: ignore[arg-type]
        detected_at=from_text(row["detected_at"]),  # type: ignore[arg-type]
        last_seen_at=from_text(row["last_seen_at"]),  # type: ignore[arg-type]
        occurrences=row["occurrences"],
        clear_polls=row["clear_polls"],
        escalated_at=from_text(row["escalated_at"]),
        resolved_at=from_text(row["resolved_at"]),
        drill_id=row["drill_id"],
    )
