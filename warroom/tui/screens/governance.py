"""PHI governance: the catalog of the last scan, the columns that look like
PHI with the masked export's rule for each, and the latest run of each ETL
pipeline, with the full record of the highlighted row below.

It reads everything again when it opens, when a catalog scan ends or a
column is classified (here, through the REST API or by the schedule), when
an ETL job run starts or ends, when a governance incident opens, moves or
closes, and every ``REFRESH_SECONDS``.
"""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from engine.governance.lineage import LineageReport
from engine.monitor.findings import FindingKind
from engine.store.governance import CatalogEntry
from warroom.tui.commands import CatalogState
from warroom.tui.keys import GOVERNANCE_BINDINGS
from warroom.tui.messages import CatalogUpdated, IncidentUpdated, JobsUpdated
from warroom.tui.screens.base import SubScreen
from warroom.tui.screens.classify import ClassifyColumn
from warroom.tui.widgets.governance import (
    CatalogTable,
    GovernanceDetail,
    LineageTable,
    Masking,
    PhiTable,
    catalog_summary,
    column_name,
    latest_runs,
    table_name,
)

# NOTE: a pipeline whose newest run is older than this many lineage rows of
# the other pipelines does not show.
LINEAGE_ROWS = 500
# Scans, classifications and job runs send events. The periodic read finds
# lineage that an ETL run outside the war room's jobs wrote.
REFRESH_SECONDS = 60.0


def _reads_again_after(action: str) -> bool:
    """Return True for a job action whose run changes the catalog or lineage."""
    return action == "catalog_scan" or action.startswith("etl_")


class GovernanceScreen(SubScreen):
    BINDINGS = GOVERNANCE_BINDINGS
    # Below 40 rows only the focused table gets the room left.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]

    def __init__(self) -> None:
        super().__init__()
        self.catalog: CatalogState | None = None
        self.lineage: LineageReport | None = None
        self.reads = 0
        self._governance_incidents: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Static(catalog_summary(None, ()), id="governance-summary")
        yield CatalogTable(id="catalog")
        yield PhiTable(id="phi-columns")
        yield LineageTable(id="lineage")
        yield GovernanceDetail(id="governance-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(CatalogTable).border_title = "catalog of the last scan"
        self.query_one(PhiTable).border_title = "PHI columns · masked export rule"
        lineage = self.query_one(LineageTable)
        lineage.border_title = "ETL lineage · latest run per pipeline (UTC)"
        self.query_one(PhiTable).focus()
        self._show_detail()
        self._load()
        self.set_interval(REFRESH_SECONDS, self._load)

    @property
    def masking(self) -> Masking:
        return self.war_room.source.config.warroom.governance.masking

    # -- reading -----------------------------------------------------------

    @work(exclusive=True, group="governance", exit_on_error=False)
    async def _load(self) -> None:
        """Read the catalog and the lineage. The latest call wins, so a burst
        of job runs reads once."""
        catalog = await self.commands.catalog()
        if catalog is not None:
            self.catalog = catalog
            self._show_catalog(catalog)
        lineage = await self.commands.lineage(LINEAGE_ROWS)
        if lineage is not None:
            self.lineage = lineage
            self._show_lineage(lineage)
        self.reads += 1
        self._show_detail()

    def _show_catalog(self, catalog: CatalogState) -> None:
        table = self.query_one(CatalogTable)
        table.show(catalog.columns, {column_name(entry) for entry in catalog.phi})
        table.border_subtitle = f"{len(catalog.columns)} column(s)"
        phi = self.query_one(PhiTable)
        phi.show(catalog.phi, self.masking)
        phi.border_subtitle = f"{len(catalog.phi)} column(s)"
        self._show_summary()

    def _show_lineage(self, report: LineageReport) -> None:
        runs = latest_runs(report)
        table = self.query_one(LineageTable)
        table.show(runs)
        table.border_subtitle = f"{len(runs)} pipeline(s)" if runs else "no runs"
        self._show_summary()

    def _show_summary(self) -> None:
        catalog = self.catalog
        text = catalog_summary(
            catalog.scan if catalog else None, catalog.phi if catalog else ()
        )
        if self.lineage is not None and not self.lineage.rows:
            text.append(f"\nlineage: {self.lineage.note}", style="italic")
        self.query_one("#governance-summary", Static).update(text)

    def on_incident_updated(self, message: IncidentUpdated) -> None:
        changed = message.view.changed_ids
        governance = {
            incident.id
            for incident in message.view.open
            if incident.kind == FindingKind.GOVERNANCE
        }
        # A closed incident is no longer in the open list, so any change to a
        # governance incident seen open before also counts.
        if changed & (governance | self._governance_incidents):
            self._load()
        self._governance_incidents = governance

    def on_catalog_updated(self, message: CatalogUpdated) -> None:
        self._load()

    def on_jobs_updated(self, message: JobsUpdated) -> None:
        actions = {job.name: job.action for job in message.jobs}
        if any(_reads_again_after(actions.get(name, "")) for name in message.changed):
            self._load()

    # -- the detail --------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one(GovernanceDetail)
        focused = self.focused
        if isinstance(focused, CatalogTable | PhiTable):
            entry = focused.selected
            if entry is not None:
                detail.show_column(entry, self.masking)
                return
        elif isinstance(focused, LineageTable):
            run = focused.selected
            if run is not None:
                detail.show_run(run)
                return
        detail.show_empty(self._empty_text())

    def _empty_text(self) -> str:
        if self.reads == 0:
            return "reading the catalog and the lineage…"
        if self.catalog is None:
            return "could not read the catalog; the message says why"
        if self.catalog.scan is None:
            return "no catalog scan yet; shift+s scans now"
        return "no row here; tab moves to the next table"

    # -- actions -----------------------------------------------------------

    def action_scan_catalog(self) -> None:
        self.request(self._rescan(), "scan the catalog")

    async def _rescan(self) -> None:
        if await self.commands.scan_catalog() is not None:
            self._load()

    def action_classify_column(self) -> None:
        focused = self.focused
        entry = (
            focused.selected if isinstance(focused, CatalogTable | PhiTable) else None
        )
        if entry is None:
            self.war_room.toast(
                "highlight a column in the catalog or PHI table first",
                title="no column to classify",
            )
            return

        def chosen(category: str | None) -> None:
            if category is not None:
                name = f"classify {column_name(entry)}"
                self.request(self._classify(entry, category), name)

        self.app.push_screen(ClassifyColumn(entry, column_name(entry)), chosen)

    async def _classify(self, entry: CatalogEntry, category: str) -> None:
        # An unclassified column in the PHI table is an open governance finding.
        phi = self.catalog.phi if self.catalog else ()
        had_finding = entry.classification is None and any(
            column_name(item) == column_name(entry) for item in phi
        )
        await self.commands.classify_column(
            table_name(entry),
            entry.column.column_name,
            category,
            had_finding=had_finding,
        )
        # Read again after a rejection too, because a scan may have dropped the column.
        self._load()
