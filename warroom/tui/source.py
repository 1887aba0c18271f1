"""The engine interface the TUI uses, and nothing more.

Two classes satisfy ``WarRoomSource``: the in-process ``engine.service.Engine``
and ``warroom.attach.source.RemoteSource``, which reads a running sidecar over
HTTP. No screen or widget may reach past this protocol.

Reads (the last poll, open incidents, scenarios, recent drills) are
synchronous: the engine has them in memory and the remote source keeps a
copy that its event stream refreshes. A request that changes something, or
fetches one incident, one job's run history, the catalog or the lineage, may
return its result at once (the engine) or later (the sidecar), so it returns
either the result or a coroutine of it. Callers
pass it to ``settle``. (The engine's ``trigger_drill`` answers with the drill's Task,
which ``settle`` hands back without waiting for the drill.)
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Coroutine, Sequence
from typing import Any, Protocol, TypeVar

from engine.chaos.drills import ScenarioState
from engine.config.models import WarroomConfig
from engine.events import Event, PollCompleted
from engine.governance.lineage import LineageReport
from engine.healthcare.monitor import HealthcareReading
from engine.incidents.models import Incident, PostmortemSummary
from engine.incidents.sla import SlaReport
from engine.jobs.models import JobState
from engine.remediation.actions import ActionResult
from engine.store.drills import DrillRecord
from engine.store.governance import CatalogEntry, ScanRecord
from engine.store.jobs import JobRunRecord
from engine.validation.cycle import ChecksCompleted
from engine.validation.models import Scorecard

T = TypeVar("T")

Answer = T | Coroutine[Any, Any, T]


class SourceRejected(Exception):
    """A request the source rejected; the message gives the reason, and the TUI
    shows it as a warning."""


async def settle(answer: Answer[T]) -> T:
    """Return a request's result, awaiting it when it is a coroutine."""
    if inspect.iscoroutine(answer):
        return await answer
    return answer  # type: ignore[return-value]


class EventSource(Protocol):
    """The engine's event bus, seen from a subscriber."""

    def subscribe(self) -> asyncio.Queue[Event]: ...

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None: ...


class MetricSeries(Protocol):
    """Recent figures per metric name, oldest first; None where none was read."""

    def series(self, name: str) -> list[float | None]: ...


class DataCheckState(Protocol):
    """The last data check cycle: its scorecard and the reason it was
    incomplete, if it was."""

    scorecard: Scorecard | None
    error: str | None
    running: bool


class WarRoomSource(Protocol):
    """Every attribute and method of the engine that the TUI uses."""

    config: WarroomConfig
    bus: EventSource
    history: MetricSeries
    last_poll: PollCompleted | None
    last_error: str | None
    link_error: str | None
    """The reason the engine itself cannot be reached (an attached TUI's
    sidecar is gone), or None. The last poll and last_error are then as old as
    the link."""
    checks: DataCheckState

    @property
    def target_name(self) -> str: ...

    @property
    def current_drill(self) -> DrillRecord | None: ...

    def open_incidents(self) -> list[Incident]: ...

    def recent_postmortems(self, limit: int = 10) -> list[PostmortemSummary]: ...

    def scenarios(self) -> list[ScenarioState]: ...

    def random_scenario(self) -> str: ...

    def sla(self, hours: int = 24) -> SlaReport | None:
        """SLA figures of the last ``hours``; None while the source has none."""
        ...

    def drill_history(
        self, scenario: str | None = None, limit: int = 50
    ) -> Sequence[DrillRecord]: ...

    def list_jobs(self) -> list[JobState]: ...

    def healthcare_reading(self) -> HealthcareReading:
        """Return the last healthcare figures with their read time and any error."""
        ...

    # -- requests ------------------------------------------------------------

    def get_incident(self, incident_id: int) -> Answer[Incident]: ...

    def job_history(self, name: str, limit: int = 50) -> Answer[Sequence[JobRunRecord]]:
        """Return the newest runs of job ``name`` first; raise JobNotFound, or
        SourceRejected from the sidecar, for an unknown job."""
        ...

    def investigate(self, incident_id: int, actor: str) -> Answer[Incident]: ...

    def escalate(
        self, incident_id: int, actor: str, reason: str = ""
    ) -> Answer[Incident]: ...

    def resolve(
        self, incident_id: int, actor: str, note: str = ""
    ) -> Answer[Incident]: ...

    async def remediate(
        self, incident_id: int, actor: str, dry_run: bool | None = None
    ) -> ActionResult:
        """Run the playbook action for an incident. With ``dry_run`` it only
        reports what the action would do, and the incident's status and the
        target stay as they are. None leaves the choice to the config's
        remediation.dry_run setting."""
        ...

    def postmortem(self, incident_id: int) -> Answer[str]: ...

    def trigger_drill(self, scenario: str, actor: str) -> Answer[object]: ...

    def trigger_job(self, name: str, actor: str) -> Answer[JobRunRecord]: ...

    async def run_checks(self) -> ChecksCompleted:
        """Run the validation rules and the other data checks now. The result
        also arrives on the bus as a ChecksCompleted event."""
        ...

    # -- governance ------------------------------------------------------------

    def last_catalog_scan(self) -> Answer[ScanRecord | None]:
        """Return the last catalog scan, or None before the first one."""
        ...

    def catalog(self) -> Answer[list[CatalogEntry]]:
        """Return every column of the last catalog scan with its classification."""
        ...

    def phi_columns(self) -> Answer[list[CatalogEntry]]:
        """Return the columns that look like PHI or are classified as PHI."""
        ...

    async def lineage(self, max_rows: int = 100) -> LineageReport:
        """Return the newest ETL lineage rows first, with a note on their source."""
        ...

    async def scan_catalog(self, actor: str = "engine") -> ScanRecord:
        """Scan the target's catalog now. Raise TargetError when it cannot be
        read."""
        ...

    def classify_column(
        self, table: str, column: str, category: str, actor: str, reason: str = ""
    ) -> Answer[None]:
        """Record ``actor``'s classification of ``schema.table`` ``column`` as a
        PHI category or ``none``. Raise ValueError for an unknown category,
        ColumnNotFound for a column the last scan did not see, or
        SourceRejected from the sidecar for either."""
        ...
