"""Sessions and the blocking graph from recorded DMV rows."""

from __future__ import annotations

from engine.monitor.graph import build_graph
from engine.targets.mssql.sessions import sessions_from_rows
from tests.unit.mssql.recorded import (
    LOGIN_TIME,
    lock_task,
    lock_waiter,
    running,
    session_row,
    task_row,
)


def sleeping_holder(session_id: int) -> dict:
    """A session that ran an UPDATE in a transaction and stopped: it is in
    sys.dm_exec_sessions with an open transaction and has no request."""
    return session_row(
        session_id,
        open_transaction_count=1,
        transaction_elapsed_ms=184_250,
        idle_ms=183_900,
        sql_text="BEGIN TRAN; UPDATE healthcare.pharmacy_claims SET claim_status "
        "= 'R' WHERE claim_id = 88121",
    )


def test_sleeping_head_blocker_found():
    rows = [sleeping_holder(61), lock_waiter(64, 61, 42_500)]
    tasks = [lock_task(64, 61, 42_500)]

    sessions = sessions_from_rows(rows, tasks)
    graph = build_graph(sessions)
    head = next(s for s in sessions if s.session_id == 61)

    assert graph.head_blockers == (61,)
    assert graph.victims_of(61) == (64,)
    assert head.state == "idle in transaction"
    assert head.is_idle_in_transaction
    assert head.command is None
    assert head.open_transactions == 1
    assert head.transaction_seconds == 184.25
    assert head.state_seconds == 183.9
    assert head.login_time == LOGIN_TIME
    assert not head.is_system


def test_waiter_fields():
    sessions = sessions_from_rows(
        [sleeping_holder(61), lock_waiter(64, 61, 42_500)],
        [lock_task(64, 61, 42_500)],
    )
    waiter = next(s for s in sessions if s.session_id == 64)

    assert waiter.state == "active"
    assert waiter.command == "UPDATE"
    assert waiter.wait_type == "LCK_M_X"
    assert waiter.wait_seconds == 42.5
    assert waiter.blocked_by == (61,)
    assert waiter.backend_type == "user session"


def test_chain_three_deep():
    # 71 sleeps holding a lock; 72 waits on 71 while holding a lock 73 needs;
    # 74 waits on 73.
    rows = [
        sleeping_holder(71),
        lock_waiter(72, 71, 30_000),
        lock_waiter(73, 72, 20_000),
        lock_waiter(74, 73, 10_000),
    ]
    tasks = [
        lock_task(72, 71, 30_000),
        lock_task(73, 72, 20_000),
        lock_task(74, 73, 10_000),
    ]

    graph = build_graph(sessions_from_rows(rows, tasks))

    assert graph.head_blockers == (71,)
    assert graph.victims_of(71) == (72, 73, 74)
    assert graph.waits_on[74] == (73,)
    assert graph.waits_on[73] == (72,)
    assert [line.depth for line in graph.tree()] == [0, 1, 2, 3]
    assert graph.cycles == ()


def parallel_query_rows() -> tuple[list[dict], list[dict]]:
    """Session 80 runs a parallel SELECT at DOP 4. Its coordinator (context 0)
    and two workers wait on exchanges of their own query; worker 3 waits for
    a shared lock that session 90, sleeping in a transaction, holds."""
    sessions = [
        running(
            80,
            command="SELECT",
            request_status="suspended",
            wait_type="CXCONSUMER",
            wait_time=8_400,
            blocking_session_id=0,
            request_total_elapsed_time=8_520,
            sql_text="SELECT prescriber_id, SUM(paid_amount) FROM "
            "healthcare.pharmacy_claims GROUP BY prescriber_id",
        ),
        sleeping_holder(90),
    ]
    exchange = "exchangeEvent id=Pipe1e8a4a2c0 WaitType=e_waitPipeGetRow nodeId=3"
    tasks = [
        task_row(
            80,
            "CXCONSUMER",
            8_400,
            80,
            exec_context_id=0,
            blocking_exec_context_id=1,
            resource=exchange,
        ),
        task_row(
            80,
            "CXPACKET",
            8_390,
            80,
            exec_context_id=1,
            blocking_exec_context_id=3,
            resource=exchange,
        ),
        task_row(
            80,
            "CXSYNC_PORT",
            8_100,
            80,
            exec_context_id=2,
            blocking_exec_context_id=3,
            resource=exchange,
        ),
        task_row(80, "LCK_M_S", 8_350, 90, exec_context_id=3),
    ]
    return sessions, tasks


