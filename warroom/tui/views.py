"""Plain data the widgets render, built from what the engine returns.

Everything time-based takes ``now`` from the App's clock, so a test with a
fixed clock renders the same screen every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.chaos.drills import ScenarioState
from engine.incidents.models import Incident, PostmortemSummary
from engine.monitor.cards import (  # noqa: F401  (re-exported for widgets)
    CRITICAL,
    OK,
    UNKNOWN,
    WARN,
    CardView,
    cards_of,
)
from engine.monitor.graph import BlockingGraph
from engine.store.drills import DrillRecord
from engine.targets.models import Session
from engine.validation.models import Scorecard


@dataclass(frozen=True)
class PollView:
    """The latest poll, or why there is none."""

    now: datetime
    target: str
    taken_at: datetime | None
    duration_ms: float
    error: str | None
    cards: tuple[CardView, ...]
    sessions: tuple[Session, ...] = ()
    own_session_ids: frozenset[int] = frozenset()
    graph: BlockingGraph | None = None


@dataclass(frozen=True)
class IncidentsView:
    now: datetime
    open: tuple[Incident, ...]
    postmortems: tuple[PostmortemSummary, ...]
    changed_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DrillView:
    now: datetime
    scenarios: tuple[ScenarioState, ...]
    current: DrillRecord | None
    last: DrillRecord | None
    phase: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class ValidationView:
    """The last scorecard of the validation rules, or why there is none."""

    now: datetime
    rules: int
    """Rules in config/validation_rules.yaml; 0 means validation is off."""
    interval_seconds: float
    scorecard: Scorecard | None
    error: str | None
    """The reason the last data check cycle was incomplete, or None."""
    running: bool = False


# -- formatting shared by several panels -------------------------------------


def age(now: datetime, moment: datetime | None) -> str:
    """Return a short age such as ``42s``, ``3m05s`` or ``2h10m``."""
    if moment is None:
        return "-"
    return _whole(max(0, int((now - moment).total_seconds())))


def duration(seconds: float | None) -> str:
    """Return a measured duration; one decimal below ten seconds."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.1f}s"
    return _whole(int(seconds))


def _whole(whole: int) -> str:
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def clock_time(moment: datetime | None) -> str:
    return f"{moment:%H:%M:%S}" if moment is not None else "-"
