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
from engine.config.models import ThresholdsConfig
from engine.incidents.models import Incident
from engine.monitor.graph import BlockingGraph
from engine.store.drills import DrillRecord
from engine.targets.models import Figure, HealthSnapshot, Session

OK, WARN, CRITICAL, UNKNOWN = "ok", "warn", "critical", "n/a"

# Share of a limit at which a card turns from ok to warn.
_WARN_SHARE = 0.8


@dataclass(frozen=True)
class CardView:
    """One metric card: the figure, its threshold state and recent history."""

    key: str
    label: str
    value: str
    state: str
    detail: str
    series: tuple[float, ...] = ()


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


# -- metric cards -----------------------------------------------------------


def cards_of(
    snapshot: HealthSnapshot | None,
    history: dict[str, list[float | None]],
    limits: ThresholdsConfig,
) -> tuple[CardView, ...]:
    """Return the five headline cards of the war room."""
    counters = snapshot.counters if snapshot else None
    no_poll = Figure.unavailable("no poll yet")
    cpu = counters.cpu_percent if counters else no_poll
    memory = counters.memory_percent if counters else no_poll
    connections = counters.connections if counters else no_poll
    maximum = counters.max_connections.value if counters else None
    return (
        _percent_card("cpu", "CPU %", cpu, limits.cpu_percent, history),
        _percent_card("memory", "memory %", memory, limits.memory_percent, history),
        _connections_card(connections, maximum, limits, history),
        _count_card(
            "blocking",
            "blocked",
            _latest(history, "blocked_sessions", snapshot),
            warn_at=1,
            critical_at=5,
            series=_series(history, "blocked_sessions"),
        ),
        _count_card(
            "long_queries",
            "long queries",
            _latest(history, "long_queries", snapshot),
            warn_at=1,
            critical_at=5,
            series=_series(history, "long_queries"),
            detail=f">= {limits.long_query_seconds:g} s",
        ),
    )


def _series(history: dict[str, list[float | None]], name: str) -> tuple[float, ...]:
    # A missing reading is left out rather than drawn as zero.
    return tuple(float(value) for value in history.get(name, ()) if value is not None)


def _latest(
    history: dict[str, list[float | None]], name: str, snapshot: HealthSnapshot | None
) -> Figure:
    values = history.get(name) or []
    if snapshot is None or not values or values[-1] is None:
        return Figure.unavailable("no poll yet")
    return Figure(float(values[-1]))


def _state(value: float, warn: float, critical: float) -> str:
    if value >= critical:
        return CRITICAL
    if value >= warn:
        return WARN
    return OK


def _percent_card(
    key: str,
    label: str,
    figure: Figure,
    limit: float,
    history: dict[str, list[float | None]],
) -> CardView:
    name = f"{key}_percent"
    if figure.value is None:
        return CardView(key, label, "n/a", UNKNOWN, figure.reason or "not reported")
    value = float(figure.value)
    return CardView(
        key,
        label,
        f"{value:.0f}",
        _state(value, limit * _WARN_SHARE, limit),
        f"limit {limit:g}",
        _series(history, name),
    )


def _connections_card(
    figure: Figure,
    maximum: float | None,
    limits: ThresholdsConfig,
    history: dict[str, list[float | None]],
) -> CardView:
    if figure.value is None:
        return CardView(
            "connections",
            "connections",
            "n/a",
            UNKNOWN,
            figure.reason or "not reported",
        )
    value = float(figure.value)
    # The same limit the engine alarms at: a count, or a share of the maximum.
    limit = float(limits.connections_warn)
    if maximum:
        limit = min(limit, float(maximum) * limits.connections_warn_percent / 100)
    critical = 0.95 * float(maximum) if maximum else limit * 1.5
    state = CRITICAL if value >= critical else _state(value, limit, critical)
    of_max = f" of {float(maximum):.0f}" if maximum else ""
    return CardView(
        "connections",
        "connections",
        f"{value:.0f}",
        state,
        f"limit {limit:.0f}{of_max}",
        _series(history, "connections"),
    )


def _count_card(
    key: str,
    label: str,
    figure: Figure,
    *,
    warn_at: float,
    critical_at: float,
    series: tuple[float, ...],
    detail: str = "",
) -> CardView:
    if figure.value is None:
        return CardView(key, label, "n/a", UNKNOWN, figure.reason or "not reported")
    value = float(figure.value)
    return CardView(
        key,
        label,
        f"{value:.0f}",
        _state(value, warn_at, critical_at),
        detail or f"crit at {critical_at:g}",
        series,
    )


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
