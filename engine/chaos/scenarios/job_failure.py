"""Job Failure: a critical scheduled job stalls on a table the drill has
locked, and its statement times out as a job on slow storage would."""

from __future__ import annotations

import asyncio

from engine.chaos.scenarios.base import DrillContext, Scenario
from engine.targets.base import TargetError


class JobFailure(Scenario):
    name = "job_failure"
    title = "Job Failure"
    detector = "jobs"
    expected_kinds = frozenset({"job_failure"})
    # The job waits on the drill's lock, which a poll reports as blocking.
    side_effect_kinds = frozenset({"blocking"})
    touched_tables = ("healthcare.drug_interactions",)

    async def inject(self, context: DrillContext) -> None:
        job = str(context.params.get("job", "statistics_maintenance"))
        hold_after = float(context.params.get("hold_after_failure_seconds", 3))
        if context.trigger_job is None:
            raise TargetError("this engine runs no scheduled jobs")
        holder = await context.open_session(self.name)
        await holder.execute(context.statement("begin"))
        await holder.execute(context.statement("lock_drug_interactions"))
        record, run = context.trigger_job(job, context.actor)
        context.progress(
            "inject",
            f"session {holder.session_id} holds healthcare.drug_interactions; "
            f"run {record.id} of {job} started and will wait on it",
        )

        async def release_after_failure() -> None:
            await asyncio.shield(run)
            await asyncio.sleep(hold_after)
            await holder.execute(context.statement("commit"))
            context.progress("inject", "lock released; the job can run again")

        context.spawn(release_after_failure(), f"holder {holder.session_id}")
