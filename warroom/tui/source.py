"""The engine interface the TUI uses, and nothing more.

The in-process ``engine.service.Engine`` satisfies ``WarRoomSource``. An HTTP
client for attach mode (``warroom tui --attach URL``) will implement the same
protocol, so no screen or widget may reach past it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from engine.chaos.drills import ScenarioState
from engine.config.models import WarroomConfig
from engine.events import Event, PollCompleted
from engine.incidents.models import Incident, PostmortemSummary
from engine.remediation.actions import ActionResult
from engine.store.drills import DrillRecord


class EventSource(Protocol):
    """The engine's event bus, seen from a subscriber."""

    def subscribe(self) -> asyncio.Queue[Event]: ...

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None: ...


class MetricSeries(Protocol):
    """Recent figures per metric name, oldest first; None where none was read."""

    def series(self, name: str) -> list[float | None]: ...


class WarRoomSource(Protocol):
    """Every attribute and method of the engine that the TUI uses."""

    config: WarroomConfig
    bus: EventSource
    history: MetricSeries
    last_poll: PollCompleted | None
    last_error: str | None

    @property
    def target_name(self) -> str: ...

    @property
    def current_drill(self) -> DrillRecord | None: ...

    def open_incidents(self) -> list[Incident]: ...

    def get_incident(self, incident_id: int) -> Incident: ...

    def investigate(self, incident_id: int, actor: str) -> Incident: ...

    def escalate(self, incident_id: int, actor: str, reason: str = "") -> Incident: ...

    def resolve(self, incident_id: int, actor: str, note: str = "") -> Incident: ...

    async def remediate(self, incident_id: int, actor: str) -> ActionResult: ...

    def postmortem(self, incident_id: int) -> str: ...

    def recent_postmortems(self, limit: int = 10) -> list[PostmortemSummary]: ...

    def scenarios(self) -> list[ScenarioState]: ...

    def trigger_drill(self, scenario: str, actor: str) -> object: ...

    def random_scenario(self) -> str: ...

    def drill_history(
        self, scenario: str | None = None, limit: int = 50
    ) -> Sequence[DrillRecord]: ...
