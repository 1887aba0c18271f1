"""Turns engine events into the messages the widgets render.

The feed reads only through ``WarRoomSource``. A burst of events is folded
into one message of each kind, so a slow terminal never falls behind a fast
poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from engine.events import (
    CatalogChanged,
    DrillProgress,
    EngineNotice,
    Event,
    IncidentChanged,
    JobRun,
    PollCompleted,
    PollFailed,
)
from engine.healthcare.monitor import HealthcareRefreshed
from engine.monitor.history import METRICS
from engine.validation.cycle import ChecksCompleted
from warroom.tui.messages import (
    CatalogUpdated,
    DrillUpdated,
    HealthcareUpdated,
    IncidentUpdated,
    JobsUpdated,
    LiveMessage,
    PollUpdated,
    SlaUpdated,
    ValidationUpdated,
)
from warroom.tui.source import WarRoomSource
from warroom.tui.views import (
    DrillView,
    IncidentsView,
    PollView,
    ValidationView,
    cards_of,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

_POSTMORTEMS_SHOWN = 10
_SLA_HOURS = 24
# Between incident events the SLA is read again at the first poll after this
# long, so an open incident that passes its target shows as a breach.
_SLA_REFRESH_SECONDS = 60.0
_NOTICE_SEVERITY = {"info": "information", "warning": "warning", "error": "error"}


@dataclass(frozen=True)
class Notice:
    """A toast for the engineer: what happened, in one line."""

    message: str
    title: str = ""
    severity: str = "information"


class Feed:
    def __init__(self, source: WarRoomSource, clock: Clock) -> None:
        self.source = source
        self.clock = clock
        self._progress: DrillProgress | None = None
        self._sla_read_at: datetime | None = None

    # -- events ------------------------------------------------------------

    def messages_for(self, events: Iterable[Event]) -> list[LiveMessage]:
        """Return one message per kind of news in ``events``, in a fixed order."""
        poll = incidents = drill = healthcare = jobs = validation = False
        catalog: str | None = None
        changed: set[int] = set()
        jobs_changed: set[str] = set()
        for event in events:
            if isinstance(event, PollCompleted | PollFailed):
                poll = incidents = True
            elif isinstance(event, IncidentChanged):
                # An incident opening or resolving can block or free a
                # scenario (kill switch, conflicting kind), so the chaos panel
                # reads the scenarios again too.
                incidents = drill = True
                changed.add(event.incident.id)
            elif isinstance(event, JobRun):
                jobs = True
                jobs_changed.add(event.run.job)
            elif isinstance(event, DrillProgress):
                drill = True
                self._progress = None if event.figures.get("final") else event
            elif isinstance(event, HealthcareRefreshed):
                healthcare = True
            elif isinstance(event, ChecksCompleted):
                # A data check that cannot run blocks the drills it would find.
                validation = drill = True
            elif isinstance(event, CatalogChanged):
                catalog = event.change
        messages: list[LiveMessage] = []
        if poll:
            messages.append(self.poll())
        if incidents:
            messages.append(self.incidents(frozenset(changed)))
        if drill:
            messages.append(self.drill())
        if jobs:
            messages.append(self.jobs(frozenset(jobs_changed)))
        if changed or (poll and self._sla_due()):
            messages.append(self.sla())
        if healthcare:
            messages.append(self.healthcare())
        if validation:
            messages.append(self.validation())
        if catalog is not None:
            messages.append(CatalogUpdated(catalog))
        return messages

    def _sla_due(self) -> bool:
        if self._sla_read_at is None:
            return True
        age = (self.clock() - self._sla_read_at).total_seconds()
        return age >= _SLA_REFRESH_SECONDS

    def notice_for(self, event: Event) -> Notice | None:
        if isinstance(event, EngineNotice):
            severity = _NOTICE_SEVERITY.get(event.level, "information")
            return Notice(event.message, "engine", severity)
        if isinstance(event, DrillProgress) and event.figures.get("final"):
            return _drill_outcome(event)
        if isinstance(event, IncidentChanged) and event.change == "opened":
            incident = event.incident
            return Notice(
                incident.title,
                f"incident {incident.id} opened ({incident.severity})",
                "warning",
            )
        return None

    # -- views -------------------------------------------------------------

    def everything(self) -> list[LiveMessage]:
        """Return the current state of every panel, for startup."""
        return [
            self.poll(),
            self.incidents(frozenset()),
            self.drill(),
            self.sla(),
            self.healthcare(),
            self.jobs(),
            self.validation(),
        ]

    def poll(self) -> PollUpdated:
        last = self.source.last_poll
        snapshot = last.snapshot if last else None
        history = {name: self.source.history.series(name) for name in METRICS}
        limits = self.source.config.warroom.thresholds
        view = PollView(
            now=self.clock(),
            target=self.source.target_name,
            taken_at=snapshot.taken_at if snapshot else None,
            duration_ms=snapshot.duration_ms if snapshot else 0.0,
            error=self.source.last_error,
            cards=cards_of(snapshot, history, limits),
            link_error=self.source.link_error,
            sessions=snapshot.sessions if snapshot else (),
            own_session_ids=snapshot.own_session_ids if snapshot else frozenset(),
            graph=last.graph if last else None,
        )
        return PollUpdated(view)

    def incidents(self, changed: frozenset[int]) -> IncidentUpdated:
        view = IncidentsView(
            now=self.clock(),
            open=tuple(self.source.open_incidents()),
            postmortems=tuple(self.source.recent_postmortems(_POSTMORTEMS_SHOWN)),
            changed_ids=changed,
        )
        return IncidentUpdated(view)

    def healthcare(self) -> HealthcareUpdated:
        return HealthcareUpdated(self.source.healthcare_reading())

    def jobs(self, changed: frozenset[str] = frozenset()) -> JobsUpdated:
        return JobsUpdated(self.clock(), tuple(self.source.list_jobs()), changed)

    def validation(self) -> ValidationUpdated:
        checks = self.source.checks
        settings = self.source.config.validation
        view = ValidationView(
            now=self.clock(),
            rules=len(settings.rules),
            interval_seconds=settings.interval_seconds,
            scorecard=checks.scorecard,
            error=checks.error,
            running=checks.running,
        )
        return ValidationUpdated(view)

    def sla(self) -> SlaUpdated:
        self._sla_read_at = self.clock()
        return SlaUpdated(self.source.sla(_SLA_HOURS))

    def drill(self) -> DrillUpdated:
        current = self.source.current_drill
        history = self.source.drill_history(limit=1)
        progress = self._progress
        if current is None or (progress and progress.drill_id != current.id):
            progress = None
        view = DrillView(
            now=self.clock(),
            scenarios=tuple(self.source.scenarios()),
            current=current,
            last=history[0] if history else None,
            phase=progress.phase if progress else None,
            message=progress.message if progress else None,
        )
        return DrillUpdated(view)


def _drill_outcome(event: DrillProgress) -> Notice:
    title = f"drill {event.drill_id} {event.scenario}: {event.message}"
    if event.phase == "restored":
        # A later try put back the rows an earlier rollback left out.
        return Notice("its rows are back, so it no longer blocks drills", title)
    if event.figures.get("rolled_back") is False:
        return Notice(
            f"NOT rolled back: {event.figures.get('error') or 'reason not given'}",
            title,
            "error",
        )
    if event.message == "passed":
        return Notice("rolled back; see the chaos panel for its timings", title)
    return Notice(
        "rolled back; the drill history in the chaos panel has the reason",
        title,
        "warning",
    )
