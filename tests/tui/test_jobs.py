"""The jobs panel: next runs, the run key with its confirmation, and the
newest run's status after it ends."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import wait_for

from engine.store.jobs import RunStatus
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.confirm import ConfirmRunJob
from warroom.tui.screens.war_room import WarRoomScreen
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
        await wait_for(pilot, lambda: panel.row_count == 13, "the job rows")
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
        await wait_for(pilot, lambda: panel.row_count == 13, "the job rows")
        panel.move_cursor(row=panel.get_row_index(JOB))

        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRunJob), "confirm")
        await pilot.press("n")
        await pilot.pause()

        assert engine.job_history(JOB) == []
