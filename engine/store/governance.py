"""The target's catalog, its PHI classifications and the changes between
catalog scans, in the state database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.store.database import Store, from_text, to_text

FIRST_SCAN_ACTOR = "classifier (first scan)"
CONFIG_ACTOR = "config (governance.classifications)"
# Classifications the engine recorded on its own; a configured one replaces
# them, but never a person's.
_AUTOMATIC_ACTORS = (FIRST_SCAN_ACTOR, CONFIG_ACTOR)
NO_PHI = "none"
"""The category a person records for a flagged column that contains no PHI."""


class ColumnNotFound(LookupError):
    """A classification names a column that the last catalog scan did not see."""


@dataclass(frozen=True)
class ScannedColumn:
    """One column read from the target's INFORMATION_SCHEMA, with what the
    classifier made of it (``category`` None: nothing)."""

    table_schema: str
    table_name: str
    table_type: str
    column_name: str
    ordinal: int
    data_type: str
    is_nullable: bool
    category: str | None = None
    confidence: float | None = None
    reason: str | None = None
    detected_by: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.table_schema, self.table_name, self.column_name)

    @property
    def table(self) -> str:
        """The table as ``schema.table``."""
        return f"{self.table_schema}.{self.table_name}"


@dataclass(frozen=True)
class CatalogEntry:
    """One column of the current catalog, with its accepted classification."""

    column: ScannedColumn
    first_seen_at: datetime
    classification: str | None
    """The accepted category, ``none``, or None while the column is unclassified."""
    classification_reason: str | None
    classified_by: str | None
    classified_at: datetime | None


@dataclass(frozen=True)
class ScanRecord:
    """One catalog scan and what changed since the scan before."""

    id: int
    target: str
    scanned_at: datetime
    tables: int
    columns: int
    added: int
    dropped: int
    sampled_tables: int
    sample_errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CatalogChange:
    scan_id: int
    change: str
    """``added`` or ``dropped``."""
    table_schema: str
    table_name: str
    column_name: str
    data_type: str


class GovernanceRepository:
    def __init__(self, store: Store):
        self.store = store

    def replace_catalog(
        self,
        target: str,
        scanned_at: datetime,
        columns: Sequence[ScannedColumn],
        sampled_tables: int,
        sample_errors: dict[str, str],
        accept_detections_above: float | None,
        configured: Mapping[tuple[str, str, str], str] | None = None,
    ) -> ScanRecord:
        """Store a scan as the target's catalog and record added and dropped
        columns. On the target's first scan, ``accept_detections_above`` (if
        set) records every detection at or above it as a classification.

        ``configured`` maps (schema, table, column) to a category recorded
        at every scan for a column of this scan that no person has
        classified, so a table created after the first scan needs no person.
        """
        configured = configured or {}
        with self.store.transaction() as store:
            previous = {
                (row["table_schema"], row["table_name"], row["column_name"]): row
                for row in store.query(
                    "SELECT * FROM catalog_columns WHERE target = ?", (target,)
                )
            }
            first_scan = store.query_one(
                "SELECT 1 FROM catalog_scans WHERE target = ?", (target,)
            )
            current = {column.key: column for column in columns}
            added = [] if first_scan is None else sorted(current.keys() - previous)
            dropped = sorted(previous.keys() - current.keys())
            tables = {(column.table_schema, column.table_name) for column in columns}
            scan_id = store.execute(
                "INSERT INTO catalog_scans (target, scanned_at, tables, columns, "
                "added, dropped, sampled_tables, sample_errors) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    target,
                    to_text(scanned_at),
                    len(tables),
                    len(columns),
                    len(added),
                    len(dropped),
                    sampled_tables,
                    json.dumps(sample_errors, sort_keys=True),
                ),
            )
            for key in added:
                _record_change(store, scan_id, target, "added", current[key])
            for key in dropped:
                _drop_column(store, scan_id, target, previous[key])
            for column in columns:
                _upsert_column(store, target, scan_id, column)
            if first_scan is None and accept_detections_above is not None:
                unlisted = [
                    column for column in columns if column.key not in configured
                ]
                _accept_detections(
                    store, target, unlisted, accept_detections_above, scanned_at
                )
            _apply_configured(store, target, columns, configured, scanned_at)
        return self.scan(scan_id)

    def scan(self, scan_id: int) -> ScanRecord:
        row = self.store.query_one(
            "SELECT * FROM catalog_scans WHERE id = ?", (scan_id,)
        )
        assert row is not None
        return _scan(row)

    def latest_scan(self, target: str) -> ScanRecord | None:
        row = self.store.query_one(
            "SELECT * FROM catalog_scans WHERE target = ? ORDER BY id DESC LIMIT 1",
            (target,),
        )
        return _scan(row) if row is not None else None

    def catalog(self, target: str) -> list[CatalogEntry]:
        """Return every column of the target's last scan, in table order."""
        rows = self.store.query(
            "SELECT c.*, s.scanned_at AS first_seen_at, k.category AS accepted, "
            "k.reason AS accepted_reason, k.classified_by, k.classified_at "
            "FROM catalog_columns AS c "
            "JOIN catalog_scans AS s ON s.id = c.first_scan_id "
            "LEFT JOIN column_classifications AS k ON k.target = c.target "
            "AND k.table_schema = c.table_schema AND k.table_name = c.table_name "
            "AND k.column_name = c.column_name "
            "WHERE c.target = ? ORDER BY c.table_schema, c.table_name, c.ordinal",
            (target,),
        )
        return [_entry(row) for row in rows]

    def changes(self, target: str, limit: int = 100) -> list[CatalogChange]:
        """Return the newest added and dropped columns first."""
        rows = self.store.query(
            "SELECT * FROM catalog_changes WHERE target = ? ORDER BY id DESC LIMIT ?",
            (target, limit),
        )
        return [
            CatalogChange(
                scan_id=row["scan_id"],
                change=row["change"],
                table_schema=row["table_schema"],
                table_name=row["table_name"],
                column_name=row["column_name"],
                data_type=row["data_type"],
            )
            for row in rows
        ]

    def classify(
        self,
        target: str,
        key: tuple[str, str, str],
        category: str,
        reason: str,
        actor: str,
        at: datetime,
        confidence: float | None = None,
    ) -> None:
        """Record ``category`` (or ``none``) as the column's classification;
        raise ColumnNotFound if the last scan did not see the column."""
        with self.store.transaction() as store:
            exists = store.query_one(
                "SELECT 1 FROM catalog_columns WHERE target = ? AND table_schema = ? "
                "AND table_name = ? AND column_name = ?",
                (target, *key),
            )
            if exists is None:
                schema, table, column = key
                raise ColumnNotFound(
                    f"column {schema}.{table}.{column} is not in the catalog of "
                    f"target {target}; run a catalog scan if it was added since"
                )
            _upsert_classification(
                store, target, key, (category, confidence, reason), actor, at
            )


