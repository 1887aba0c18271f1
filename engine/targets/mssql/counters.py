"""Server-wide figures from DMV rows: CPU from the scheduler-monitor ring
buffer, memory, connections, and deltas of cumulative counters between polls.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.targets.models import Counters, Figure
from engine.targets.mssql.waits import wait_deltas

# sys.configurations 'user connections' = 0 means "as many as the server
# allows", which is 32,767.
MAX_USER_CONNECTIONS = 32767
FIRST_POLL = "first poll: no baseline yet"


@dataclass(frozen=True)
class CpuReading:
    """One scheduler-monitor record: whole-machine and SQL Server CPU %."""

    system_percent: float
    sql_server_percent: float


@dataclass(frozen=True)
class Totals:
    """The cumulative counters of one poll, kept for the next poll's deltas."""

    taken_at: datetime
    server_start: datetime | None
    transactions: int | None
    deadlocks: int | None
    waits: Mapping[str, int] = field(default_factory=dict)


def parse_scheduler_monitor(record: str) -> CpuReading:
    """Read SystemIdle and ProcessUtilization from one ring-buffer record.

    The record is the XML text of sys.dm_os_ring_buffers.record for
    RING_BUFFER_SCHEDULER_MONITOR. Raises ValueError when it is not that shape.
    """
    try:
        root = ElementTree.fromstring(record)
    except ElementTree.ParseError as error:
        raise ValueError(f"record is not XML: {error}") from None
    health = root.find("./SchedulerMonitorEvent/SystemHealth")
    if health is None:
        raise ValueError("record has no SchedulerMonitorEvent/SystemHealth element")
    idle = _percent(health, "SystemIdle")
    process = _percent(health, "ProcessUtilization")
    return CpuReading(system_percent=100.0 - idle, sql_server_percent=process)


def _percent(health: ElementTree.Element, name: str) -> float:
    text = health.findtext(name)
    if text is None:
        raise ValueError(f"record has no {name} element")
    value = float(text)
    if not 0 <= value <= 100:
        raise ValueError(f"{name} is {value:g}, outside 0 to 100")
    return value


def cpu_figure(record: str | None) -> Figure:
    """Return the whole machine's CPU % from the newest record, or n/a.

    The scheduler monitor writes a record once a minute, so the figure moves
    at that pace.
    """
    if record is None:
        return Figure.unavailable("the scheduler-monitor ring buffer has no record")
    try:
        reading = parse_scheduler_monitor(record)
    except ValueError as error:
        return Figure.unavailable(f"scheduler-monitor record unreadable: {error}")
    return Figure(reading.system_percent)


def memory_figure(total_kb: int | None, available_kb: int | None) -> Figure:
    """Return the share of the machine's physical memory in use."""
    if not total_kb or available_kb is None:
        return Figure.unavailable("sys.dm_os_sys_memory returned no total")
    return Figure(100.0 * (total_kb - available_kb) / total_kb)


def max_connections_figure(configured: int | None) -> Figure:
    if configured is None:
        return Figure.unavailable("'user connections' is not readable")
    return Figure(float(configured or MAX_USER_CONNECTIONS))


def ratio_figure(value: int | None, base: int | None, counter: str) -> Figure:
    if value is None or not base:
        return Figure.unavailable(f"{counter} has no base yet")
    return Figure(100.0 * value / base)


def counter_delta(previous: int | None, current: int | None, reset: bool) -> int | None:
    """Return how much a cumulative counter grew; after a reset, its value."""
    if previous is None or current is None:
        return None
    if reset or current < previous:
        return current
    return current - previous


def counters_from(
    server: Mapping[str, Any],
    previous: Totals | None,
    current: Totals,
    sessions_temp_mb: float | None,
) -> Counters:
    """Build the Counters of one poll from the server row and the totals."""
    restarted = (
        previous is not None
        and current.server_start is not None
        and previous.server_start != current.server_start
    )
    waits, _ = wait_deltas(
        previous.waits if previous else None, current.waits, restarted
    )
    return Counters(
        connections=Figure(float(server["connections"])),
        max_connections=max_connections_figure(server.get("user_connections")),
        active_requests=Figure(float(server["active_requests"])),
        cpu_percent=cpu_figure(server.get("scheduler_monitor_record")),
        memory_percent=memory_figure(
            server.get("total_physical_memory_kb"),
            server.get("available_physical_memory_kb"),
        ),
        temp_space_mb=(
            Figure(sessions_temp_mb)
            if sessions_temp_mb is not None
            else Figure.unavailable("tempdb space usage is not readable")
        ),
        transactions_per_second=_per_second(previous, current, restarted),
        deadlocks=_deadlocks(previous, current, restarted),
        cache_hit_ratio=ratio_figure(
            server.get("buffer_cache_hit_ratio"),
            server.get("buffer_cache_hit_ratio_base"),
            "Buffer cache hit ratio",
        ),
        database_size_mb=Figure(float(server["database_size_mb"])),
        waits_by_class=waits,
    )


def _per_second(previous: Totals | None, current: Totals, restarted: bool) -> Figure:
    if previous is None:
        return Figure.unavailable(FIRST_POLL)
    seconds = (current.taken_at - previous.taken_at).total_seconds()
    if seconds <= 0:
        return Figure.unavailable("polls too close together")
    grown = counter_delta(previous.transactions, current.transactions, restarted)
    if grown is None:
        return Figure.unavailable("the Transactions/sec counter is missing")
    return Figure(grown / seconds)


def _deadlocks(previous: Totals | None, current: Totals, restarted: bool) -> Figure:
    if previous is None:
        return Figure.unavailable(FIRST_POLL)
    grown = counter_delta(previous.deadlocks, current.deadlocks, restarted)
    if grown is None:
        return Figure.unavailable("the Number of Deadlocks/sec counter is missing")
    return Figure(float(grown))
