"""An APScheduler executor that hands due runs to the JobRunner.

APScheduler 3.x calls a job's function without its scheduled time, so the
stock AsyncIOExecutor cannot record it. This executor overrides
``_do_submit_job``, a protected method of APScheduler 3.x (the dependency is
pinned below 4), and passes the run times to JobRunner.run_due, which also
does the misfire check so a missed run is recorded with its lateness.
"""

from __future__ import annotations

import sys

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.asyncio import AsyncIOExecutor

from engine.jobs.runner import JobRunner
from engine.store.jobs import RunStatus

_EVENT_CODES = {
    RunStatus.SUCCEEDED: EVENT_JOB_EXECUTED,
    RunStatus.MISSED: EVENT_JOB_MISSED,
    RunStatus.FAILED: EVENT_JOB_ERROR,
    RunStatus.TIMED_OUT: EVENT_JOB_ERROR,
}


class RunnerExecutor(AsyncIOExecutor):
    def __init__(self, runner: JobRunner):
        super().__init__()
        self.runner = runner

    def _do_submit_job(self, job, run_times):
        def callback(future):
            self._pending_futures.discard(future)
            try:
                events = future.result()
            except BaseException:
                self._run_job_error(job.id, *sys.exc_info()[1:])
            else:
                self._run_job_success(job.id, events)

        future = self._eventloop.create_task(self._run(job, run_times))
        future.add_done_callback(callback)
        self._pending_futures.add(future)

    async def _run(self, job, run_times) -> list[JobExecutionEvent]:
        outcomes = await self.runner.run_due(job.id, run_times, job.misfire_grace_time)
        return [
            JobExecutionEvent(_EVENT_CODES[status], job.id, job._jobstore_alias, when)
            for when, status in outcomes
            if status in _EVENT_CODES
        ]
