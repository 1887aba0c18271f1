"""The jobs panel: next runs, the run key with its confirmation, the
newest run's status after it ends, and the run history of a job."""

from __future__ import annotations

from pathlib import Path

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
