"""The governance screen's tables: the catalog, the PHI columns with the
masked export's rule for each, and the latest run of each ETL pipeline, plus
the full record of the highlighted row.

Each table fits in 80 columns. Below ``WIDE_FROM`` cells, the catalog and
PHI tables leave out the type, confidence and reason. The lineage table sizes
its columns from their content: the pipeline's name is whole when the source
and target keep ``FLOW_MIN_WIDTH`` cells, and they take the rest. The detail
below the tables spells every field out in full, wrapped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import Static

from engine.config.models import MaskRuleConfig
from engine.governance.export import PATIENT_COLUMNS, PATIENTS_TABLE
from engine.governance.lineage import LineageReport, LineageRow
from engine.store.governance import FIRST_SCAN_ACTOR, NO_PHI, CatalogEntry, ScanRecord
from warroom.tui.views import count_text, duration
from warroom.tui.widgets.keyed_table import KeyedTable, Row, plain, themed

Masking = Mapping[str, Mapping[str, MaskRuleConfig]]

# Below WIDE_FROM cells of content, the catalog and PHI tables show fewer
# columns, and the detail below shows the rest.
WIDE_FROM = 130
CATALOG_NARROW = (
    ("table", None),
    ("column", 16),
    ("class", 13),
    ("conf", 4),
)
CATALOG_WIDE = (
    ("table", 26),
    ("column", 24),
    ("type", 16),
    ("classification", 21),
    ("confidence", 10),
    ("reason", None),
)
PHI_NARROW = (
    ("table", None),
    ("column", 15),
    ("category", 13),
    ("mask", 8),
    ("status", 12),
)
PHI_WIDE = (
    ("table", 26),
    ("column", 24),
    ("category", 21),
    ("confidence", 10),
    ("mask", 16),
    ("status", None),
)
# The widths until the first rows arrive; then each column is as wide as its
# content.
LINEAGE_COLUMNS = (
    ("pipeline", 16),
    ("source → target", None),
    ("read", 4),
    ("written", 7),
    ("rej", 3),
    ("took", 4),
    ("ended", 11),
)
FLOW_LABEL = "source → target"
LINEAGE_NUMBERS = frozenset({"read", "written", "rej", "took"})
# When the names do not fit, a pipeline keeps this many cells before the
# source and target go below FLOW_MIN_WIDTH.
PIPELINE_MIN_WIDTH = 16
FLOW_MIN_WIDTH = 12

_SHORT_TYPES = {
    "character varying": "varchar",
    "character": "char",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "time without time zone": "time",
    "double precision": "float8",
}
_UNCLASSIFIED_STYLE = "bold $warning"
_UNMASKED_STYLE = "bold $error"


def column_name(entry: CatalogEntry) -> str:
    """Return ``schema.table.column``."""
    column = entry.column
    return f"{column.table_schema}.{column.table_name}.{column.column_name}"


def table_name(entry: CatalogEntry) -> str:
    return entry.column.table


def mask_rule_of(entry: CatalogEntry, masking: Masking) -> MaskRuleConfig | None:
    return masking.get(table_name(entry), {}).get(entry.column.column_name)


def mask_text(entry: CatalogEntry, masking: Masking) -> tuple[str, str]:
    """Return how the masked export writes the column, and the style to show
    it in.

    The text is the rule, ``-`` for a column the export leaves out, or
    ``as is`` for an exported column without PHI. A PHI column without a mask
    rule is ``UNMASKED`` in red: the export would write its raw values, so it is
    rejected until the column has a rule.
    """
    rule = mask_rule_of(entry, masking)
    if rule is not None:
        return rule_text(rule), ""
    exported = (
        table_name(entry) == PATIENTS_TABLE
        and entry.column.column_name in PATIENT_COLUMNS
    )
    if not exported:
        return "-", ""
    if _may_be_phi(entry):
        return "UNMASKED", _UNMASKED_STYLE
    return "as is", ""


def _may_be_phi(entry: CatalogEntry) -> bool:
    # An unclassified detection counts, even below min_confidence.
    if entry.classification is None:
        return entry.column.category is not None
    return entry.classification != NO_PHI


def rule_text(rule: MaskRuleConfig) -> str:
    """Return a mask rule in a few words: ``hash``, ``full``, ``first 4``."""
    if rule.rule != "partial":
        return rule.rule
    visible = []
    if rule.keep_first:
        visible.append(f"first {rule.keep_first}")
    if rule.keep_last:
        visible.append(f"last {rule.keep_last}")
    return ", ".join(visible)


def _status(entry: CatalogEntry) -> str:
    if entry.classification is None:
        return "UNCLASSIFIED"
    if entry.classified_by == FIRST_SCAN_ACTOR:
        return "first scan"
    return f"by {entry.classified_by}"


def _classification(entry: CatalogEntry) -> str:
    return entry.classification or entry.column.category or "-"


def _confidence(entry: CatalogEntry) -> str:
    confidence = entry.column.confidence
    return f"{confidence:.2f}" if confidence is not None else "-"


def _short_type(data_type: str) -> str:
    return _SHORT_TYPES.get(data_type.lower(), data_type)


class ColumnTable(KeyedTable):
    """Catalog entries keyed by ``schema.table.column``, with ``narrow`` or
    ``wide`` columns by the room the table has."""

    narrow: tuple[tuple[str, int | None], ...] = ()
    wide: tuple[tuple[str, int | None], ...] = ()

    def __init__(self, **kwargs) -> None:
        super().__init__(self.narrow, **kwargs)
        self._entries: dict[str, CatalogEntry] = {}

    @property
    def entries(self) -> tuple[CatalogEntry, ...]:
        return tuple(self._entries.values())

    @property
    def selected(self) -> CatalogEntry | None:
        key = self.selected_key
        return self._entries.get(key) if key is not None else None

    def _show(self, entries: Sequence[CatalogEntry]) -> None:
        self._entries = {column_name(entry): entry for entry in entries}
        self.replace_rows([self._row(entry) for entry in entries])

    def _fit_columns(self) -> None:
        wide = self.content_region.width >= WIDE_FROM
        columns = self.wide if wide else self.narrow
        if columns != self._columns:
            # Zero makes the base class rebuild the columns and the rows.
            self._columns = columns
            self._flexible_width = 0
            self._rows = [self._row(entry) for entry in self._entries.values()]
        super()._fit_columns()

    def _row(self, entry: CatalogEntry) -> Row:
        cells = self._cells(entry)
        return column_name(entry), tuple(cells[label] for label, _ in self._columns)

    def _cells(self, entry: CatalogEntry) -> dict[str, Text]:
        raise NotImplementedError


class CatalogTable(ColumnTable):
    """Every column of the last scan."""

    narrow = CATALOG_NARROW
    wide = CATALOG_WIDE

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._phi: frozenset[str] = frozenset()

    def show(self, entries: Sequence[CatalogEntry], phi: Iterable[str]) -> None:
        """Show ``entries``, marking the unclassified ones whose
        ``schema.table.column`` key is in ``phi``."""
        self._phi = frozenset(phi)
        self._show(entries)

    def _cells(self, entry: CatalogEntry) -> dict[str, Text]:
        column = entry.column
        flagged = column_name(entry) in self._phi and entry.classification is None
        style = themed(self, _UNCLASSIFIED_STYLE) if flagged else ""
        classification = Text(_classification(entry), style=style, no_wrap=True)
        confidence = Text(_confidence(entry), justify="right")
        return {
            "table": plain(table_name(entry)),
            "column": plain(column.column_name),
            "type": plain(_short_type(column.data_type)),
            "class": classification,
            "classification": classification,
            "conf": confidence,
            "confidence": confidence,
            "reason": plain(column.reason or ""),
        }


class PhiTable(ColumnTable):
    """The columns that look like PHI or are classified as PHI, with the
    masked export's rule for each."""

    narrow = PHI_NARROW
    wide = PHI_WIDE

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._masking: Masking = {}

    def show(self, entries: Sequence[CatalogEntry], masking: Masking) -> None:
        """Show ``entries``: the unclassified first, because each is an open
        finding, then the ones the masked export writes raw, then the rest in
        catalog order."""
        self._masking = masking

        def urgency(entry: CatalogEntry) -> int:
            if entry.classification is None:
                return 0
            return 1 if mask_text(entry, masking)[0] == "UNMASKED" else 2

        self._show(sorted(entries, key=urgency))

    def _cells(self, entry: CatalogEntry) -> dict[str, Text]:
        mask, mask_style = mask_text(entry, self._masking)
        status_style = _UNCLASSIFIED_STYLE if entry.classification is None else ""
        return {
            "table": plain(table_name(entry)),
            "column": plain(entry.column.column_name),
            "category": plain(_classification(entry)),
            "confidence": Text(_confidence(entry), justify="right"),
            "mask": Text(mask, style=themed(self, mask_style) if mask_style else ""),
            "status": Text(
                _status(entry),
                style=themed(self, status_style) if status_style else "",
                no_wrap=True,
                overflow="ellipsis",
            ),
        }


