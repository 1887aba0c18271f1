"""RemoteSource's jobs: the copy of GET /api/jobs, refreshed on job events,
manual runs and run histories through the sidecar, and the history screen
of an attached TUI."""

from __future__ import annotations

import pytest

from engine.events import JobRun
from engine.store.jobs import RunStatus
from tests.attach.conftest import eventually, next_event
from warroom.attach.client import SidecarRejected
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.job_history import JobHistoryScreen
from warroom.tui.widgets.jobs import JobsPanel


def ended(event) -> bool:
    return (
        isinstance(event, JobRun)
        and event.run.job == "catalog_scan"
        and event.run.status is not RunStatus.RUNNING
    )


async def test_jobs_copied_from_sidecar(remote):
    jobs = {job.name: job for job in remote.list_jobs()}

    assert len(jobs) == 15
    assert jobs["statistics_maintenance"].timezone == "America/New_York"
    assert jobs["statistics_maintenance"].next_run_at is not None
    assert jobs["etl_claims_daily"].enabled is False


async def test_trigger_runs_and_copy_follows(remote, engine):
    queue = remote.bus.subscribe()

    run = await remote.trigger_job("catalog_scan", "tester")
    await next_event(queue, ended)

    assert run.status is RunStatus.RUNNING
    assert run.actor == "tester"
    jobs = {job.name: job for job in remote.list_jobs()}
    last = jobs["catalog_scan"].last_run
    assert last is not None
    assert last.status is RunStatus.SUCCEEDED
    assert engine.job_history("catalog_scan")[0].actor == "tester"


async def test_unknown_job_rejected(remote):
    with pytest.raises(SidecarRejected, match="nightly"):
        await remote.trigger_job("nightly", "tester")


async def test_history_read_from_sidecar(remote, engine):
    queue = remote.bus.subscribe()
    assert await remote.job_history("catalog_scan") == []

    started = await remote.trigger_job("catalog_scan", "tester")
    await next_event(queue, ended)
    runs = await remote.job_history("catalog_scan", limit=5)

    (run,) = runs
    assert run.id == started.id
    assert run.status is RunStatus.SUCCEEDED
    assert run.trigger == "manual"
    assert run.actor == "tester"
    assert run.ended_at is not None
    assert run == engine.job_history("catalog_scan")[0]


async def test_unknown_job_history_rejected(remote):
    with pytest.raises(SidecarRejected, match="nightly") as raised:
        await remote.job_history("nightly")
    assert raised.value.status == 404
    assert raised.value.kind == "job-not-found"


async def test_attached_history_screen_follows_run(remote, tmp_path):
    app = WarRoomApp(remote, actor="attached", log_file=tmp_path / "tui.log")
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.screen.query_one(JobsPanel)
        await eventually(lambda: panel.row_count == 15, "the job rows")
        panel.move_cursor(row=panel.get_row_index("catalog_scan"))
        await pilot.press("H")
        await eventually(lambda: isinstance(app.screen, JobHistoryScreen), "history")
        screen = app.screen
        assert isinstance(screen, JobHistoryScreen)

        run = await remote.trigger_job("catalog_scan", "bob")

        def ended() -> bool:
            runs = screen.runs
            return bool(runs) and runs[0].status is RunStatus.SUCCEEDED

        await eventually(ended, "the ended run in the history")
        assert [item.id for item in screen.runs] == [run.id]
        assert screen.runs[0].actor == "bob"
