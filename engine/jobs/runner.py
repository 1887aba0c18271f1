"""Run jobs: one run at a time per job, each with its timeout, each recorded.

Every run, missed run and refused overlap becomes a row in ``job_runs`` and a
JobRun event. A run of a critical job that fails, times out or is missed goes
to JobAlerts, which opens an incident.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from engine.config.models import JobConfig, JobsConfig
from engine.events import EventBus, JobRun
from engine.jobs.actions import ACTIONS, Action, JobContext
from engine.jobs.alerts import JobAlerts
from engine.jobs.models import SCHEDULER, JobAlreadyRunning, JobNotFound
from engine.store.database import utc_now
from engine.store.jobs import JobRunRecord, JobRunRepository, RunStatus

log = logging.getLogger(__name__)

SCHEDULED = "scheduled"
MANUAL = "manual"


class JobRunner:
    def __init__(
        self,
        config: JobsConfig,
        context: JobContext,
        repository: JobRunRepository,
        bus: EventBus,
        alerts: JobAlerts,
        *,
        clock: Callable[[], datetime] = utc_now,
        actions: dict[str, Action] | None = None,
    ):
        self.jobs = {job.name: job for job in config.jobs}
        self.context = context
        self.repository = repository
        self.bus = bus
        self.alerts = alerts
        self.clock = clock
        self.actions = ACTIONS if actions is None else actions
        self.running: dict[str, JobRunRecord] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def job(self, name: str) -> JobConfig:
        try:
            return self.jobs[name]
        except KeyError:
            raise JobNotFound(name, sorted(self.jobs)) from None

    def trigger(self, name: str, actor: str) -> tuple[JobRunRecord, asyncio.Task[Any]]:
        """Start a manual run in the background and return its record.

        Raises JobNotFound, or JobAlreadyRunning (after recording the refused
        run as skipped_overlap) while a run of the job is in progress. A
        disabled job may be run by hand.
        """
        job = self.job(name)
        running = self.running.get(name)
        if running is not None:
            self.record_skipped(job, MANUAL, actor, None)
            raise JobAlreadyRunning(name, running)
        record = self._begin(job, MANUAL, actor, None)
        task = asyncio.ensure_future(self._complete(job, record))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return record, task

    async def run_due(
        self, name: str, run_times: Iterable[datetime], grace_seconds: float | None
    ) -> list[tuple[datetime, RunStatus]]:
        """Run or record each due time of a scheduled job, oldest first.

        A time more than ``grace_seconds`` in the past is recorded as missed,
        with its lateness, instead of run.
        """
        job = self.job(name)
        outcomes = []
        for scheduled in run_times:
            lateness = (self.clock() - scheduled).total_seconds()
            if grace_seconds is not None and lateness > grace_seconds:
                self.record_missed(job, scheduled, lateness)
                outcomes.append((scheduled, RunStatus.MISSED))
            elif name in self.running:
                self.record_skipped(job, SCHEDULED, SCHEDULER, scheduled)
                outcomes.append((scheduled, RunStatus.SKIPPED_OVERLAP))
            else:
                record = self._begin(job, SCHEDULED, SCHEDULER, scheduled)
                await self._complete(job, record)
                outcomes.append((scheduled, record.status))
        return outcomes

    def record_missed(
        self, job: JobConfig, scheduled: datetime, lateness: float
    ) -> None:
        log.warning(
            "job %s missed its run due at %s (%.1f s late)",
            job.name,
            scheduled.isoformat(),
            lateness,
        )
        now = self.clock()
        record = JobRunRecord(
            id=0,
            job=job.name,
            trigger=SCHEDULED,
            actor=SCHEDULER,
            status=RunStatus.MISSED,
            scheduled_at=scheduled,
            ended_at=now,
            lateness_seconds=lateness,
            error=f"not started: {lateness:.1f} s late, past the misfire grace time",
        )
        self._ended(job, self.repository.add(record))

    def record_skipped(
        self, job: JobConfig, trigger: str, actor: str, scheduled: datetime | None
    ) -> None:
        running = self.running.get(job.name)
        log.info("job %s not started by %s: run already in progress", job.name, actor)
        now = self.clock()
        record = JobRunRecord(
            id=0,
            job=job.name,
            trigger=trigger,
            actor=actor,
            status=RunStatus.SKIPPED_OVERLAP,
            scheduled_at=scheduled,
            ended_at=now,
            error=f"run {running.id if running else '?'} was still in progress",
        )
        self.repository.add(record)
        self._publish(record)

    def fail_unfinished(
        self, reason: str, last_seen: datetime | None = None
    ) -> list[JobRunRecord]:
        """Mark the runs an earlier process left ``running`` as failed and
        report each as any failed run, so a critical job's opens its incident.

        Each run ends at the later of its start and ``last_seen``, the
        earlier process's last poll. Runs this process started (a drill's
        recovery runs a job again before the schedule starts) are left alone.
        A run of a job no longer in config/jobs.yaml is marked failed and
        reported nowhere.
        """
        stale = self.repository.fail_unfinished(
            self.clock(),
            reason,
            [record.id for record in self.running.values()],
            last_seen,
        )
        for record in stale:
            job = self.jobs.get(record.job)
            if job is not None:
                self._ended(job, record)
        return stale

    async def wait_idle(self) -> None:
        """Wait for the manual runs in progress to end."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def cancel_all(self) -> None:
        """Cancel manual runs in progress (the engine is stopping)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _begin(
        self, job: JobConfig, trigger: str, actor: str, scheduled: datetime | None
    ) -> JobRunRecord:
        # No await between the overlap check and this, so no other run of the
        # job can start in between.
        record = JobRunRecord(
            id=0,
            job=job.name,
            trigger=trigger,
            actor=actor,
            status=RunStatus.RUNNING,
            scheduled_at=scheduled,
            started_at=self.clock(),
        )
        self.repository.add(record)
        self.running[job.name] = record
        log.info(
            "job %s run %s started (%s by %s)", job.name, record.id, trigger, actor
        )
        self._publish(record)
        return record

    async def _complete(self, job: JobConfig, record: JobRunRecord) -> None:
        action = self.actions[job.action]
        try:
            output = await asyncio.wait_for(
                action(self.context, dict(job.params)), job.timeout_seconds
            )
        except TimeoutError:
            record.status = RunStatus.TIMED_OUT
            record.error = (
                f"timed out after {job.timeout_seconds:g} s (timeout_seconds in "
                "config/jobs.yaml)"
            )
        except asyncio.CancelledError:
            record.status = RunStatus.FAILED
            record.error = "cancelled: the engine stopped during the run"
            self._finish(job, record)
            raise
        except Exception as error:  # the run's error is recorded, not raised
            record.status = RunStatus.FAILED
            record.error = str(error) or type(error).__name__
        else:
            record.status = RunStatus.SUCCEEDED
            record.rows = output.rows
            record.detail = output.detail
            self._job_succeeded(job.action)
        self._finish(job, record)

    def _finish(self, job: JobConfig, record: JobRunRecord) -> None:
        self.running.pop(job.name, None)
        record.ended_at = self.clock()
        self.repository.finish(record)
        if record.status is RunStatus.SUCCEEDED:
            log.info("job %s run %s succeeded: %s", job.name, record.id, record.detail)
        else:
            log.error(
                "job %s run %s %s: %s", job.name, record.id, record.status, record.error
            )
        self._ended(job, record)

    def _job_succeeded(self, action: str) -> None:
        notify = self.context.job_succeeded if self.context else None
        if notify is None:
            return
        try:
            notify(action)
        except Exception:
            # The run succeeded and is recorded; only the early reads of what
            # it changed are lost, and the scheduled ones still run.
            log.exception("failed to schedule reads after action %s", action)

    def _publish(self, record: JobRunRecord) -> None:
        # A copy, because the runner keeps changing the record of a run.
        self.bus.publish(JobRun(replace(record)))

    def _ended(self, job: JobConfig, record: JobRunRecord) -> None:
        self._publish(record)
        try:
            self.alerts.run_ended(job, record)
        except Exception:
            # The run is recorded; a failure to open its incident is logged
            # so the scheduler keeps running.
            log.exception(
                "cannot open an incident for job %s run %s", job.name, record.id
            )