def _record_change(
    store: Store, scan_id: int, target: str, change: str, column: ScannedColumn
) -> None:
    store.execute(
        "INSERT INTO catalog_changes (scan_id, target, change, table_schema, "
        "table_name, column_name, data_type) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (scan_id, target, change, *column.key, column.data_type),
    )


def _drop_column(store: Store, scan_id: int, target: str, row: sqlite3.Row) -> None:
    key = (row["table_schema"], row["table_name"], row["column_name"])
    store.execute(
        "INSERT INTO catalog_changes (scan_id, target, change, table_schema, "
        "table_name, column_name, data_type) VALUES (?, ?, 'dropped', ?, ?, ?, ?)",
        (scan_id, target, *key, row["data_type"]),
    )
    # A column added again later under the same name may hold other data, so
    # it is classified again.
    for table in ("catalog_columns", "column_classifications"):
        store.execute(
            f"DELETE FROM {table} WHERE target = ? AND table_schema = ? "
            "AND table_name = ? AND column_name = ?",
            (target, *key),
        )


def _upsert_column(
    store: Store, target: str, scan_id: int, column: ScannedColumn
) -> None:
    store.execute(
        "INSERT INTO catalog_columns (target, table_schema, table_name, column_name, "
        "table_type, ordinal, data_type, is_nullable, first_scan_id, scan_id, "
        "detected_category, detected_confidence, detected_reason, detected_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (target, table_schema, table_name, column_name) DO UPDATE SET "
        "table_type = excluded.table_type, ordinal = excluded.ordinal, "
        "data_type = excluded.data_type, is_nullable = excluded.is_nullable, "
        "scan_id = excluded.scan_id, "
        "detected_category = excluded.detected_category, "
        "detected_confidence = excluded.detected_confidence, "
        "detected_reason = excluded.detected_reason, "
        "detected_by = excluded.detected_by",
        (
            target,
            *column.key,
            column.table_type,
            column.ordinal,
            column.data_type,
            int(column.is_nullable),
            scan_id,
            scan_id,
            column.category,
            column.confidence,
            column.reason,
            column.detected_by,
        ),
    )


