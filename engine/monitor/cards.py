"""The war room's headline metric cards: figure, threshold state, history.

Both faces (the TUI and the REST API's dashboard) render these, so a card
reads the same in a terminal and in a browser.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.config.models import ThresholdsConfig
from engine.monitor.thresholds import connection_limit
from engine.targets.models import Figure, HealthSnapshot

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
    ceiling: float = 0.0
    """The value a full-height sparkline bar stands for. Bars start at 0, and
    a series that goes higher is drawn to its own maximum."""
    brief: str = ""
    """The detail in a few characters, for a card too narrow for ``detail``."""


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
            brief=f"≥{limits.long_query_seconds:g}s",
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
    return _count_card(
        key,
        label,
        figure,
        warn_at=limit * _WARN_SHARE,
        critical_at=limit,
        series=_series(history, f"{key}_percent"),
        detail=f"limit {limit:g}",
        brief=f"/{limit:g}",
        ceiling=100.0,
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
    limit = connection_limit(limits, maximum)
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
        ceiling=limit,
        brief=f"/{limit:.0f}",
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
    brief: str = "",
    ceiling: float | None = None,
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
        critical_at if ceiling is None else ceiling,
        brief or f"≥{critical_at:g}",
    )
