"""JobRunner: records, timeouts, overlap, missed runs and incidents."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from engine.config.models import JobsConfig
from engine.events import JobRun
from engine.incidents.manager import IncidentManager
from engine.jobs.actions import JobContext
from engine.jobs.alerts import JobAlerts
from engine.jobs.models import JobAlreadyRunning, JobNotFound
from engine.jobs.runner import JobRunner
from engine.store.jobs import JobRunRepository, RunStatus
from tests.unit.jobs.conftest import job

DUE = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def job_incidents(incidents: IncidentManager):
    return [i for i in incidents.repository.open_incidents() if i.kind == "job_failure"]


async def run_now(runner: JobRunner, name: str):
    record, task = runner.trigger(name, "alice")
    await task
    return runner.repository.history(name, 1)[0]


async def test_manual_run_recorded(runner: JobRunner):
    run = await run_now(runner, "ok")

    assert run.status is RunStatus.SUCCEEDED
    assert run.trigger == "manual"
    assert run.actor == "alice"
    assert run.rows == 3
    assert run.detail == "three rows"
    assert run.started_at is not None
    assert run.ended_at is not None
    assert run.scheduled_at is None


async def test_failed_run_keeps_error(runner: JobRunner):
    run = await run_now(runner, "boom")

    assert run.status is RunStatus.FAILED
    assert run.error == "disk full on /var/lib/etl"
    assert run.rows is None


async def test_run_times_out(runner: JobRunner):
    run = await run_now(runner, "hangs")

    assert run.status is RunStatus.TIMED_OUT
    assert "0.05 s" in run.error


async def test_manual_trigger_during_run_rejected(runner: JobRunner, fakes):
    first, task = runner.trigger("slow", "alice")

    with pytest.raises(JobAlreadyRunning, match="already running"):
        runner.trigger("slow", "bob")

    fakes.gate.set()
    await task
    runs = runner.repository.history("slow")
    assert [run.status for run in runs] == [
        RunStatus.SKIPPED_OVERLAP,
        RunStatus.SUCCEEDED,
    ]
    assert runs[0].actor == "bob"
    assert fakes.calls == 1


async def test_scheduled_time_during_run_skipped(runner: JobRunner, fakes, clock):
    clock.now = DUE
    _, task = runner.trigger("slow", "alice")

    outcomes = await runner.run_due("slow", [DUE], grace_seconds=30)

    assert outcomes == [(DUE, RunStatus.SKIPPED_OVERLAP)]
    fakes.gate.set()
    await task
    assert fakes.calls == 1


async def test_scheduled_run_keeps_its_time(runner: JobRunner, clock):
    clock.now = DUE + timedelta(seconds=2)

    outcomes = await runner.run_due("ok", [DUE], grace_seconds=30)

    assert outcomes == [(DUE, RunStatus.SUCCEEDED)]
    (run,) = runner.repository.history("ok")
    assert run.scheduled_at == DUE
    assert run.trigger == "scheduled"
    assert run.actor == "scheduler"


async def test_late_run_recorded_missed(runner: JobRunner, clock, fakes):
    clock.now = DUE + timedelta(seconds=95)

    outcomes = await runner.run_due("ok", [DUE], grace_seconds=30)

    assert outcomes == [(DUE, RunStatus.MISSED)]
    (run,) = runner.repository.history("ok")
    assert run.status is RunStatus.MISSED
    assert run.lateness_seconds == 95
    assert run.scheduled_at == DUE
    assert fakes.calls == 0


async def test_critical_failure_opens_one_incident(runner, incidents):
    await run_now(runner, "critical_boom")
    await run_now(runner, "critical_boom")

    (incident,) = job_incidents(incidents)
    assert incident.dedup_key == "job:critical_boom"
    assert incident.severity == "critical"
    assert "disk full" in incident.root_cause
    assert incident.occurrences == 2


async def test_critical_timeout_opens_incident(runner, incidents):
    await run_now(runner, "hangs")

    (incident,) = job_incidents(incidents)
    assert incident.title == "critical job hangs timed out"


async def test_critical_missed_run_opens_incident(runner, incidents, clock):
    clock.now = DUE + timedelta(seconds=300)

    await runner.run_due("critical_boom", [DUE], grace_seconds=30)

    (incident,) = job_incidents(incidents)
    assert "300 s late" in incident.root_cause


async def test_new_job_incident_reported_once(runner, incidents):
    reported: list = []
    runner.alerts.opened = reported.extend

    await run_now(runner, "critical_boom")
    await run_now(runner, "critical_boom")

    assert [incident.id for incident in reported] == [
        incident.id for incident in job_incidents(incidents)
    ]


async def test_noncritical_failure_opens_no_incident(runner, incidents):
    await run_now(runner, "boom")

    assert job_incidents(incidents) == []


async def test_job_incident_survives_clear_polls(runner, incidents):
    await run_now(runner, "critical_boom")

    for _ in range(5):
        incidents.observe("test", [], datetime.now(UTC))

    (incident,) = job_incidents(incidents)
    assert incident.clear_polls == 0


async def test_run_events_published(runner: JobRunner, bus):
    queue = bus.subscribe()

    await run_now(runner, "ok")

    events = [queue.get_nowait() for _ in range(queue.qsize())]
    statuses = [event.run.status for event in events if isinstance(event, JobRun)]
    assert statuses == [RunStatus.RUNNING, RunStatus.SUCCEEDED]


async def test_unknown_job_not_found(runner: JobRunner):
    with pytest.raises(JobNotFound, match="nightly"):
        runner.trigger("nightly", "alice")


async def test_cancelled_run_recorded_failed(runner: JobRunner):
    _, task = runner.trigger("slow", "alice")
    await asyncio.sleep(0)

    await runner.cancel_all()

    (run,) = runner.repository.history("slow")
    assert task.cancelled()
    assert run.status is RunStatus.FAILED
    assert "cancelled" in run.error


async def test_success_reports_action(store, bus, incidents, fakes):
    succeeded: list[str] = []
    context = JobContext(
        target=None,  # type: ignore[arg-type]
        config=None,  # type: ignore[arg-type]
        snapshots=None,  # type: ignore[arg-type]
        snapshot_now=None,  # type: ignore[arg-type]
        last_error=lambda: None,
        job_succeeded=succeeded.append,
    )
    jobs = JobsConfig(
        jobs=[
            job("summaries", "etl_summaries"),
            job("adherence", "etl_adherence"),
            job("ok", "health_snapshot"),
        ]
    )
    runner = JobRunner(
        jobs,
        context,
        JobRunRepository(store),
        bus,
        JobAlerts(incidents, "test"),
        actions={
            "etl_summaries": fakes.ok,
            "etl_adherence": fakes.boom,
            "health_snapshot": fakes.ok,
        },
    )

    for name in ("summaries", "adherence", "ok"):
        await run_now(runner, name)

    # The failed run changed nothing for the engine to read again.
    assert succeeded == ["etl_summaries", "health_snapshot"]
