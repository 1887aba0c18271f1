"""PHI governance: the catalog and its classification, the masked export, the
PHI access log and ETL lineage."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from engine.config.models import ColumnCategory
from engine.governance.access import PatientAccess, PatientReads, UserReads
from engine.governance.export import ExportResult
from engine.governance.lineage import LineageReport
from engine.store.governance import CatalogChange, CatalogEntry, ScanRecord


class ScanOut(msgspec.Struct):
    """One catalog scan and what changed since the scan before."""

    id: int
    scanned_at: datetime
    tables: int
    columns: int
    added: int
    dropped: int
    sampled_tables: int
    sample_errors: dict[str, str]
    """Tables whose sample could not be read, with the reason; those tables
    were classified from their column names alone."""


class ColumnOut(msgspec.Struct):
    """One column of the catalog, what the classifier found and the accepted
    classification."""

    table: str
    """schema.table"""
    column: str
    ordinal: int
    """The column's position in its table, from 1."""
    table_type: str
    data_type: str
    is_nullable: bool
    first_seen_at: datetime
    detected_category: str | None
    """The classifier's category; null when the column looks like no PHI."""
    detected_confidence: float | None
    detected_reason: str | None
    detected_by: str | None
    classification: str | None
    """The accepted category, ``none`` for no PHI, or null while unclassified."""
    classified_by: str | None
    classified_at: datetime | None
    classification_reason: str | None


class ChangeOut(msgspec.Struct):
    """A column added or dropped between two scans."""

    scan_id: int
    change: Literal["added", "dropped"]
    table: str
    column: str
    data_type: str


class CatalogOut(msgspec.Struct):
    """The target's catalog as of its last scan."""

    scan: ScanOut | None
    """null before the first scan."""
    columns: list[ColumnOut]
    changes: list[ChangeOut]
    """The newest added and dropped columns, up to 100."""


class PhiColumnsOut(msgspec.Struct):
    """The columns that look like PHI or are classified as PHI."""

    scan: ScanOut | None
    min_confidence: float
    unclassified: int
    """Columns that look like PHI and have no classification. Each is an
    open governance finding."""
    columns: list[ColumnOut]


class ClassifyIn(msgspec.Struct, forbid_unknown_fields=True):
    """A person's classification of one column."""

    table: Annotated[str, msgspec.Meta(min_length=3, max_length=300)]
    """schema.table"""
    column: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    category: ColumnCategory
    """A PHI category, or ``none`` for a column that contains no PHI."""
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class MaskExportIn(msgspec.Struct, forbid_unknown_fields=True):
    """Where and how to write the masked export of healthcare.patients."""

    format: Literal["csv", "json"]
    path: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    """A new .csv or .json file, matching ``format``, in the exports folder of the
    data directory; a relative path is taken from that folder."""


class MaskExportOut(msgspec.Struct):
    """A finished masked export."""

    path: str
    format: str
    rows: int
    columns: list[str]
    masked: dict[str, str]
    """Column to the rule that masked it: full, partial or hash."""
    seconds: float


class UserReadsOut(msgspec.Struct):
    user_name: str
    reads: int
    patients: int
    views: int
    updates: int
    exports: int
    first_read_at: datetime
    last_read_at: datetime


class PatientReadsOut(msgspec.Struct):
    patient_id: int
    reads: int
    first_read_at: datetime
    last_read_at: datetime


class PatientAccessOut(msgspec.Struct):
    access_id: int
    accessed_at: datetime
    user_name: str
    access_type: str
    purpose: str
    application: str


class LineageRowOut(msgspec.Struct):
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


class LineageOut(msgspec.Struct):
    """ETL lineage rows, newest first, and where they come from."""

    note: str
    """The source of the rows, or why there are none."""
    rows: list[LineageRowOut]


def scan_out(record: ScanRecord | None) -> ScanOut | None:
    if record is None:
        return None
    return ScanOut(
        id=record.id,
        scanned_at=record.scanned_at,
        tables=record.tables,
        columns=record.columns,
        added=record.added,
        dropped=record.dropped,
        sampled_tables=record.sampled_tables,
        sample_errors=dict(record.sample_errors),
    )


def column_out(entry: CatalogEntry) -> ColumnOut:
    column = entry.column
    return ColumnOut(
        table=column.table,
        column=column.column_name,
        ordinal=column.ordinal,
        table_type=column.table_type,
        data_type=column.data_type,
        is_nullable=column.is_nullable,
        first_seen_at=entry.first_seen_at,
        detected_category=column.category,
        detected_confidence=column.confidence,
        detected_reason=column.reason,
        detected_by=column.detected_by,
        classification=entry.classification,
        classified_by=entry.classified_by,
        classified_at=entry.classified_at,
        classification_reason=entry.classification_reason,
    )


def change_out(change: CatalogChange) -> ChangeOut:
    return ChangeOut(
        scan_id=change.scan_id,
        change=change.change,  # type: ignore[arg-type]
        table=f"{change.table_schema}.{change.table_name}",
        column=change.column_name,
        data_type=change.data_type,
    )


def export_out(result: ExportResult) -> MaskExportOut:
    return MaskExportOut(
        path=str(result.path),
        format=result.format,
        rows=result.rows,
        columns=list(result.columns),
        masked=dict(result.masked),
        seconds=round(result.seconds, 3),
    )


def user_reads_out(reads: UserReads) -> UserReadsOut:
    return UserReadsOut(**reads.__dict__)


def patient_reads_out(reads: PatientReads) -> PatientReadsOut:
    return PatientReadsOut(**reads.__dict__)


def patient_access_out(read: PatientAccess) -> PatientAccessOut:
    return PatientAccessOut(**read.__dict__)


def lineage_out(report: LineageReport) -> LineageOut:
    return LineageOut(
        note=report.note,
        rows=[LineageRowOut(**row.__dict__) for row in report.rows],
    )
