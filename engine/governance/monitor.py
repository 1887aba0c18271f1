"""Catalog scans on a schedule, and the governance findings they leave: one
per column that looks like PHI and has no classification in the store."""

from __future__ import annotations

import asyncio
import logging
import time

from engine.config.models import GovernanceConfig
from engine.governance.catalog import scan_catalog
from engine.governance.classifier import PhiCategory
from engine.jobs.actions import INSTALLING_ACTIONS
from engine.monitor.findings import Finding, FindingKind, Severity
from engine.store.database import utc_now
from engine.store.governance import (
    NO_PHI,
    CatalogEntry,
    GovernanceRepository,
    ScanRecord,
)
from engine.targets.base import Target

log = logging.getLogger(__name__)

CATEGORIES = (*(str(category) for category in PhiCategory), NO_PHI)
"""The categories a person may record as a column's classification."""


def configured_classifications(
    config: GovernanceConfig,
) -> dict[tuple[str, str, str], str]:
    """Return governance.classifications keyed on (schema, table, column)."""
    keys = {}
    for table, columns in config.classifications.items():
        schema, _, name = table.partition(".")
        for column, category in columns.items():
            keys[(schema, name, column)] = category
    return keys


def dedup_key(entry: CatalogEntry) -> str:
    column = entry.column
    return f"governance:{column.table_schema}.{column.table_name}.{column.column_name}"


class GovernanceMonitor:
    """The catalog of one target and its open governance findings.

    ``findings`` contains one finding per unclassified PHI column of the
    last scan. The engine adds them to every poll, so each incident stays
    open until someone classifies the column or it is dropped.
    """

    def __init__(
        self,
        target: Target,
        target_name: str,
        config: GovernanceConfig,
        repository: GovernanceRepository,
    ):
        self.target = target
        self.target_name = target_name
        self.config = config
        self.repository = repository
        self.findings: tuple[Finding, ...] = ()
        self.error: str | None = None
        self.running = False
        self._last_attempt: float | None = None
        self._installed: set[str] = set()
        """The ETL actions that have succeeded since the engine started."""
        # Two scans at once would both compute their changes from one catalog.
        self._lock = asyncio.Lock()
        self.refresh_findings()

    def due(self, now: float | None = None) -> bool:
        interval = self.config.scan_interval_seconds
        if interval <= 0 or self.running:
            return False
        now = time.monotonic() if now is None else now
        return self._last_attempt is None or now - self._last_attempt >= interval

    def tables_installed(self, action: str) -> None:
        """Make the catalog scan due at the next poll after the first success
        of each ETL action since the engine started.

        An ETL action creates the tables it is missing before it loads them,
        so its first run can add tables that the last scan did not see.
        Without this their columns would be listed, and an unclassified PHI
        column found, only at the next scheduled scan. Scans that are off
        (scan_interval_seconds 0) stay off.
        """
        if action not in INSTALLING_ACTIONS or action in self._installed:
            return
        self._installed.add(action)
        log.info("catalog scan due: job action %s may have created tables", action)
        self._last_attempt = None

    async def scan(self) -> ScanRecord:
        """Scan the catalog, store it and update the findings.

        Raises TargetError if the catalog cannot be read; the stored catalog
        and the findings then stay as they were.
        """
        async with self._lock:
            self.running = True
            self._last_attempt = time.monotonic()
            try:
                return await self._scan()
            finally:
                self.running = False

    async def _scan(self) -> ScanRecord:
        started = utc_now()
        read = await scan_catalog(
            self.target, self.config.sample_rows, self.config.exclude_schemas
        )
        accept = self.config.min_confidence if self.config.accept_first_scan else None
        record = self.repository.replace_catalog(
            self.target_name,
            started,
            read.columns,
            read.sampled_tables,
            read.sample_errors,
            accept,
            configured_classifications(self.config),
        )
        self.refresh_findings()
        log.info(
            "catalog scan %s of %s: %s tables, %s columns, %s added, %s dropped, "
            "%s unclassified PHI columns",
            record.id,
            self.target_name,
            record.tables,
            record.columns,
            record.added,
            record.dropped,
            len(self.findings),
        )
        return record

    def phi_columns(self) -> list[CatalogEntry]:
        """Return the columns that look like PHI or are classified as PHI."""
        return [
            entry
            for entry in self.repository.catalog(self.target_name)
            if self._looks_like_phi(entry) or entry.classification not in (None, NO_PHI)
        ]

    def refresh_findings(self) -> None:
        """Recompute the findings from the stored catalog."""
        self.findings = tuple(
            _finding(entry)
            for entry in self.repository.catalog(self.target_name)
            if entry.classification is None and self._looks_like_phi(entry)
        )

    def _looks_like_phi(self, entry: CatalogEntry) -> bool:
        confidence = entry.column.confidence
        return confidence is not None and confidence >= self.config.min_confidence


def _finding(entry: CatalogEntry) -> Finding:
    column = entry.column
    name = f"{column.table_schema}.{column.table_name}.{column.column_name}"
    category = (column.category or "").replace("_", " ")
    return Finding(
        kind=FindingKind.GOVERNANCE,
        dedup_key=dedup_key(entry),
        severity=Severity.WARNING,
        title=f"unclassified PHI column {name}: looks like {category}",
        root_cause=(
            f"the catalog scan found {name} ({column.data_type}), which looks like "
            f"{category} with confidence {column.confidence:.2f} ({column.reason}), "
            "and nobody has classified it; classify it as PHI or as none"
        ),
        metrics={
            "column": name,
            "category": column.category,
            "confidence": column.confidence,
            "first_seen_at": entry.first_seen_at.isoformat(),
        },
    )
