"""The job run history screen: opened from the jobs panel, readable at 80x24
and at 200x50, and read again when a run of its job ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from tui_fake_source import NOW, FakeSource, fixed_clock
from tui_helpers import help_rows, notifications, wait_for

from engine.events import JobRun
from engine.store.jobs import JobRunRecord, RunStatus
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.job_history import JobHistoryScreen
from warroom.tui.screens.war_room import WarRoomScreen
from warroom.tui.widgets.job_runs import JobRunDetail, JobRunTable
from warroom.tui.widgets.jobs import JobsPanel

JOB = "statistics_maintenance"


def _app(source: FakeSource, tmp_path: Path) -> WarRoomApp:
    return WarRoomApp(
        source, clock=fixed_clock, actor="tester", log_file=tmp_path / "tui.log"
    )


def _select_job(app: WarRoomApp, name: str) -> None:
    panel = app.screen.query_one(JobsPanel)
    panel.move_cursor(row=panel.get_row_index(name))


def _lines(widget) -> list[str]:
    """The widget's rows as drawn on screen, borders included."""
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return [strip.text for strip in widget.render_lines(region)]


async def _open_history(app: WarRoomApp, pilot) -> JobHistoryScreen:
    await wait_for(pilot, lambda: app.screen.query_one(JobsPanel).row_count, "jobs")
    _select_job(app, JOB)
    await pilot.press("H")
    await wait_for(
        pilot, lambda: isinstance(app.screen, JobHistoryScreen), "the history"
    )
    screen = app.screen
    assert isinstance(screen, JobHistoryScreen)
    await wait_for(pilot, lambda: len(screen.runs) == 5, "the five runs")
    return screen


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
async def test_history_shows_every_field(tmp_path: Path, size) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await _open_history(app, pilot)
        await pilot.pause()
        table = screen.query_one(JobRunTable)

        assert screen.job == JOB
        assert [run.id for run in screen.runs] == [7, 6, 5, 4, 3]
        assert table.region.width <= size[0]
        assert table.region.height >= 8
        assert table.virtual_size.width <= table.content_region.width

        cells = {key: [cell.plain for cell in table.get_row(key)] for key in "76543"}
        assert cells["7"][:6] == [
            "7",
            "03-14 02:00",
            "02:00:00",
            "02:00:10",
            "failed",
            "-",
        ]
        assert cells["5"][1] == "manual"
        assert cells["5"][6] == "by oncall"
        assert cells["4"][4] == "missed"
        assert cells["4"][6].startswith("late 2m05s")
        assert cells["6"][4] == "skipped"
        assert cells["3"][5] == "1.2M"

        drawn = "\n".join(_lines(table))
        assert "late 2m05s" in drawn
        assert "by oncall" in drawn
        if size[0] >= 200:
            assert "canceling statement due to statement timeout" in drawn
            assert "the scheduler was paused" in drawn


async def test_detail_follows_cursor(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_history(app, pilot)
        detail = screen.query_one(JobRunDetail)
        await pilot.pause()

        text = "\n".join(_lines(detail))
        assert "run 7 failed" in text
        assert "scheduled 2025-03-14 02:00:00" in text
        assert "ended 02:00:10 UTC" in text
        assert "error: canceling statement due to statement timeout" in text

        await pilot.press("down", "down", "down")
        await pilot.pause()
        text = "\n".join(_lines(detail))
        assert "run 4 missed" in text
        assert "2m05s late when seen" in text
        assert "the scheduler was paused" in text

        await pilot.press("up")
        await pilot.pause()
        text = "\n".join(_lines(detail))
        assert "run 5 succeeded · manual by oncall · took 12s" in text
        assert "rows 88" in text


async def test_history_reloads_when_run_ends(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_history(app, pilot)
        reads = len(source.history_reads)

        # A run of another job does not read this history again.
        other = JobRunRecord(9, "catalog_scan", "manual", "bob", RunStatus.SUCCEEDED)
        source.job_runs["catalog_scan"] = [other]
        source.bus.publish(JobRun(other))
        await pilot.pause(0.3)
        assert len(source.history_reads) == reads

        run = JobRunRecord(
            id=8,
            job=JOB,
            trigger="manual",
            actor="tester",
            status=RunStatus.TIMED_OUT,
            started_at=NOW,
            ended_at=NOW,
            error="timed out after 900 s",
        )
        source.job_runs[JOB].append(run)
        source.bus.publish(JobRun(run))

        await wait_for(pilot, lambda: len(screen.runs) == 6, "the new run")
        assert screen.runs[0].id == 8
        table = screen.query_one(JobRunTable)
        assert table.get_row("8")[4].plain == "timed_out"
        assert table.border_subtitle == "6 run(s)"


async def test_enter_on_jobs_panel_opens_history(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        panel = app.screen.query_one(JobsPanel)
        await wait_for(pilot, lambda: panel.row_count, "jobs")
        panel.focus()
        _select_job(app, "catalog_scan")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, JobHistoryScreen), "the history"
        )
        screen = app.screen
        assert isinstance(screen, JobHistoryScreen)
        assert screen.job == "catalog_scan"
        await pilot.pause()
        text = "\n".join(_lines(screen.query_one(JobRunDetail)))
        assert "catalog_scan has no runs yet" in text

        await pilot.press("escape")
        assert isinstance(app.screen, WarRoomScreen)


async def test_unknown_job_history_is_a_toast(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(JobHistoryScreen("nightly"))
        await wait_for(
            pilot,
            lambda: any("job nightly rejected" in n for n in notifications(pilot)),
            "the rejection toast",
        )
        screen = app.screen
        assert isinstance(screen, JobHistoryScreen)
        text = "\n".join(_lines(screen.query_one(JobRunDetail)))
        assert "could not read the run history" in text
        assert "not in the configured jobs" in "\n".join(
            _lines(screen.query_one("#job-summary"))
        )


async def test_help_lists_job_history_key(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("question_mark")
        rows = help_rows(app)
        assert [
            "shift+h",
            "run history of the job selected in the jobs panel (or enter)",
            "war room",
        ] in rows


async def test_remapped_history_key(tmp_path: Path) -> None:
    source = FakeSource()
    source.config.warroom.keys = {"job_history": "y"}
    app = _app(source, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one(JobsPanel).row_count, "jobs")
        _select_job(app, JOB)
        await pilot.press("H")
        assert isinstance(app.screen, WarRoomScreen)
        await pilot.press("y")
        await wait_for(
            pilot, lambda: isinstance(app.screen, JobHistoryScreen), "the history"
        )
