"""Deadlock: two sessions lock two rows in opposite order."""

from __future__ import annotations

import asyncio

from engine.chaos.scenarios.base import DrillContext, Scenario
from engine.chaos.scenarios.claims import pick_recent_claims
from engine.targets.base import DedicatedSession, TargetError


class Deadlock(Scenario):
    name = "deadlock"
    title = "Deadlock"
    expected_kinds = frozenset({"deadlock"})

    async def inject(self, context: DrillContext) -> None:
        timeout_ms = int(context.params.get("deadlock_timeout_ms", 200))
        first = await context.open_session(self.name)
        second = await context.open_session(self.name)

        keys = await pick_recent_claims(context, first, 2)

        for session in (first, second):
            await _lower_deadlock_timeout(context, session, timeout_ms)
            await session.execute(context.statement("begin"))
        await first.execute(context.statement("touch_claim"), keys[0])
        await second.execute(context.statement("touch_claim"), keys[1])

        # Each session now requests the row the other holds. The server finds
        # the cycle after deadlock_timeout and rolls one of them back.
        context.spawn(_finish(context, first, keys[1]), f"first {first.session_id}")
        context.spawn(_finish(context, second, keys[0]), f"second {second.session_id}")
        await asyncio.sleep(0.05)
        context.progress(
            "inject",
            f"sessions {first.session_id} and {second.session_id} locked claims "
            f"{keys[0]['claim_id']} and {keys[1]['claim_id']} in opposite order",
        )


async def _lower_deadlock_timeout(
    context: DrillContext, session: DedicatedSession, timeout_ms: int
) -> None:
    # deadlock_timeout is superuser-only; the embedded demo connects as a
    # superuser. Elsewhere the server default applies and detection is slower.
    try:
        await session.execute(
            context.statement("set_deadlock_timeout"), {"timeout": f"{timeout_ms}ms"}
        )
    except TargetError as error:
        context.progress("inject", f"deadlock_timeout left at the default: {error}")


async def _finish(context: DrillContext, session: DedicatedSession, key: dict) -> None:
    try:
        await session.execute(context.statement("touch_claim"), key)
        await session.execute(context.statement("commit"))
    except TargetError as error:
        # The deadlock victim: close the connection at once, which also makes
        # the server flush its statistics, deadlock counter included.
        context.progress("deadlock", f"session {session.session_id}: {error}")
        await session.close()
