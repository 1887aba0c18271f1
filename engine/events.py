"""Typed engine events and the in-process bus that fans them out.

The TUI turns events into Textual messages; the sidecar turns them into
server-sent events. A slow subscriber loses its oldest events, so it never
blocks the engine.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.incidents.models import Incident
from engine.monitor.findings import Finding
from engine.monitor.graph import BlockingGraph
from engine.store.jobs import JobRunRecord
from engine.targets.models import HealthSnapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    pass


@dataclass(frozen=True)
class PollCompleted(Event):
    """One poll finished: its snapshot, blocking graph and findings."""

    snapshot: HealthSnapshot
    graph: BlockingGraph
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class PollFailed(Event):
    at: datetime
    error: str


@dataclass(frozen=True)
class IncidentChanged(Event):
    """An incident opened, changed status or gained a timeline entry."""

    incident: Incident
    change: str


@dataclass(frozen=True)
class DrillProgress(Event):
    drill_id: int
    scenario: str
    phase: str
    message: str
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobRun(Event):
    """A job run started or ended, or a run was missed or skipped."""

    run: JobRunRecord


@dataclass(frozen=True)
class CatalogChanged(Event):
    """A catalog scan ended or a person classified a column."""

    change: str
    """scanned or classified."""
    actor: str


@dataclass(frozen=True)
class EngineNotice(Event):
    level: str
    message: str


class EventBus:
    """Fan-out of events to any number of subscribers, each with its own queue."""

    def __init__(self, queue_size: int = 1000):
        self._queue_size = queue_size
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self.dropped = 0
        self.sequence = 0
        """Number of events published so far. Faces that cache views of the
        engine's state rebuild them when it changes."""

    def publish(self, event: Event) -> None:
        self.sequence += 1
        for queue in list(self._subscribers):
            if queue.full():
                queue.get_nowait()
                self.dropped += 1
            queue.put_nowait(event)

    def subscribe(self) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=self._queue_size)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        self._subscribers.discard(queue)

    async def stream(self) -> AsyncIterator[Event]:
        """Yield events until the consumer stops iterating."""
        queue = self.subscribe()
        try:
            while True:
                yield await queue.get()
        finally:
            self.unsubscribe(queue)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)
