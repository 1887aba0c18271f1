"""Server figures and cumulative-counter deltas from recorded DMV rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from engine.targets.mssql.counters import (
    Totals,
    counter_delta,
    counters_from,
    cpu_figure,
    max_connections_figure,
    memory_figure,
    parse_scheduler_monitor,
)
from engine.targets.mssql.target import build_snapshot
from engine.targets.mssql.waits import wait_class, wait_deltas
from tests.unit.mssql.recorded import SCHEDULER_MONITOR_RECORD, server_row

START = datetime(2025, 3, 10, 6, 0, 11)
T0 = datetime(2025, 3, 14, 9, 3, 15, tzinfo=UTC)


def test_scheduler_monitor_record_parsed():
    reading = parse_scheduler_monitor(SCHEDULER_MONITOR_RECORD)

    assert reading.system_percent == 19.0
    assert reading.sql_server_percent == 12.0
    assert cpu_figure(SCHEDULER_MONITOR_RECORD).value == 19.0


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (None, "the scheduler-monitor ring buffer has no record"),
        ("<Record", "scheduler-monitor record unreadable: record is not XML"),
        (
            "<Record><SchedulerMonitorEvent/></Record>",
            "scheduler-monitor record unreadable: record has no "
            "SchedulerMonitorEvent/SystemHealth element",
        ),
        (
            SCHEDULER_MONITOR_RECORD.replace("<SystemIdle>81", "<SystemIdle>181"),
            "scheduler-monitor record unreadable: SystemIdle is 181, outside 0 to 100",
        ),
    ],
)
def test_cpu_unavailable_with_reason(record, reason):
    figure = cpu_figure(record)

    assert figure.value is None
    assert figure.reason.startswith(reason)


def test_memory_and_max_connections():
    assert memory_figure(8_000_000, 2_000_000).value == 75.0
    assert memory_figure(None, None).value is None
    assert max_connections_figure(0).value == 32767
    assert max_connections_figure(500).value == 500


def test_wait_classes():
    assert wait_class("LCK_M_X") == "Lock"
    assert wait_class("PAGEIOLATCH_SH") == "Buffer IO"
    assert wait_class("PAGELATCH_EX") == "Buffer Latch"
    assert wait_class("CXPACKET") == "Parallelism"
    assert wait_class("WRITELOG") == "Tran Log IO"
    assert wait_class("SOS_SCHEDULER_YIELD") == "CPU"
    assert wait_class("LAZYWRITER_SLEEP") is None
    assert wait_class("WAITFOR") is None
    assert wait_class("SOME_NEW_WAIT") == "Other"


def test_wait_deltas_between_polls():
    previous = {"LCK_M_X": 10_000, "WRITELOG": 500, "LAZYWRITER_SLEEP": 9_000}
    current = {"LCK_M_X": 14_500, "WRITELOG": 620, "LAZYWRITER_SLEEP": 9_900}

    waits, reset = wait_deltas(previous, current)

    assert waits == {"Lock": 4_500, "Tran Log IO": 120}
    assert reset is False


def test_wait_deltas_across_counter_reset():
    # DBCC SQLPERF('sys.dm_os_wait_stats', CLEAR) between the polls: every
    # counter restarted from zero, so LCK_M_X went down.
    previous = {"LCK_M_X": 10_000, "WRITELOG": 500, "PAGEIOLATCH_SH": 7_000}
    current = {"LCK_M_X": 300, "WRITELOG": 40, "PAGEIOLATCH_SH": 7_200}

    waits, reset = wait_deltas(previous, current)

    assert reset is True
    assert waits == {"Lock": 300, "Tran Log IO": 40, "Buffer IO": 7_200}
    assert all(value >= 0 for value in waits.values())


def test_wait_deltas_after_restart_flag():
    waits, reset = wait_deltas({"LCK_M_X": 100}, {"LCK_M_X": 150}, restarted=True)

    assert reset is True
    assert waits == {"Lock": 150}


def test_first_poll_has_no_wait_deltas():
    assert wait_deltas(None, {"LCK_M_X": 100}) == ({}, False)


def test_counter_delta_reset():
    assert counter_delta(7, 9, reset=False) == 2
    assert counter_delta(7, 2, reset=False) == 2
    assert counter_delta(7, 9, reset=True) == 9
    assert counter_delta(None, 9, reset=False) is None


def totals(at: datetime, **values) -> Totals:
    base = {
        "server_start": START,
        "transactions": 1_000,
        "deadlocks": 5,
        "waits": {"LCK_M_X": 1_000},
    }
    base.update(values)
    return Totals(taken_at=at, **base)


def test_first_poll_counters_have_no_baseline():
    counters = counters_from(server_row(), None, totals(T0), 0.0)

    assert counters.transactions_per_second.reason == "first poll: no baseline yet"
    assert counters.deadlocks.reason == "first poll: no baseline yet"
    assert counters.waits_by_class == {}
    assert counters.cpu_percent.value == 19.0
    assert counters.memory_percent.value == pytest.approx(75.0, abs=0.01)
    assert counters.max_connections.value == 32767
    assert counters.connections.value == 14
    assert counters.cache_hit_ratio.value == pytest.approx(98.71)
    assert counters.database_size_mb.value == 840.0
    assert counters.temp_space_mb.value == 0.0


def test_deltas_between_polls():
    first = totals(T0)
    second = totals(
        T0 + timedelta(seconds=2),
        transactions=1_300,
        deadlocks=6,
        waits={"LCK_M_X": 3_500},
    )

    counters = counters_from(server_row(), first, second, 0.0)

    assert counters.transactions_per_second.value == 150.0
    assert counters.deadlocks.value == 1
    assert counters.waits_by_class == {"Lock": 2_500}


def test_deltas_after_server_restart():
    # The server restarted between polls: a new start time, and the
    # counters began again from zero.
    first = totals(T0, transactions=900_000, deadlocks=40)
    second = totals(
        T0 + timedelta(seconds=4),
        server_start=START + timedelta(days=4),
        transactions=2_000,
        deadlocks=1,
        waits={"LCK_M_X": 200},
    )

    counters = counters_from(server_row(), first, second, 0.0)

    assert counters.transactions_per_second.value == 500.0
    assert counters.deadlocks.value == 1
    assert counters.waits_by_class == {"Lock": 200}


def test_build_snapshot_keeps_totals_between_polls():
    kept: list[Totals | None] = [None]

    def remember(current: Totals) -> Totals | None:
        previous, kept[0] = kept[0], current
        return previous

    first = build_snapshot(
        "sql1",
        server_row(),
        [],
        [],
        [],
        {"LCK_M_X": 100},
        previous=remember,
        own=frozenset({57}),
    )
    later = server_row(taken_at=datetime(2025, 3, 14, 9, 3, 16, 500000), deadlocks=9)
    second = build_snapshot(
        "sql1",
        later,
        [],
        [],
        [],
        {"LCK_M_X": 400},
        previous=remember,
        own=frozenset({57}),
    )

    assert first.taken_at.tzinfo is UTC
    assert first.database == "warroom"
    assert first.own_session_ids == {57}
    assert second.counters.deadlocks.value == 2
    assert second.counters.waits_by_class == {"Lock": 300}


def test_missing_counter_is_unavailable():
    first = totals(T0)
    second = replace(totals(T0 + timedelta(seconds=1)), deadlocks=None)

    counters = counters_from(server_row(), first, second, None)

    assert counters.deadlocks.value is None
    assert "Number of Deadlocks/sec" in counters.deadlocks.reason
    assert counters.temp_space_mb.value is None
