"""MssqlTarget on a fake pyodbc: the snapshot batch, KILL and its guards,
cancel, and the chaos sessions' parameters."""

from __future__ import annotations

from datetime import date

import pytest

from engine.monitor.graph import build_graph
from engine.remediation.actions import kill_blocking_session
from engine.targets.base import Target, TargetError
from engine.targets.mssql.target import MssqlTarget, validate_session_id
from tests.unit.mssql.fake_pyodbc import Error
from tests.unit.mssql.recorded import (
    lock_task,
    lock_waiter,
    server_row,
    session_row,
)

USER_SESSION = 64
SYSTEM_SESSION = 9


def columns_and_rows(records: list[dict]) -> tuple[tuple[str, ...], list[tuple]]:
    columns = tuple(records[0])
    return columns, [tuple(record[name] for name in columns) for record in records]


def snapshot_sets() -> list:
    holder = session_row(61, open_transaction_count=1, transaction_elapsed_ms=9_000)
    sessions = [holder, lock_waiter(USER_SESSION, 61, 4_000)]
    tasks = [lock_task(USER_SESSION, 61, 4_000)]
    space = [
        {
            "session_id": USER_SESSION,
            "user_objects_alloc_page_count": 256,
            "user_objects_dealloc_page_count": 0,
            "internal_objects_alloc_page_count": 0,
            "internal_objects_dealloc_page_count": 0,
        }
    ]
    waits = [("LCK_M_X", 3, 12_000), ("LAZYWRITER_SLEEP", 900, 90_000)]
    return [
        columns_and_rows([server_row()]),
        columns_and_rows(sessions),
        columns_and_rows(tasks),
        columns_and_rows(space),
        (("wait_type", "waiting_tasks_count", "wait_time_ms"), waits),
    ]


def respond(sql: str, values: tuple) -> list:
    if "FROM sys.dm_os_sys_info" in sql:
        return snapshot_sets()
    if sql == "SELECT DB_NAME()":
        return [(("name",), [("warroom",)])]
    if "FROM sys.dm_exec_sessions AS s\nWHERE s.session_id = ?" in sql:
        (session_id,) = values
        if session_id == USER_SESSION:
            return [(("session_id", "is_user_process", "db"), [(64, True, "warroom")])]
        if session_id == SYSTEM_SESSION:
            return [(("session_id", "is_user_process", "db"), [(9, False, None)])]
        return [(("session_id", "is_user_process", "db"), [])]
    if sql == "KILL 404":
        raise Error(
            "42000",
            "[42000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Process "
            "ID 404 is not an active process ID. (6106) (SQLExecDirectW)",
        )
    return []


@pytest.fixture
async def target(install_pyodbc, settings):
    fake = install_pyodbc(respond=respond)
    instance = MssqlTarget(settings, name="sql1")
    await instance.connect()
    instance.fake = fake
    yield instance
    await instance.close()


def sent(target: MssqlTarget) -> list[str]:
    return [
        sql
        for connection in target.fake.connections
        for sql, _ in connection.statements
    ]


def test_target_satisfies_protocol(settings):
    assert isinstance(MssqlTarget(settings), Target)
    assert MssqlTarget(settings).dialect.quote_identifier("a]b") == "[a]]b]"


async def test_snapshot_is_one_batch(target):
    monitor = target.fake.connections[0]
    before = len(monitor.statements)

    snapshot = await target.snapshot()

    batches = [sql for sql, _ in monitor.statements[before:]]
    assert len(batches) == 1
    assert batches[0].startswith("SET NOCOUNT ON;")
    for name in (
        "sys.dm_exec_requests",
        "sys.dm_os_waiting_tasks",
        "sys.dm_os_wait_stats",
    ):
        assert name in batches[0]
    assert snapshot.database == "warroom"
    assert snapshot.target == "sql1"
    assert {51, 52, 57} <= snapshot.own_session_ids
    assert snapshot.counters.cpu_percent.value == 19.0
    assert snapshot.counters.temp_space_mb.value == 2.0
    assert snapshot.session(USER_SESSION).temp_space_mb == 2.0
    assert build_graph(snapshot.sessions).head_blockers == (61,)


async def test_second_snapshot_has_wait_deltas(target):
    await target.snapshot()
    second = await target.snapshot()

    # Same totals twice: nothing waited in between.
    assert second.counters.waits_by_class == {}
    assert second.counters.deadlocks.value == 0


@pytest.mark.parametrize("session_id", [0, -2, -5, True, "64", 64.0, None])
async def test_kill_rejects_non_sessions(target, session_id):
    before = len(sent(target))

    with pytest.raises(TargetError):
        await target.kill_session(session_id)

    assert sent(target)[before:] == []


