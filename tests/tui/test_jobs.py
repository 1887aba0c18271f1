"""The jobs panel: next runs at every size, the run key with its
confirmation, the newest run's status after it ends, and the run history of
a job."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from textual.geometry import Region
from tui_fake_source import NOW, FakeSource, fixed_clock
from tui_helpers import wait_for

from engine.store.jobs import RunStatus
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.confirm import ConfirmRunJob
from warroom.tui.screens.job_history import JobHistoryScreen
from warroom.tui.screens.war_room import WarRoomScreen
from warroom.tui.widgets.job_runs import JobRunTable
from warroom.tui.widgets.jobs import JobsPanel

JOB = "catalog_scan"


def _mark(panel: JobsPanel) -> str:
    return str(panel.get_row(JOB)[0])


def _lines(widget) -> list[str]:
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return [strip.text for strip in widget.render_lines(region)]


# The fixed clock is Friday 03:00 UTC. statistics_maintenance failed and runs
# again today; the weekend job runs on Saturday.
@pytest.mark.parametrize(
    ("size", "weekend"),
    [((80, 24), "Sat"), ((120, 36), "Sat 10:00"), ((200, 60), "Sat 10:00")],
    ids=["80x24", "120x36", "200x60"],
)
async def test_panel_shows_status_and_next_run(
    tmp_path: Path, size: tuple[int, int], weekend: str
) -> None:
    app = WarRoomApp(
        FakeSource(), clock=fixed_clock, actor="tester", log_file=tmp_path / "tui.log"
    )
    async with app.run_test(size=size) as pilot:
        panel = app.screen.query_one(JobsPanel)
        await wait_for(pilot, lambda: panel.row_count == 15, "the job rows")
        await pilot.pause()

        assert panel.virtual_size.width <= panel.content_region.width
        assert not panel.show_horizontal_scrollbar
        failed = [cell.plain for cell in panel.get_row("statistics_maintenance")]
        assert failed == ["✗", "statistics_maintenance !", "06:30"]
        weekend_row = panel.get_row("statistics_maintenance_weekend")
        assert weekend_row[2].plain == weekend
        assert panel.get_row("etl_claims_daily")[2].plain == "off"

        lines = _lines(panel)
        assert lines[1].split() == ["│", "job", "next", "│"]
        drawn = next(line for line in lines if "✗" in line)
        assert re.search(r"✗ statist\S*( !)? +06:30", drawn), drawn

        panel.move_cursor(row=panel.get_row_index("statistics_maintenance_weekend"))
        await pilot.pause()
        drawn = next(line for line in _lines(panel) if weekend in line)
        assert "statist" in drawn, drawn
        if size[0] >= 200:
            assert "statistics_maintenance_weekend" in drawn


async def test_next_runs_follow_the_day(tmp_path: Path) -> None:
    now = [NOW]
    app = WarRoomApp(
        FakeSource(),
        clock=lambda: now[0],
        actor="tester",
        log_file=tmp_path / "tui.log",
    )
    async with app.run_test(size=(120, 36)) as pilot:
        panel = app.screen.query_one(JobsPanel)
        await wait_for(pilot, lambda: panel.row_count == 15, "the job rows")

        # The next clock tick is on Saturday.
        now[0] = NOW + timedelta(days=1)

        def next_run(job: str) -> str:
            return panel.get_row(job)[2].plain

        weekend = "statistics_maintenance_weekend"
        await wait_for(pilot, lambda: next_run(weekend) == "10:00", "Saturday")
        # Friday's run, not yet read again, now shows its date.
        assert next_run("statistics_maintenance") == "03-14 06:30"


async def test_run_job_key_confirms_and_runs(engine, tmp_path: Path) -> None:
    app = WarRoomApp(engine, actor="tester", log_file=tmp_path / "tui.log")
    async with app.run_test(size=(120, 36)) as pilot:
        war_room = app.screen
        assert isinstance(war_room, WarRoomScreen)
        panel = war_room.query_one(JobsPanel)
        await wait_for(pilot, lambda: panel.row_count == 15, "the job rows")
        assert str(panel.get_row("etl_claims_daily")[2]) == "off"
        panel.move_cursor(row=panel.get_row_index(JOB))

        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRunJob), "confirm")
        await pilot.press("y")

        await wait_for(pilot, lambda: _mark(panel) == "✓", "the run's status")
        (run,) = engine.job_history(JOB)
        assert run.status is RunStatus.SUCCEEDED
        assert run.actor == "tester"
        assert run.trigger == "manual"
        assert panel.border_subtitle.endswith("last succeeded")


async def test_run_job_cancel_runs_nothing(engine, tmp_path: Path) -> None:
    app = WarRoomApp(engine, actor="tester", log_file=tmp_path / "tui.log")
    async with app.run_test(size=(120, 36)) as pilot:
        panel = app.screen.query_one(JobsPanel)
        await wait_for(pilot, lambda: panel.row_count == 15, "the job rows")
        panel.move_cursor(row=panel.get_row_index(JOB))

        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRunJob), "confirm")
        await pilot.press("n")
        await pilot.pause()

        assert engine.job_history(JOB) == []


async def test_history_follows_real_run(engine, tmp_path: Path) -> None:
    app = WarRoomApp(engine, actor="tester", log_file=tmp_path / "tui.log")
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.screen.query_one(JobsPanel)
        await wait_for(pilot, lambda: panel.row_count == 15, "the job rows")
        panel.move_cursor(row=panel.get_row_index(JOB))

        await pilot.press("H")
        await wait_for(
            pilot, lambda: isinstance(app.screen, JobHistoryScreen), "the history"
        )
        screen = app.screen
        assert isinstance(screen, JobHistoryScreen)
        await pilot.pause()
        assert screen.runs == ()

        engine.trigger_job(JOB, "someone-else")

        def ended() -> bool:
            return bool(screen.runs) and screen.runs[0].status is not RunStatus.RUNNING

        await wait_for(pilot, ended, "the run's end in the history")
        (run,) = screen.runs
        assert run.status is RunStatus.SUCCEEDED
        assert run.actor == "someone-else"
        assert run.ended_at is not None
        table = screen.query_one(JobRunTable)
        assert table.get_row(str(run.id))[1].plain == "manual"
        assert table.get_row(str(run.id))[6].plain.startswith("by someone-else · ")
