"""The Engine's governance operations: the catalog scan and classification,
the masked export of patients, the PHI access log and the ETL lineage.

``Engine`` (engine.service) inherits them. They use the engine's target,
configuration, state database, event bus and governance monitor.
"""

from __future__ import annotations

import logging
from pathlib import Path

from engine.config.models import WarroomConfig
from engine.events import CatalogChanged, EngineNotice, EventBus
from engine.governance import access
from engine.governance.access import (
    AccessWindow,
    PatientAccess,
    PatientReads,
    UserReads,
)
from engine.governance.export import (
    EXPORTS_FOLDER,
    PATIENT_COLUMNS,
    PATIENTS_TABLE,
    ExportFormat,
    ExportResult,
    export_patients,
    patients_masker,
    resolve_export_path,
)
from engine.governance.lineage import LineageReport, read_lineage
from engine.governance.masking import MaskingError
from engine.governance.monitor import CATEGORIES, GovernanceMonitor
from engine.store.database import Store, utc_now
from engine.store.governance import CatalogChange, CatalogEntry, ScanRecord
from engine.targets.base import Target, TargetError

log = logging.getLogger(__name__)


class GovernanceOperations:
    """Catalog, classification, masked export, PHI access and lineage
    operations of one engine."""

    config: WarroomConfig
    target: Target
    target_name: str
    store: Store
    bus: EventBus
    governance: GovernanceMonitor

    async def scan_catalog(self, actor: str = "engine") -> ScanRecord:
        """Scan the target's catalog now, classify its columns and store them.

        Raises TargetError if the catalog cannot be read. A column that looks
        like PHI and has no classification is a governance finding from the
        next poll on.
        """
        log.info("catalog scan of %s started by %s", self.target_name, actor)
        try:
            record = await self.governance.scan()
        except TargetError as error:
            self.governance.error = str(error)
            raise
        self.governance.error = None
        self.bus.publish(CatalogChanged("scanned", actor))
        return record

    async def _scheduled_catalog_scan(self) -> None:
        try:
            await self.scan_catalog("engine (schedule)")
        except TargetError as error:
            log.error("catalog scan of %s failed: %s", self.target_name, error)
            self.bus.publish(EngineNotice("warning", f"catalog scan failed: {error}"))

    def last_catalog_scan(self) -> ScanRecord | None:
        return self.governance.repository.latest_scan(self.target_name)

    def catalog(self) -> list[CatalogEntry]:
        """Return every column of the last catalog scan with its classification."""
        return self.governance.repository.catalog(self.target_name)

    def phi_columns(self) -> list[CatalogEntry]:
        """Return the columns that look like PHI or are classified as PHI."""
        return self.governance.phi_columns()

    def catalog_changes(self, limit: int = 100) -> list[CatalogChange]:
        """Return the newest columns added or dropped between scans first."""
        return self.governance.repository.changes(self.target_name, limit)

    def classify_column(
        self, table: str, column: str, category: str, actor: str, reason: str = ""
    ) -> None:
        """Record a person's classification of ``schema.table`` ``column``.

        ``category`` is a PHI category or ``none``. Raises ValueError for an
        unknown category or a table name without its schema, and
        ColumnNotFound for a column the last scan did not see.
        """
        if category not in CATEGORIES:
            raise ValueError(
                f"category {category!r} is unknown; use one of {', '.join(CATEGORIES)}"
            )
        schema, dot, name = table.partition(".")
        if not dot or not schema or not name:
            raise ValueError(f"table {table!r} needs its schema, as schema.table")
        self.governance.repository.classify(
            self.target_name,
            (schema, name, column),
            category,
            reason or f"classified by {actor}",
            actor,
            utc_now(),
        )
        self.governance.refresh_findings()
        log.info("column %s.%s classified as %s by %s", table, column, category, actor)
        self.bus.publish(CatalogChanged("classified", actor))

    def export_directory(self) -> Path:
        """Return the folder masked exports are written to: ``exports`` in
        the data directory.

        Raises ValueError for an engine whose state database is in memory.
        """
        return self._data_directory() / EXPORTS_FOLDER

    def _data_directory(self) -> Path:
        if not isinstance(self.store.path, Path):
            raise ValueError("the state database is in memory; no data directory")
        return self.store.path.parent

    async def export_masked_patients(
        self, export_format: ExportFormat, path: str, actor: str
    ) -> ExportResult:
        """Write healthcare.patients, masked by governance.masking, to ``path``.

        A relative ``path`` is taken from the exports folder. Raises
        ExportPathError for a path outside that folder, with another
        extension than the format's, or one that exists; then MaskingError
        (MissingHashSecret) for rules that cannot apply or for an exported
        column that the catalog marks as PHI without a mask rule, and
        TargetError when the target cannot be read.
        """
        # The path is checked first, so a bad path is reported as such even
        # without the hash secret, and both checks come before any folder is
        # created.
        target_path = resolve_export_path(self._data_directory(), path, export_format)
        patients_masker(self.config.warroom.governance)
        self._check_phi_masked()
        result = await export_patients(
            self.target, self.config.warroom.governance, target_path, export_format
        )
        log.info(
            "masked export of %s patients of %s to %s by %s",
            result.rows,
            self.target_name,
            result.path,
            actor,
        )
        return result

    def _check_phi_masked(self) -> None:
        """Raise MaskingError when the last catalog scan marks an exported
        patients column as PHI, detected or classified, without a mask rule,
        because the masked export would then contain its raw values."""
        rules = self.config.warroom.governance.masking.get(PATIENTS_TABLE, {})
        unmasked = sorted(
            entry.column.column_name
            for entry in self.phi_columns()
            if entry.column.table == PATIENTS_TABLE
            and entry.column.column_name in PATIENT_COLUMNS
            and entry.column.column_name not in rules
        )
        if unmasked:
            raise MaskingError(
                f"{PATIENTS_TABLE} column(s) {', '.join(unmasked)} are PHI in the "
                "last catalog scan but have no rule in governance.masking, so the "
                "export would contain their raw values; add a rule for each, or "
                "classify a false match as none"
            )

    async def phi_reads_by_user(
        self, hours: float = 24.0, max_rows: int = 100
    ) -> list[UserReads]:
        """Return each user's reads of patient records in the last ``hours``."""
        window = AccessWindow.last(hours)
        return await access.reads_by_user(self.target, window, max_rows)

    async def phi_patients_of_user(
        self, user_name: str, hours: float = 24.0, max_rows: int = 100
    ) -> list[PatientReads]:
        """Return the patients ``user_name`` read in the last ``hours``."""
        window = AccessWindow.last(hours)
        return await access.patients_of_user(self.target, user_name, window, max_rows)

    async def phi_readers_of_patient(
        self, patient_id: int, hours: float = 24.0 * 30, max_rows: int = 100
    ) -> list[PatientAccess]:
        """Return every read of one patient's record in the last ``hours``."""
        window = AccessWindow.last(hours)
        return await access.readers_of_patient(
            self.target, patient_id, window, max_rows
        )

    async def lineage(self, max_rows: int = 100) -> LineageReport:
        """Return the newest ETL lineage rows, with a note on their source."""
        return await read_lineage(self.target, max_rows)
