"""RemoteSource's jobs: the copy of GET /api/jobs, refreshed on job events,
and manual runs through the sidecar."""

from __future__ import annotations

import pytest

from engine.events import JobRun
from engine.store.jobs import RunStatus
from tests.attach.conftest import next_event
from warroom.attach.client import SidecarRejected


def ended(event) -> bool:
    return (
        isinstance(event, JobRun)
        and event.run.job == "catalog_scan"
        and event.run.status is not RunStatus.RUNNING
    )


async def test_jobs_copied_from_sidecar(remote):
    jobs = {job.name: job for job in remote.list_jobs()}

    assert len(jobs) == 13
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
