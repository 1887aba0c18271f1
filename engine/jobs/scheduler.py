"""APScheduler wiring: one AsyncIOScheduler job per enabled config job."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from engine.config.models import JobsConfig
from engine.events import EventBus
from engine.incidents.manager import IncidentManager
from engine.incidents.models import Incident
from engine.jobs.actions import JobContext
from engine.jobs.alerts import JobAlerts
from engine.jobs.cron import build_trigger
from engine.jobs.executor import RunnerExecutor
from engine.jobs.models import SCHEDULER, JobState
from engine.jobs.runner import SCHEDULED, JobRunner
from engine.store.database import Store
from engine.store.jobs import JobRunRecord, JobRunRepository

log = logging.getLogger(__name__)


async def _run_through_executor() -> None:
    """Placeholder job function: RunnerExecutor runs jobs, never this."""
    raise RuntimeError("scheduled jobs run only through RunnerExecutor")


class JobScheduler:
    """Starts, pauses and stops the schedule, and returns job states and runs."""

    def __init__(self, config: JobsConfig, runner: JobRunner):
        self.config = config
        self.runner = runner
        self._scheduler: AsyncIOScheduler | None = None

    def start(self, paused: bool = False, last_seen: datetime | None = None) -> None:
        """Schedule every enabled job on the running event loop.

        ``last_seen`` is the last poll of the earlier process, which bounds
        when the runs it left unfinished stopped.
        """
        stale = self.runner.fail_unfinished(
            "the engine stopped during the run", last_seen
        )
        if stale:
            log.warning(
                "marked %s unfinished job run(s) as failed: %s",
                len(stale),
                ", ".join(f"{record.job} run {record.id}" for record in stale),
            )

        scheduler = AsyncIOScheduler(
            timezone=UTC,
            executors={"default": RunnerExecutor(self.runner)},
            job_defaults={
                "max_instances": 1,
                # Each missed time is recorded on its own rather than folded
                # into one run.
                "coalesce": False,
                "misfire_grace_time": self.config.misfire_grace_seconds,
            },
        )

        # NOTE: the job store is in memory, so each start schedules from now.
        # Times that passed while the engine was down are not recorded as
        # missed, only those that pass while it runs paused or blocked.
        for job in self.config.jobs:
            if job.enabled:
                scheduler.add_job(
                    _run_through_executor,
                    build_trigger(job.cron, job.timezone),
                    id=job.name,
                    name=job.name,
                )
        scheduler.add_listener(self._on_max_instances, EVENT_JOB_MAX_INSTANCES)

        scheduler.start(paused=paused)
        self._scheduler = scheduler
        enabled = sum(job.enabled for job in self.config.jobs)
        log.info("scheduler started with %s enabled job(s)", enabled)

    async def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
            log.info("scheduler stopped")
        self._scheduler = None
        await self.runner.cancel_all()

    def pause(self) -> None:
        if self._scheduler is not None:
            self._scheduler.pause()

    def resume(self) -> None:
        if self._scheduler is not None:
            self._scheduler.resume()

    @property
    def aps(self) -> AsyncIOScheduler | None:
        """The APScheduler instance while started."""
        return self._scheduler

    def states(self) -> list[JobState]:
        latest = self.runner.repository.latest()
        return [self._state(job, latest.get(job.name)) for job in self.config.jobs]

    def history(self, name: str, limit: int = 50) -> list[JobRunRecord]:
        """Return the newest runs of a job first; raise JobNotFound."""
        self.runner.job(name)
        return self.runner.repository.history(name, limit)

    def trigger(self, name: str, actor: str) -> JobRunRecord:
        """Start a manual run; see JobRunner.trigger for the errors."""
        record, _task = self.runner.trigger(name, actor)
        return record

    def _state(self, job, last: JobRunRecord | None) -> JobState:
        next_run = None
        if self._scheduler is not None:
            scheduled = self._scheduler.get_job(job.name)
            if scheduled is not None:
                next_run = scheduled.next_run_time
        return JobState(
            name=job.name,
            description=job.description,
            cron=job.cron,
            timezone=job.timezone,
            action=job.action,
            enabled=job.enabled,
            critical=job.critical,
            timeout_seconds=job.timeout_seconds,
            next_run_at=next_run,
            last_run=last,
            running=job.name in self.runner.running,
        )

    def _on_max_instances(self, event: JobSubmissionEvent) -> None:
        # APScheduler skipped the submission because a scheduled run of the
        # job is still going; record each skipped time.
        job = self.runner.jobs.get(event.job_id)
        if job is None:
            return
        for scheduled in event.scheduled_run_times:
            self.runner.record_skipped(job, SCHEDULED, SCHEDULER, scheduled)


def build_scheduler(
    config: JobsConfig,
    context: JobContext,
    store: Store,
    bus: EventBus,
    incidents: IncidentManager,
    target_name: str,
    opened: Callable[[list[Incident]], None] | None = None,
) -> JobScheduler:
    """Wire the runner, its run records and its alerts for one engine.

    ``opened`` is called with each incident a critical job's run opens.
    """
    runner = JobRunner(
        config,
        context,
        JobRunRepository(store),
        bus,
        JobAlerts(incidents, target_name, opened),
    )
    return JobScheduler(config, runner)