def latest_runs(report: LineageReport) -> list[LineageRow]:
    """Return the newest run of each pipeline, newest first."""
    seen: dict[str, LineageRow] = {}
    for row in sorted(report.rows, key=lambda row: row.ended_at, reverse=True):
        seen.setdefault(row.pipeline, row)
    return list(seen.values())


class LineageTable(KeyedTable):
    """The latest run of each ETL pipeline, keyed by the pipeline's name."""

    right_aligned = LINEAGE_NUMBERS

    def __init__(self, **kwargs) -> None:
        super().__init__(LINEAGE_COLUMNS, **kwargs)
        self._runs: dict[str, LineageRow] = {}

    @property
    def runs(self) -> tuple[LineageRow, ...]:
        return tuple(self._runs.values())

    @property
    def selected(self) -> LineageRow | None:
        key = self.selected_key
        return self._runs.get(key) if key is not None else None

    def show(self, runs: Sequence[LineageRow]) -> None:
        self._runs = {run.pipeline: run for run in runs}
        rows = [self._row(run) for run in runs]
        if self._sized_columns(rows) == self._columns:
            self.replace_rows(rows)
            return
        self._rows = rows
        self._fit_columns()

    def _fit_columns(self) -> None:
        columns = self._sized_columns(self._rows)
        if columns != self._columns:
            # Zero makes the base class rebuild the columns and the rows.
            self._columns = columns
            self._flexible_width = 0
        super()._fit_columns()

    def _sized_columns(self, rows: Sequence[Row]) -> tuple[tuple[str, int | None], ...]:
        """Return each column as wide as its label and longest cell, with the
        source and target taking what is left."""
        widths = {
            label: max([len(label), *(cells[index].cell_len for _, cells in rows)])
            for index, (label, _) in enumerate(LINEAGE_COLUMNS)
        }
        room = (
            self.content_region.width
            - self.styles.scrollbar_size_vertical
            - 2 * self.cell_padding * len(LINEAGE_COLUMNS)
        )
        fixed = sum(
            width
            for label, width in widths.items()
            if label not in ("pipeline", FLOW_LABEL)
        )
        left = room - fixed
        pipeline = widths["pipeline"]
        if pipeline + FLOW_MIN_WIDTH > left:
            pipeline = max(min(pipeline, PIPELINE_MIN_WIDTH), left - FLOW_MIN_WIDTH)
        widths["pipeline"] = pipeline

        columns: list[tuple[str, int | None]] = []
        for label, _ in LINEAGE_COLUMNS:
            columns.append((label, None if label == FLOW_LABEL else widths[label]))
        return tuple(columns)

    def _row(self, run: LineageRow) -> Row:
        rejected_style = themed(self, "bold $warning") if run.rows_rejected else ""
        return run.pipeline, (
            plain(run.pipeline),
            plain(f"{run.source} → {run.target}"),
            Text(count_text(run.rows_read), justify="right"),
            Text(count_text(run.rows_written), justify="right"),
            Text(count_text(run.rows_rejected), style=rejected_style, justify="right"),
            Text(duration(run.duration_ms / 1000), justify="right"),
            Text(run.ended_at.astimezone(UTC).strftime("%m-%d %H:%M")),
        )


