"""Connection Flood: many idle connections from one application."""

from __future__ import annotations

import asyncio

from engine.chaos.scenarios.base import DrillContext, Scenario


class ConnectionFlood(Scenario):
    name = "connection_flood"
    title = "Connection Flood"
    expected_kinds = frozenset({"connections"})

    async def inject(self, context: DrillContext) -> None:
        count = int(context.params.get("connections", 20))
        hold = float(context.params.get("hold_seconds", 60))

        opened = await asyncio.gather(
            *(context.open_session(self.name) for _ in range(count)),
            return_exceptions=True,
        )
        failures = [item for item in opened if isinstance(item, BaseException)]
        sessions = [item for item in opened if not isinstance(item, BaseException)]
        for session in sessions:
            await session.execute(context.statement("ping"))
        message = f"opened {len(sessions)} idle connection(s)"
        if failures:
            message += f"; {len(failures)} failed: {failures[0]}"
        context.progress("inject", message)

        async def close_later() -> None:
            await asyncio.sleep(hold)
            await context.release()

        context.spawn(close_later(), "flood timer")
