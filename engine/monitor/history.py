"""Recent figures per metric, for sparklines and trend charts."""

from __future__ import annotations

from collections import deque
from datetime import datetime

from engine.monitor.graph import BlockingGraph
from engine.monitor.thresholds import long_running
from engine.targets.models import HealthSnapshot

METRICS = (
    "cpu_percent",
    "memory_percent",
    "connections",
    "active_requests",
    "blocked_sessions",
    "long_queries",
    "transactions_per_second",
    "deadlocks",
)


def figures_of(
    snapshot: HealthSnapshot, graph: BlockingGraph, long_query_seconds: float
) -> dict[str, float | None]:
    """Return the headline figures of one poll; None where the target has none."""
    counters = snapshot.counters
    # The same sessions as the long_query findings, so the card and the
    # incidents agree.
    long_queries = len(long_running(snapshot, long_query_seconds))
    return {
        "cpu_percent": counters.cpu_percent.value,
        "memory_percent": counters.memory_percent.value,
        "connections": counters.connections.value,
        "active_requests": counters.active_requests.value,
        "blocked_sessions": float(len(graph.blocked_sessions)),
        "long_queries": float(long_queries),
        "transactions_per_second": counters.transactions_per_second.value,
        "deadlocks": counters.deadlocks.value,
    }


class MetricHistory:
    """A fixed window of recent polls."""

    def __init__(self, points: int):
        self.points = max(2, points)
        self._times: deque[datetime] = deque(maxlen=self.points)
        self._values: dict[str, deque[float | None]] = {
            name: deque(maxlen=self.points) for name in METRICS
        }

    def add(self, taken_at: datetime, figures: dict[str, float | None]) -> None:
        self._times.append(taken_at)
        for name in METRICS:
            self._values[name].append(figures.get(name))

    def series(self, name: str) -> list[float | None]:
        return list(self._values[name])

    def times(self) -> list[datetime]:
        return list(self._times)

    def __len__(self) -> int:
        return len(self._times)
