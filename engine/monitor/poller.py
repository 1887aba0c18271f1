"""The poll loop. The next poll is scheduled when the last one finishes, so a
slow database never stacks up requests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# A poll may be late by this many intervals, plus the grace, before the faces
# call the last one stale (the dashboard's app.js uses the same rule).
STALE_INTERVALS = 3
STALE_GRACE_SECONDS = 2.0


def stale_after(interval: float) -> float:
    """Return the age in seconds past which the last poll is stale."""
    return interval * STALE_INTERVALS + STALE_GRACE_SECONDS


class PollLoop:
    def __init__(self, poll: Callable[[], Awaitable[object]], interval: float):
        self._poll = poll
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self.polls = 0

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="warroom-poll")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        log.info("poll loop started, interval %.2f s", self.interval)
        try:
            while True:
                started = loop.time()
                try:
                    await self._poll()
                except Exception:
                    # The poll records its own failures; this only keeps the
                    # loop alive after an unexpected error.
                    log.exception("poll failed unexpectedly")
                self.polls += 1
                elapsed = loop.time() - started
                await asyncio.sleep(max(0.0, self.interval - elapsed))
        finally:
            log.info("poll loop stopped after %s poll(s)", self.polls)
