"""Plain data the widgets render, built from what the engine returns.

Everything time-based takes ``now`` from the App's clock, so a test with a
fixed clock renders the same screen every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

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
    link_error: str | None = None
    """The reason the engine cannot be reached, or None; while set, the rest
    is as old as the link."""
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


_COUNT_UNITS = (("k", 1_000), ("M", 1_000_000), ("B", 1_000_000_000))


def count_text(rows: int) -> str:
    """Return a row count in at most 4 characters below 999 billion.

    Counts under 1000 are exact. Every larger count has a unit, with one
    decimal below 10 of it: 856, 1.2k, 4.9k, 45k, 2.4M.
    """
    if rows < 1000:
        return f"{rows}"
    for suffix, unit in _COUNT_UNITS:
        scaled = rows / unit
        if round(scaled, 1) < 10:
            return f"{scaled:.1f}{suffix}"
        if round(scaled) < 1000:
            return f"{scaled:.0f}{suffix}"
    return f"{rows / 1_000_000_000:.0f}B"


def clock_time(moment: datetime | None) -> str:
    return f"{moment:%H:%M:%S}" if moment is not None else "-"


def next_run_text(moment: datetime, now: datetime, *, short: bool = False) -> str:
    """Return when a scheduled run is due, in UTC and as short as is clear.

    A run today shows its time (``07:30``). A run in the next six days adds
    the weekday (``Mon 07:30``), and any other day the date (``12-07 07:30``).
    With ``short``, a run on another day shows only the weekday or the date,
    so the text is at most 5 characters.
    """
    moment = moment.astimezone(UTC)
    days = (moment.date() - now.astimezone(UTC).date()).days
    if days == 0:
        return f"{moment:%H:%M}"
    day = f"{moment:%a}" if 0 < days < 7 else f"{moment:%m-%d}"
    return day if short else f"{day} {moment:%H:%M}"