def catalog_summary(scan: ScanRecord | None, phi: Sequence[CatalogEntry]) -> Text:
    """Return the last scan and the PHI counts in two lines."""
    if scan is None:
        return Text(
            "no catalog scan yet: press shift+s to scan the target's catalog now",
            style="italic",
        )
    text = Text()
    text.append(f"catalog scan {scan.id}", style="bold")
    text.append(
        f" at {scan.scanned_at.astimezone(UTC):%m-%d %H:%M} UTC: {scan.tables} "
        f"tables, {scan.columns} columns, {scan.added} added, {scan.dropped} dropped"
    )
    if scan.sample_errors:
        text.append(f", {len(scan.sample_errors)} table(s) not sampled", style="italic")
    unclassified = sum(1 for entry in phi if entry.classification is None)
    text.append(f"\n{len(phi)} PHI columns · ")
    if unclassified:
        text.append(
            f"{unclassified} unclassified, each an open governance finding",
            style="bold",
        )
    else:
        text.append("every one classified")
    return text


class GovernanceDetail(Static):
    """Every field of the highlighted column or pipeline run."""

    def show_column(self, entry: CatalogEntry, masking: Masking) -> None:
        column = entry.column
        text = Text()
        text.append(column_name(entry), style="bold")
        nullable = "nullable" if column.is_nullable else "not null"
        text.append(f" · {column.data_type}, {nullable}")
        if column.table_type != "BASE TABLE":
            text.append(f" · {column.table_type}")
        text.append("\n")
        if column.category is None and column.reason:
            text.append(f"no PHI category: {column.reason}")
        elif column.category is None:
            text.append("no PHI category: nothing in its name or values")
        else:
            text.append(
                f"detected {column.category}, confidence {_confidence(entry)}: "
                f"{column.reason}"
            )
        mask, _ = mask_text(entry, masking)
        if mask == "UNMASKED":
            text.append("\nmasked export: ")
            text.append("raw values, no mask rule", style="bold")
        elif mask != "-":
            text.append(f"\nmasked export: {mask}")
        text.append("\n" + _classified(entry))
        text.append(f" · first seen {entry.first_seen_at.astimezone(UTC):%Y-%m-%d}")
        self.update(text)

    def show_run(self, run: LineageRow) -> None:
        text = Text()
        text.append(f"{run.pipeline} run {run.run_id}", style="bold")
        text.append(f" · {run.source} → {run.target}")
        text.append(
            f"\nread {run.rows_read:,} · written {run.rows_written:,} · "
            f"rejected {run.rows_rejected:,} · took {duration(run.duration_ms / 1000)}"
        )
        text.append(
            f"\nstarted {_moment(run.started_at, seconds=True)} · "
            f"ended {_moment(run.ended_at, seconds=True)}"
        )
        self.update(text)

    def show_empty(self, message: str) -> None:
        self.update(Text(message, style="italic"))


def _classified(entry: CatalogEntry) -> str:
    if entry.classification is None:
        if entry.column.category is None:
            return "not classified"
        return (
            "unclassified: an open governance finding until someone classifies "
            "it as PHI or as none (press c)"
        )
    category = "no PHI" if entry.classification == NO_PHI else entry.classification
    when = _moment(entry.classified_at) if entry.classified_at else "-"
    reason = f": {entry.classification_reason}" if entry.classification_reason else ""
    return f"classified as {category} by {entry.classified_by} at {when}{reason}"


def _moment(moment: datetime, seconds: bool = False) -> str:
    fmt = "%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC"
    return moment.astimezone(UTC).strftime(fmt)
