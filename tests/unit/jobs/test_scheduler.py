"""JobScheduler on a real AsyncIOScheduler: due runs, missed runs after a
pause, and what list_jobs shows. Run times are set in the past instead of
waiting for them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from engine.jobs.runner import JobRunner
from engine.jobs.scheduler import JobScheduler
from engine.store.database import utc_now
from engine.store.jobs import RunStatus

from .conftest import JOBS


@pytest.fixture
async def scheduler(runner: JobRunner):
    instance = JobScheduler(JOBS, runner)
    instance.start(paused=True)
    yield instance
    await instance.stop()


async def wait_for_run(runner: JobRunner, name: str, due: datetime):
    """Yield to the event loop until the run due at ``due`` has ended.

    A five-minute boundary between ``due`` and now adds another run, so the
    run is picked by its scheduled time.
    """
    for _ in range(200):
        for run in runner.repository.history(name):
            if run.scheduled_at == due and run.status is not RunStatus.RUNNING:
                return run
        await asyncio.sleep(0.01)
    raise AssertionError(f"{name}: no run due at {due} recorded")


async def test_missed_after_pause(scheduler: JobScheduler, runner, clock):
    # The scheduler was paused across the run time: resuming 90 s after it,
    # with a 30 s grace, records the run as missed with its lateness.
    due = utc_now() - timedelta(seconds=90)
    clock.now = due + timedelta(seconds=90)
    scheduler.aps.modify_job("ok", next_run_time=due)

    scheduler.resume()

    run = await wait_for_run(runner, "ok", due)
    assert run.status is RunStatus.MISSED
    assert run.lateness_seconds == 90
    assert run.scheduled_at == due


async def test_due_run_within_grace_runs(scheduler: JobScheduler, runner, clock):
    due = utc_now() - timedelta(seconds=1)
    clock.now = due + timedelta(seconds=1)
    scheduler.aps.modify_job("ok", next_run_time=due)

    scheduler.resume()

    run = await wait_for_run(runner, "ok", due)
    assert run.status is RunStatus.SUCCEEDED
    assert run.scheduled_at == due
    assert run.rows == 3


async def test_next_fire_after_due_run(scheduler: JobScheduler, runner):
    due = utc_now() - timedelta(seconds=1)
    scheduler.aps.modify_job("ok", next_run_time=due)

    scheduler.resume()
    await wait_for_run(runner, "ok", due)

    state = next(state for state in scheduler.states() if state.name == "ok")
    assert state.next_run_at > utc_now()
    assert state.next_run_at.minute % 5 == 0
    assert state.last_run is not None


def test_states_list_every_job(scheduler: JobScheduler):
    states = scheduler.states()

    assert [state.name for state in states] == [job.name for job in JOBS.jobs]
    assert all(state.next_run_at is not None for state in states)
    assert all(state.last_run is None for state in states)


async def leave_running(runner: JobRunner, *names: str) -> None:
    """Leave a run of each job "running", as a process that died would."""
    for name in names:
        record, task = runner.trigger(name, "alice")
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        runner.repository.store.execute(
            "UPDATE job_runs SET status = 'running', error = NULL WHERE id = ?",
            (record.id,),
        )
    runner.running.clear()


async def start_and_stop(runner: JobRunner, last_seen: datetime | None = None) -> None:
    instance = JobScheduler(JOBS, runner)
    instance.start(paused=True, last_seen=last_seen)
    await instance.stop()


async def test_unfinished_runs_failed_on_start(runner: JobRunner):
    await leave_running(runner, "slow")

    await start_and_stop(runner)

    (run,) = runner.repository.history("slow")
    assert run.status is RunStatus.FAILED
    # Without a later poll, the run's start is the last time it was seen.
    assert run.ended_at == run.started_at
    assert run.error.startswith(
        "the engine stopped during the run, at a time between "
        f"{run.started_at:%Y-%m-%d %H:%M:%S} UTC (when it was last seen running)"
    )


async def test_unfinished_run_ends_at_last_poll(runner: JobRunner, clock):
    started = utc_now() - timedelta(minutes=20)
    clock.now = started
    await leave_running(runner, "slow")
    clock.now = None
    last_poll = started + timedelta(minutes=5)

    await start_and_stop(runner, last_seen=last_poll)

    (run,) = runner.repository.history("slow")
    assert run.started_at == started
    assert run.ended_at == last_poll


async def test_unfinished_critical_run_opens_incident(
    runner: JobRunner, incidents, clock
):
    # Only the critical job's run opens an incident, as a failed run would.
    clock.now = utc_now() - timedelta(minutes=20)
    await leave_running(runner, "critical_boom", "slow")
    last_poll = clock.now + timedelta(minutes=5)
    clock.now = None

    await start_and_stop(runner, last_seen=last_poll)

    (incident,) = incidents.repository.open_incidents()
    (run,) = runner.repository.history("critical_boom")
    assert incident.dedup_key == "job:critical_boom"
    assert incident.title == "critical job critical_boom failed"
    assert incident.root_cause == f"run {run.id} (manual by alice): {run.error}"
    assert run.error.startswith("the engine stopped during the run, at a time")
    # Timed from the last poll, when the run was last seen, to this start.
    assert incident.started_at == last_poll
    assert incident.seconds_to_detect >= 15 * 60


async def test_run_started_before_schedule_kept(runner: JobRunner, fakes):
    # A drill's recovery runs a job again before the schedule starts.
    record, task = runner.trigger("slow", "alice")

    instance = JobScheduler(JOBS, runner)
    instance.start(paused=True)
    (during,) = runner.repository.history("slow")
    fakes.gate.set()
    await task
    await instance.stop()

    (run,) = runner.repository.history("slow")
    assert during.id == record.id
    assert during.status is RunStatus.RUNNING
    assert run.status is RunStatus.SUCCEEDED


async def test_scheduled_overlap_recorded(scheduler: JobScheduler, runner, fakes):
    # A scheduled run of "slow" holds the gate; the next due time finds
    # APScheduler's one instance busy and is recorded as skipped_overlap.
    first = utc_now() - timedelta(seconds=1)
    scheduler.aps.modify_job("slow", next_run_time=first)
    scheduler.resume()
    for _ in range(200):
        if "slow" in runner.running:
            break
        await asyncio.sleep(0.01)
    second = utc_now() - timedelta(seconds=1)

    scheduler.aps.modify_job("slow", next_run_time=second)
    scheduler.aps.wakeup()
    skipped = await wait_for_run(runner, "slow", second)
    fakes.gate.set()
    ran = await wait_for_run(runner, "slow", first)

    assert skipped.status is RunStatus.SKIPPED_OVERLAP
    assert ran.status is RunStatus.SUCCEEDED
    assert fakes.calls == 1