def test_validate_session_id_messages():
    with pytest.raises(TargetError, match="-2 is not a session"):
        validate_session_id(-2)
    with pytest.raises(TargetError, match="is not an integer"):
        validate_session_id("64; SHUTDOWN")


async def test_kill_rejects_system_session(target):
    with pytest.raises(TargetError, match="is a system session"):
        await target.kill_session(SYSTEM_SESSION)

    assert "KILL 9" not in sent(target)


async def test_kill_rejects_own_session(target):
    own = await target.own_session_ids()

    with pytest.raises(TargetError, match="engine's own sessions"):
        await target.kill_session(min(own))


async def test_kill_user_session(target):
    killed = await target.kill_session(USER_SESSION)

    assert killed is True
    assert sent(target)[-1] == "KILL 64"


async def test_kill_ended_session_returns_false(target):
    assert await target.kill_session(777) is False
    assert "KILL 777" not in sent(target)


async def test_kill_race_with_session_end(target, monkeypatch):
    # The session is there when checked and gone when KILL arrives (6106).
    original = target._admin_fetch

    async def present(sql, params):
        if params == {"session_id": 404}:
            return [(404, True, "warroom")]
        return await original(sql, params)

    monkeypatch.setattr(target, "_admin_fetch", present)

    assert await target.kill_session(404) is False


async def test_cancel_request_explains(target):
    with pytest.raises(TargetError) as raised:
        await target.cancel_request(USER_SESSION)

    assert "cannot cancel" in str(raised.value)
    assert "KILL" in str(raised.value)


async def test_kill_action_rejects_virtual_blocker(target):
    result = await kill_blocking_session(target, -2)

    assert not result.succeeded
    assert "orphaned distributed transaction" in result.message
    assert not any(sql.startswith("KILL") for sql in sent(target))


async def test_chaos_session_binds_named_parameters(target):
    chaos = await target.open_chaos_session("warroom-chaos-deadlock")
    statement = (
        "UPDATE healthcare.pharmacy_claims SET updated_at = SYSDATETIME() "
        "WHERE claim_id = %(claim_id)s AND service_date = %(service_date)s"
    )

    await chaos.execute(
        statement, {"claim_id": 88121, "service_date": date(2025, 3, 1)}
    )
    await chaos.close()

    connection = target.fake.connections[-1]
    sql, values = connection.statements[-1]
    assert sql.endswith("WHERE claim_id = ? AND service_date = ?")
    assert values == (88121, date(2025, 3, 1))
    assert connection.timeout == 0
    assert "APP={warroom-chaos-deadlock}" in target.fake.connect_calls[-1][0]


def timeout_on_sleep(sql: str, values: tuple) -> list:
    if sql.startswith("WAITFOR"):
        raise Error(
            "HYT00",
            "[HYT00] [Microsoft][ODBC Driver 18 for SQL Server]Query timeout "
            "expired (0) (SQLExecDirectW)",
        )
    return respond(sql, values)


async def test_own_session_timeout_and_owner(install_pyodbc, settings):
    fake = install_pyodbc(respond=timeout_on_sleep)
    target = MssqlTarget(settings, name="sql1")
    await target.connect()
    session = await target.open_own_session(
        "warroom-validation", 42.4, "validation.statement_timeout_seconds"
    )

    assert fake.connections[-1].timeout == 42
    assert session.session_id in await target.own_session_ids()
    with pytest.raises(TargetError) as raised:
        await session.fetch("WAITFOR DELAY '00:01:00'")
    assert "timed out after 42.4 s" in str(raised.value)
    assert "validation.statement_timeout_seconds" in str(raised.value)

    await session.close()
    assert session.session_id not in await target.own_session_ids()
    await target.close()


async def test_missing_parameter_is_target_error(target):
    with pytest.raises(TargetError, match="missing value"):
        await target.execute("WAITFOR DELAY %(delay)s", {})


async def test_one_off_snapshot_keeps_poll_baseline(install_pyodbc, settings):
    # The server's deadlock counter at the poll, the one-off read and the
    # next poll: one deadlock happens before the one-off read.
    deadlock_counts = iter([7, 8, 8])

    def respond_counting(sql: str, values: tuple) -> list:
        if "FROM sys.dm_os_sys_info" in sql:
            sets = snapshot_sets()
            sets[0] = columns_and_rows([server_row(deadlocks=next(deadlock_counts))])
            return sets
        return respond(sql, values)

    install_pyodbc(respond=respond_counting)
    target = MssqlTarget(settings, name="sql1")
    await target.connect()
    await target.snapshot()

    one_off = await target.snapshot(advance_counters=False)
    poll = await target.snapshot()

    await target.close()
    assert one_off.counters.deadlocks.value == 1
    assert poll.counters.deadlocks.value == 1
