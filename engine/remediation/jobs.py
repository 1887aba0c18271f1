"""restart_job: run a failed job again, with a bounded number of attempts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from engine.incidents.models import Incident
from engine.jobs.models import JobAlreadyRunning, JobNotFound
from engine.jobs.runner import JobRunner
from engine.remediation.actions import ActionResult
from engine.store.jobs import RunStatus

log = logging.getLogger(__name__)

ACTION = "restart_job"


async def restart_job(
    runner: JobRunner,
    incident: Incident,
    actor: str,
    *,
    attempts: int = 3,
    delay_seconds: float = 2.0,
    dry_run: bool = False,
    still_open: Callable[[], bool] = lambda: True,
) -> ActionResult:
    """Run the incident's job until a run succeeds, at most ``attempts`` times.

    The delay doubles after each failed attempt. A run of the job already in
    progress counts as an attempt that is waited for. No attempt starts once
    ``still_open`` returns False: someone resolved the incident meanwhile.
    """
    name = str(incident.metrics.get("job") or "")
    try:
        runner.job(name)
    except JobNotFound as error:
        return ActionResult(ACTION, dry_run, False, f"not restarted: {error}")
    if dry_run:
        return ActionResult(
            ACTION, True, True, f"would run {name} up to {attempts} time(s)"
        )
    delay = delay_seconds
    errors = []
    for attempt in range(1, attempts + 1):
        if attempt > 1 and not still_open():
            log.info("restart of %s stopped: incident %s resolved", name, incident.id)
            return ActionResult(
                ACTION,
                False,
                False,
                f"stopped after {attempt - 1} attempt(s), because incident "
                f"{incident.id} was resolved meanwhile; " + "; ".join(errors[-2:]),
            )
        try:
            record, task = runner.trigger(name, actor)
        except JobAlreadyRunning:
            await runner.wait_idle()
            errors.append(f"attempt {attempt}: a run was already in progress")
        else:
            await asyncio.shield(task)
            if record.status is RunStatus.SUCCEEDED:
                return ActionResult(
                    ACTION,
                    False,
                    True,
                    f"run {record.id} of {name} succeeded on attempt {attempt} "
                    f"of {attempts}: {record.detail}",
                )
            errors.append(
                f"attempt {attempt}: run {record.id} {record.status}: {record.error}"
            )
        if attempt < attempts:
            log.info("restart of %s failed, next attempt in %g s", name, delay)
            await asyncio.sleep(delay)
            delay *= 2
    return ActionResult(
        ACTION,
        False,
        False,
        f"{name} failed {attempts} time(s); " + "; ".join(errors[-2:]),
    )
