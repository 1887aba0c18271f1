"""The governance screen: the catalog, the PHI columns with their mask rules
and the ETL lineage, readable at 80x24, 120x36 and 200x60, a rescan key, a
classify key, and a reread when a catalog scan job runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import OptionList
from tui_fake_source import CATALOG, FakeSource, _incident, fixed_clock
from tui_helpers import help_rows, notifications, wait_for

from engine.events import CatalogChanged, IncidentChanged, JobRun
from engine.incidents.models import Status
from engine.store.jobs import JobRunRecord, RunStatus
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.classify import ClassifyColumn
from warroom.tui.screens.governance import GovernanceScreen
from warroom.tui.screens.war_room import WarRoomScreen
from warroom.tui.widgets.governance import (
    CatalogTable,
    LineageTable,
    PhiTable,
)
from warroom.tui.widgets.keyed_table import KeyedTable


def _app(source: FakeSource, tmp_path: Path) -> WarRoomApp:
    return WarRoomApp(
        source, clock=fixed_clock, actor="tester", log_file=tmp_path / "tui.log"
    )


def _drawn(widget) -> str:
    """The widget as drawn on screen, borders included."""
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))


def _cells(table: KeyedTable, key: str) -> list[str]:
    return [cell.plain for cell in table.get_row(key)]


async def _open(app: WarRoomApp, pilot) -> GovernanceScreen:
    await pilot.pause()
    await pilot.press("G")
    await wait_for(
        pilot, lambda: isinstance(app.screen, GovernanceScreen), "the screen"
    )
    screen = app.screen
    assert isinstance(screen, GovernanceScreen)
    await wait_for(pilot, lambda: screen.reads > 0, "the first read")
    await pilot.pause()
    return screen


@pytest.mark.parametrize(
    "size", [(80, 24), (120, 36), (200, 60)], ids=["80x24", "120x36", "200x60"]
)
async def test_screen_shows_three_parts(tmp_path: Path, size) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await _open(app, pilot)
        catalog = screen.query_one(CatalogTable)
        phi = screen.query_one(PhiTable)
        lineage = screen.query_one(LineageTable)

        assert len(catalog.entries) == len(CATALOG)
        # The open finding first, then the column the export writes raw.
        assert [entry.column.column_name for entry in phi.entries] == [
            "contact_phone",
            "state",
            "member_id",
            "first_name",
            "date_of_birth",
        ]
        member = _cells(phi, "healthcare.patients.member_id")
        assert member[:3] == ["healthcare.patients", "member_id", "member_id"]
        assert "hash" in member
        assert "first 4" in _cells(phi, "healthcare.patients.date_of_birth")
        assert "UNMASKED" in _cells(phi, "healthcare.patients.state")
        phone = _cells(phi, "healthcare.pharmacies.contact_phone")
        assert phone[-1] == "UNCLASSIFIED"

        # The newest run of each pipeline, newest first.
        assert [run.run_id for run in lineage.runs] == [31, 30, 28]
        ingestion = _cells(lineage, "claim_ingestion")
        assert ingestion[2:5] == ["1.2k", "1.2k", "12"]
        assert _cells(lineage, "patient_adherence")[2:4] == ["2.4M", "45k"]
        assert _cells(lineage, "dim_patient")[2:5] == ["800", "3", "0"]

        for table in (catalog, phi, lineage):
            assert table.region.width <= size[0]
            assert table.region.height >= 4
            assert table.virtual_size.width <= table.content_region.width

        summary = _drawn(screen.query_one("#governance-summary"))
        assert "catalog scan 7 at 03-14 02:55 UTC: 3 tables, 9 columns" in summary
        assert "1 unclassified, each an open governance finding" in summary
        drawn = _drawn(phi)
        assert "healthcare.patients" in drawn
        assert "UNCLASSIFIED" in drawn
        # Every pipeline's name fits; below 40 rows only the first row shows.
        widths = {
            str(key.value): column.width for key, column in lineage.columns.items()
        }
        assert widths["pipeline"] >= max(len(run.pipeline) for run in lineage.runs)
        drawn_lineage = _drawn(lineage)
        assert "│ claim_ingestion " in drawn_lineage
        if size[1] >= 40:
            assert "│ patient_adherence " in drawn_lineage
        if size[0] >= 120:
            flow = "staging.claims_raw → healthcare.pharmacy_claims"
            assert flow in drawn_lineage
        if size[0] >= 200:
            assert "name contains phone; 40 of 40 sampled values" in _drawn(catalog)


async def test_detail_follows_focus(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        detail = screen.query_one("#governance-detail")

        await pilot.press("down")
        text = _drawn(detail)
        assert "healthcare.patients.state · character varying" in text
        assert "masked export: raw values, no mask rule" in text

        await pilot.press("tab")
        await pilot.pause()
        assert screen.focused is screen.query_one(LineageTable)
        text = _drawn(detail)
        assert "claim_ingestion run 31" in text
        assert "read 1,250 · written 1,238 · rejected 12" in text


async def test_rescan_calls_source(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        reads = screen.reads

        await pilot.press("S")
        await wait_for(pilot, lambda: screen.reads > reads, "the reread")

        assert source.catalog_scans == ["tester"]
        assert any("catalog scan 8 done" in n for n in notifications(pilot))
        summary = _drawn(screen.query_one("#governance-summary"))
        assert "catalog scan 8 at 03-14 03:00 UTC" in summary


async def _rereads_after(tmp_path: Path, publish) -> None:
    """Open the screen, shrink the catalog, call ``publish(source)``, and
    check that the screen reads the catalog again within 5 s, well before
    its periodic read, which would hide a missed event."""
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        reads = screen.reads
        source.catalog_entries = source.catalog_entries[:2]

        publish(source)

        await wait_for(pilot, lambda: screen.reads > reads, "the reread", timeout=5)
        assert len(screen.query_one(CatalogTable).entries) == 2


async def test_catalog_scan_job_rereads(tmp_path: Path) -> None:
    run = JobRunRecord(9, "catalog_scan", "manual", "bob", RunStatus.SUCCEEDED)

    await _rereads_after(tmp_path, lambda source: source.bus.publish(JobRun(run)))


async def test_catalog_change_rereads(tmp_path: Path) -> None:
    # A classification through the REST API, with no incident to close.
    change = CatalogChanged("classified", "alice")

    await _rereads_after(tmp_path, lambda source: source.bus.publish(change))


async def test_governance_incident_rereads(tmp_path: Path) -> None:
    # A scan through the REST API found a new PHI column.
    opened = _incident(
        41, "governance", Status.DETECTED, "warning", "unclassified PHI", 1, 1
    )

    def publish(source: FakeSource) -> None:
        source.incidents[opened.id] = opened
        source.bus.publish(IncidentChanged(opened, "opened"))

    await _rereads_after(tmp_path, publish)


async def test_help_lists_governance_keys(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await _open(app, pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, WarRoomScreen)

        await pilot.press("question_mark")
        rows = help_rows(app)
        assert [
            "shift+g",
            "catalog, PHI columns and their masks, ETL lineage",
            "war room",
        ] in rows
        assert [
            "shift+s",
            "scan the target's catalog again now",
            "governance",
        ] in rows
        assert [
            "c",
            "classify the highlighted column as a PHI type or as none (asks which)",
            "governance",
        ] in rows


PHONE = ("healthcare.pharmacies", "contact_phone")


async def _open_classify(app: WarRoomApp, pilot) -> ClassifyColumn:
    """Press c on the first PHI row, the unclassified contact_phone."""
    await pilot.press("c")
    await wait_for(
        pilot, lambda: isinstance(app.screen, ClassifyColumn), "the classify dialog"
    )
    dialog = app.screen
    assert isinstance(dialog, ClassifyColumn)
    await pilot.pause()
    return dialog


@pytest.mark.parametrize(
    ("size", "keys", "category"),
    [((80, 24), ["enter"], "phone"), ((120, 36), ["end", "enter"], "none")],
    ids=["80x24-suggested", "120x36-none"],
)
async def test_classify_records_choice(tmp_path: Path, size, keys, category) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await _open(app, pilot)
        phi = screen.query_one(PhiTable)
        assert phi.selected is not None
        assert phi.selected.column.column_name == "contact_phone"

        dialog = await _open_classify(app, pilot)
        options = dialog.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids[0] == "phone"
        assert ids[-1] == "none"
        assert len(ids) == 10
        box = dialog.query_one("#classify")
        assert box.region.right <= size[0]
        # Every choice and the hint show without scrolling.
        assert options.max_scroll_y == 0
        assert box.max_scroll_y == 0
        hint = dialog.query_one(".dialog-hint").region
        assert box.content_region.contains_region(hint)
        reads = screen.reads

        await pilot.press(*keys)
        await wait_for(pilot, lambda: screen.reads > reads, "the reread")

        assert app.screen is screen
        assert source.classified == [(*PHONE, category, "tester")]
        row = _cells(phi, "healthcare.pharmacies.contact_phone")
        assert row[2] == category
        assert row[-1] == "by tester"
        summary = _drawn(screen.query_one("#governance-summary"))
        assert "every one classified" in summary
        title = f"healthcare.pharmacies.contact_phone classified as {category}"
        assert any(n.startswith(title) for n in notifications(pilot))


async def test_classify_escape_cancels(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await _open_classify(app, pilot)

        await pilot.press("escape")
        await pilot.pause()

        assert app.screen is screen
        assert source.classified == []
        row = _cells(screen.query_one(PhiTable), "healthcare.pharmacies.contact_phone")
        assert row[-1] == "UNCLASSIFIED"


async def test_classify_rejection_is_a_toast(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await _open_classify(app, pilot)
        # A scan dropped the column while the dialog was open.
        source.catalog_entries = [
            entry
            for entry in source.catalog_entries
            if entry.column.column_name != "contact_phone"
        ]
        reads = screen.reads

        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.reads > reads, "the reread")

        assert source.classified == [(*PHONE, "phone", "tester")]
        rejected = [n for n in notifications(pilot) if "rejected" in n]
        assert len(rejected) == 1
        assert "is not in the catalog" in rejected[0]
        assert app.is_running
