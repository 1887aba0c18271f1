"""Long Running Query: one session holds a row lock and sleeps; others queue."""

from __future__ import annotations

import asyncio

from engine.chaos.scenarios.base import DrillContext, Scenario
from engine.chaos.scenarios.claims import pick_recent_claims


class LongRunningQuery(Scenario):
    name = "long_running_query"
    title = "Long Running Query"
    expected_kinds = frozenset({"blocking"})

    async def inject(self, context: DrillContext) -> None:
        hold = float(context.params.get("hold_seconds", 45))
        waiters = int(context.params.get("waiters", 3))

        holder = await context.open_session(self.name)
        await holder.execute(context.statement("begin"))
        (key,) = await pick_recent_claims(context, holder, 1)
        await holder.execute(context.statement("touch_claim"), key)

        async def hold_then_commit() -> None:
            await holder.execute(context.statement("hold"), {"seconds": hold})
            await holder.execute(context.statement("commit"))

        context.spawn(hold_then_commit(), f"holder {holder.session_id}")
        context.progress(
            "inject",
            f"session {holder.session_id} holds claim {key['claim_id']} for {hold:g} s",
        )

        for _ in range(waiters):
            waiter = await context.open_session(self.name)
            context.spawn(
                waiter.execute(context.statement("touch_claim"), key),
                f"waiter {waiter.session_id}",
            )
        # Give the waiters a moment to reach the lock queue, so the inject is
        # complete when the drill records its time.
        await asyncio.sleep(0.1)
        context.progress("inject", f"{waiters} session(s) queued behind it")