def test_parallel_query_waiting_on_itself_only():
    sessions, tasks = parallel_query_rows()
    own_waits = [task for task in tasks if task["blocking_session_id"] == 80]

    graph = build_graph(sessions_from_rows(sessions, own_waits))

    assert graph.is_empty()
    assert graph.self_edges == ()
    assert graph.head_blockers == ()


def test_parallel_worker_blocked_by_other_session():
    sessions, tasks = parallel_query_rows()

    result = sessions_from_rows(sessions, tasks)
    graph = build_graph(result)
    query = next(s for s in result if s.session_id == 80)

    assert query.blocked_by == (90,)
    assert query.wait_type == "LCK_M_S"
    assert query.wait_seconds == 8.35
    assert graph.head_blockers == (90,)
    assert graph.waits_on == {80: (90,)}
    assert graph.self_edges == ()


def test_negative_blocker_is_virtual_node():
    # A page-latch wait whose owner is an I/O any task may finish (-5), and
    # a lock held by an orphaned distributed transaction (-2).
    sessions = [
        running(
            66,
            request_status="suspended",
            wait_type="PAGEIOLATCH_SH",
            wait_time=950,
            blocking_session_id=-5,
        ),
        lock_waiter(67, -2, 61_000),
    ]
    tasks = [
        task_row(66, "PAGEIOLATCH_SH", 950, -5, resource="5:1:88431"),
        lock_task(67, -2, 61_000),
    ]

    graph = build_graph(sessions_from_rows(sessions, tasks))

    assert graph.head_blockers == (-5, -2)
    assert graph.nodes[-2].is_virtual
    assert graph.nodes[-2].label == "-2 (orphaned distributed transaction)"
    assert graph.nodes[-5].is_virtual
    assert "latch" in graph.nodes[-5].label
    assert graph.victims_of(-2) == (67,)


def test_system_session_flagged():
    row = running(
        9,
        is_user_process=False,
        login_name="sa",
        program_name=None,
        request_status="background",
        command="LAZY WRITER",
        sql_text=None,
    )

    (session,) = sessions_from_rows([row], [])

    assert session.is_system
    assert session.state == "background"
    assert session.backend_type == "system session"
    assert session.program is None


def test_idle_session_without_transaction():
    (session,) = sessions_from_rows([session_row(58)], [])

    assert session.state == "idle"
    assert session.state_seconds == 95.31
    assert session.elapsed_seconds is None
    assert session.blocked_by == ()


def test_mars_requests_merge_into_one_session():
    first = lock_waiter(75, 61, 5_000)
    second = running(75, request_id=1, request_total_elapsed_time=9_000)

    sessions = sessions_from_rows([first, second, sleeping_holder(61)], [])
    merged = [s for s in sessions if s.session_id == 75]

    assert len(merged) == 1
    assert merged[0].blocked_by == (61,)
    assert merged[0].elapsed_seconds == 9.0


def test_tempdb_space_per_session():
    space = [
        {
            "session_id": 64,
            "user_objects_alloc_page_count": 1_408,
            "user_objects_dealloc_page_count": 128,
            "internal_objects_alloc_page_count": 12_800,
            "internal_objects_dealloc_page_count": 0,
        }
    ]

    sessions = sessions_from_rows([session_row(64), session_row(65)], [], space)

    assert sessions[0].temp_space_mb == (1_280 + 12_800) * 8 / 1024
    assert sessions[1].temp_space_mb is None
