"""Plain data the widgets render, built from what the engine returns.

Everything time-based takes ``now`` from the App's clock, so a test with a
fixed clock renders the same screen every time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.chaos.drills import ScenarioState
from engine.incidents.models import Incident
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
class PostmortemRow:
    incident_id: int
    title: str
    kind: str
    written_at: datetime | None
    seconds_to_detect: float | None
    seconds_to_resolve: float | None


@dataclass(frozen=True)
class IncidentsView:
    now: datetime
    open: tuple[Incident, ...]
    postmortems: tuple[PostmortemRow, ...]
    changed_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DrillView:
    now: datetime
    scenarios: tuple[ScenarioState, ...]
    current: DrillRecord | None
    last: DrillRecord | None
    phase: str | None = None
    message: str | None = None


# -- postmortems ------------------------------------------------------------


def postmortem_rows(rows: Sequence[dict[str, Any]]) -> tuple[PostmortemRow, ...]:
    """Turn the engine's postmortem summaries into typed rows."""
    return tuple(_postmortem_row(row) for row in rows)


def _postmortem_row(row: dict[str, Any]) -> PostmortemRow:
    started = _moment(row.get("started_at"))
    detected = _moment(row.get("detected_at"))
    resolved = _moment(row.get("resolved_at"))
    return PostmortemRow(
        incident_id=int(row["incident_id"]),
        title=str(row.get("title") or ""),
        kind=str(row.get("kind") or ""),
        written_at=_moment(row.get("written_at")),
        seconds_to_detect=_seconds(started, detected),
        seconds_to_resolve=_seconds(detected, resolved),
    )


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


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
