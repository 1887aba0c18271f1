"""The time each head blocker became a head, for heads seen waiting earlier.

When a head blocker ends (killed or committed), the first session in its
lock queue gets the lock and, for a moment, heads the rest of the queue.
The sessions behind it report their whole lock wait, which began before the
new head held the lock. So a head that an earlier poll saw waiting is timed
from when it became the head, and the hand-over alone does not read as a
long block.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from engine.monitor.graph import BlockingGraph


class HeadHistory:
    """Record, across polls, of the heads that an earlier poll saw waiting."""

    def __init__(self) -> None:
        self._since: dict[int, datetime] = {}
        self._waiting: frozenset[int] = frozenset()

    def update(
        self, graph: BlockingGraph, taken_at: datetime
    ) -> Mapping[int, datetime]:
        """Record this poll's graph and return each head that an earlier poll
        saw waiting, with the time it was first seen as a head."""
        since = {}
        for head in graph.head_blockers:
            if head in self._since:
                since[head] = self._since[head]
            elif head in self._waiting:
                since[head] = taken_at
        self._since = since
        self._waiting = frozenset(graph.waits_on)
        # A copy, so a caller cannot change what the next poll compares with.
        return dict(since)