def _accept_detections(
    store: Store,
    target: str,
    columns: Sequence[ScannedColumn],
    threshold: float,
    at: datetime,
) -> None:
    for column in columns:
        if column.category is None or (column.confidence or 0) < threshold:
            continue
        decision = (column.category, column.confidence, column.reason or "")
        _upsert_classification(
            store, target, column.key, decision, FIRST_SCAN_ACTOR, at
        )


def _apply_configured(
    store: Store,
    target: str,
    columns: Sequence[ScannedColumn],
    configured: Mapping[tuple[str, str, str], str],
    at: datetime,
) -> None:
    for column in columns:
        category = configured.get(column.key)
        if category is None:
            continue
        current = store.query_one(
            "SELECT category, classified_by FROM column_classifications "
            "WHERE target = ? AND table_schema = ? AND table_name = ? "
            "AND column_name = ?",
            (target, *column.key),
        )
        if current is not None:
            by_person = current["classified_by"] not in _AUTOMATIC_ACTORS
            unchanged = (current["classified_by"], current["category"]) == (
                CONFIG_ACTOR,
                category,
            )
            # Keep the time of the first recording when nothing changed.
            if by_person or unchanged:
                continue
        reason = f"listed as {category} in governance.classifications"
        decision = (category, None, reason)
        _upsert_classification(store, target, column.key, decision, CONFIG_ACTOR, at)


def _upsert_classification(
    store: Store,
    target: str,
    key: tuple[str, str, str],
    decision: tuple[str, float | None, str],
    actor: str,
    at: datetime,
) -> None:
    """Write ``decision`` (category, confidence, reason) for the column."""
    store.execute(
        "INSERT INTO column_classifications (target, table_schema, table_name, "
        "column_name, category, confidence, reason, classified_by, classified_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (target, table_schema, table_name, column_name) DO UPDATE SET "
        "category = excluded.category, confidence = excluded.confidence, "
        "reason = excluded.reason, classified_by = excluded.classified_by, "
        "classified_at = excluded.classified_at",
        (target, *key, *decision, actor, to_text(at)),
    )


def _scan(row: sqlite3.Row) -> ScanRecord:
    return ScanRecord(
        id=row["id"],
        target=row["target"],
        scanned_at=from_text(row["scanned_at"]),  # type: ignore[arg-type]
        tables=row["tables"],
        columns=row["columns"],
        added=row["added"],
        dropped=row["dropped"],
        sampled_tables=row["sampled_tables"],
        sample_errors=json.loads(row["sample_errors"]),
    )


def _entry(row: sqlite3.Row) -> CatalogEntry:
    column = ScannedColumn(
        table_schema=row["table_schema"],
        table_name=row["table_name"],
        table_type=row["table_type"],
        column_name=row["column_name"],
        ordinal=row["ordinal"],
        data_type=row["data_type"],
        is_nullable=bool(row["is_nullable"]),
        category=row["detected_category"],
        confidence=row["detected_confidence"],
        reason=row["detected_reason"],
        detected_by=row["detected_by"],
    )
    return CatalogEntry(
        column=column,
        first_seen_at=from_text(row["first_seen_at"]),  # type: ignore[arg-type]
        classification=row["accepted"],
        classification_reason=row["accepted_reason"],
        classified_by=row["classified_by"],
        classified_at=from_text(row["classified_at"]),
    )
