"""SVG snapshots of the main screens, drawn from fixed data at fixed sizes.

The fake source and its fixed clock make every run draw the same screen.
After a deliberate change, update the snapshots with ``pytest tests/tui
--snapshot-update`` and look at each new SVG before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_fake_source import FakeSource, NineScenarios, fixed_clock

from warroom.tui.app import WarRoomApp
from warroom.tui.widgets.jobs import JobsPanel


def _app(tmp_path: Path) -> WarRoomApp:
    return WarRoomApp(
        FakeSource(), clock=fixed_clock, actor="oncall", log_file=tmp_path / "tui.log"
    )


@pytest.mark.parametrize(
    "size", [(120, 36), (80, 24), (200, 60)], ids=["120x36", "80x24", "200x60"]
)
def test_war_room(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=size)


def test_sessions_and_blocking_graph(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), press=["g"], terminal_size=(120, 36))


def test_incident_timeline(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), press=["t"], terminal_size=(100, 30))


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_war_room_nine_scenarios(
    snap_compare, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = WarRoomApp(
        NineScenarios(),
        clock=fixed_clock,
        actor="oncall",
        log_file=tmp_path / "tui.log",
    )
    assert snap_compare(app, terminal_size=size)


def test_job_history(snap_compare, tmp_path: Path) -> None:
    async def open_history(pilot) -> None:
        panel = pilot.app.screen.query_one(JobsPanel)
        await pilot.pause()
        panel.move_cursor(row=panel.get_row_index("statistics_maintenance"))
        await pilot.press("H")
        await pilot.pause(0.3)

    assert snap_compare(_app(tmp_path), run_before=open_history, terminal_size=(80, 24))


def test_validation_rules(snap_compare, tmp_path: Path) -> None:
    async def open_rules(pilot) -> None:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause(0.3)
        await pilot.press("down", "down")
        await pilot.pause(0.3)

    assert snap_compare(_app(tmp_path), run_before=open_rules, terminal_size=(100, 32))


def test_governance(snap_compare, tmp_path: Path) -> None:
    async def open_governance(pilot) -> None:
        await pilot.pause()
        await pilot.press("G")
        await pilot.pause(0.3)

    assert snap_compare(
        _app(tmp_path), run_before=open_governance, terminal_size=(80, 24)
    )
