"""Typed messages that carry engine news to the widgets.

The App's feed worker builds one view per engine event and broadcasts it:
every widget on the screen stack with a handler for the message gets its own
copy. The messages do not bubble, so a handled copy never reaches a parent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

from textual.message import Message

from engine.healthcare.monitor import HealthcareReading
from engine.incidents.sla import SlaReport
from engine.jobs.models import JobState
from warroom.tui.views import DrillView, IncidentsView, PollView, ValidationView


class LiveMessage(Message, bubble=False):
    """A broadcast message; ``clone`` makes the copy for the next recipient."""

    def clone(self) -> Self:
        raise NotImplementedError


class PollUpdated(LiveMessage):
    """A poll finished or failed; the cards, sessions and graph changed."""

    def __init__(self, view: PollView) -> None:
        super().__init__()
        self.view = view

    def clone(self) -> Self:
        return type(self)(self.view)


class IncidentUpdated(LiveMessage):
    """An incident opened, moved or gained a timeline entry."""

    def __init__(self, view: IncidentsView) -> None:
        super().__init__()
        self.view = view

    def clone(self) -> Self:
        return type(self)(self.view)


class DrillUpdated(LiveMessage):
    """A drill moved to another phase, or the scenarios changed."""

    def __init__(self, view: DrillView) -> None:
        super().__init__()
        self.view = view

    def clone(self) -> Self:
        return type(self)(self.view)


class JobsUpdated(LiveMessage):
    """A job run started or ended; the jobs and their newest runs changed.

    ``changed`` names the jobs whose runs started, ended, were missed or were
    skipped in this burst of events. It is empty at startup. ``now`` is the
    App's clock when the jobs were read, so the panel can tell which next runs
    are today.
    """

    def __init__(
        self,
        now: datetime,
        jobs: tuple[JobState, ...],
        changed: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.now = now
        self.jobs = jobs
        self.changed = changed

    def clone(self) -> Self:
        return type(self)(self.now, self.jobs, self.changed)


class SlaUpdated(LiveMessage):
    """The SLA figures were read again; None until the source has them."""

    def __init__(self, report: SlaReport | None) -> None:
        super().__init__()
        self.report = report

    def clone(self) -> Self:
        return type(self)(self.report)


class HealthcareUpdated(LiveMessage):
    """The healthcare figures were read again, or the read failed."""

    def __init__(self, reading: HealthcareReading) -> None:
        super().__init__()
        self.reading = reading

    def clone(self) -> Self:
        return type(self)(self.reading)


class ValidationUpdated(LiveMessage):
    """A data check cycle ended, so the validation scorecard may have changed."""

    def __init__(self, view: ValidationView) -> None:
        super().__init__()
        self.view = view

    def clone(self) -> Self:
        return type(self)(self.view)


class CatalogUpdated(LiveMessage):
    """A catalog scan ended or a column was classified, so the governance
    screen reads the catalog again."""

    def __init__(self, change: str) -> None:
        super().__init__()
        self.change = change

    def clone(self) -> Self:
        return type(self)(self.change)


class ClockTicked(LiveMessage):
    """Once a second, so ages and cooldowns count without engine events."""

    def __init__(self, now: datetime) -> None:
        super().__init__()
        self.now = now

    def clone(self) -> Self:
        return type(self)(self.now)
