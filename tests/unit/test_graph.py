"""Blocking graph built from tables of session rows."""

from __future__ import annotations

from engine.monitor.graph import TreeLine, build_graph
from engine.targets.models import Session


def row(
    session_id: int,
    blocked_by: tuple[int, ...] = (),
    state: str = "active",
    leader_id: int | None = None,
) -> Session:
    """Return a client session that waits on the sessions in ``blocked_by``."""
    return Session(
        session_id=session_id,
        login="app_user",
        host="10.0.0.5",
        program="billing",
        database="orders",
        state=state,
        command="UPDATE",
        wait_type="Lock" if blocked_by else None,
        wait_seconds=2.0 if blocked_by else None,
        elapsed_seconds=2.0,
        open_transactions=1,
        blocked_by=blocked_by,
        sql_text="update accounts set balance = balance - 1 where id = 7",
        leader_id=leader_id,
    )


def table(*rows: tuple[int, tuple[int, ...]]) -> list[Session]:
    """Return sessions from (session id, blocked by) pairs."""
    return [row(session_id, blocked_by) for session_id, blocked_by in rows]


def lines(*specs: tuple) -> list[TreeLine]:
    return [TreeLine(*spec) for spec in specs]


# --- chains and several blockers ----------------------------------------------


def test_chain_head_blocker() -> None:
    graph = build_graph(table((1, ()), (2, (1,)), (3, (2,))))

    assert graph.head_blockers == (1,)
    assert graph.waits_on == {2: (1,), 3: (2,)}
    assert graph.blocks == {1: (2,), 2: (3,)}
    assert graph.blocked_sessions == (2, 3)
    assert graph.cycles == ()
    assert graph.self_edges == ()


def test_chain_tree() -> None:
    graph = build_graph(table((1, ()), (2, (1,)), (3, (2,))))

    assert graph.tree() == lines((0, 1), (1, 2), (2, 3))


def test_chain_victims_transitive() -> None:
    graph = build_graph(table((1, ()), (2, (1,)), (3, (2,)), (4, (3,))))

    assert graph.victims_of(1) == (2, 3, 4)
    assert graph.victims_of(3) == (4,)
    assert graph.victims_of(4) == ()


def test_victims_of_unknown_session() -> None:
    graph = build_graph(table((1, ()), (2, (1,))))

    assert graph.victims_of(99) == ()


def test_no_blocking_empty_graph() -> None:
    graph = build_graph(table((1, ()), (2, ())))

    assert graph.is_empty()
    assert graph.head_blockers == ()
    assert graph.tree() == []
    assert set(graph.nodes) == {1, 2}


def test_nodes_labelled_login_and_program() -> None:
    graph = build_graph(table((1, ()), (2, (1,))))

    node = graph.nodes[1]
    assert node.label == "1 app_user@billing"
    assert not node.is_virtual


def test_two_blockers_both_heads() -> None:
    graph = build_graph(table((1, ()), (2, ()), (3, (1, 2))))

    assert graph.head_blockers == (1, 2)
    assert graph.waits_on == {3: (1, 2)}
    assert graph.blocks == {1: (3,), 2: (3,)}


def test_two_blockers_tree_also_waits_on() -> None:
    graph = build_graph(table((1, ()), (2, ()), (3, (1, 2))))

    assert graph.tree() == lines(
        (0, 1),
        (1, 3, (2,)),
        (0, 2),
        (1, 3, (1,)),
    )


def test_two_blockers_victims() -> None:
    graph = build_graph(table((1, ()), (2, ()), (3, (1, 2)), (4, (3,))))

    assert graph.victims_of(1) == (3, 4)
    assert graph.victims_of(2) == (3, 4)


def test_waiter_behind_head_and_blocked_blocker() -> None:
    # 3 waits on the head 1 and on 2, which itself waits on 1.
    graph = build_graph(table((1, ()), (2, (1,)), (3, (1, 2))))

    assert graph.head_blockers == (1,)
    assert graph.victims_of(1) == (2, 3)
    assert graph.tree() == lines(
        (0, 1),
        (1, 2),
        (2, 3, (1,)),
        (1, 3, (2,)),
    )


def test_repeated_blocker_pid_counted_once() -> None:
    # The PostgreSQL documentation of pg_blocking_pids() warns that the result
    # may repeat a pid, because it reports a parallel worker's lock under the
    # pid of its leader.
    graph = build_graph(table((1, ()), (2, (1, 1))))

    assert graph.waits_on == {2: (1,)}
    assert graph.blocks == {1: (2,)}
    assert graph.tree() == lines((0, 1), (1, 2))


# --- idle head blocker --------------------------------------------------------


def test_idle_in_transaction_head() -> None:
    head = row(1, state="idle in transaction")
    graph = build_graph([head, row(2, (1,)), row(3, (1,))])

    assert graph.head_blockers == (1,)
    assert graph.nodes[1].session is head
    assert graph.nodes[1].session.is_idle_in_transaction
    assert graph.victims_of(1) == (2, 3)


# --- cycles -------------------------------------------------------------------


def test_two_session_cycle() -> None:
    graph = build_graph(table((1, (2,)), (2, (1,))))

    assert graph.cycles == ((1, 2),)
    assert graph.head_blockers == ()
    assert graph.waits_on == {1: (2,), 2: (1,)}


def test_two_session_cycle_tree_terminates() -> None:
    graph = build_graph(table((1, (2,)), (2, (1,))))

    assert graph.tree() == lines((0, 1), (1, 2), (2, 1, (), True))


def test_two_session_cycle_victims() -> None:
    graph = build_graph(table((1, (2,)), (2, (1,))))

    assert graph.victims_of(1) == (2,)
    assert graph.victims_of(2) == (1,)


def test_three_session_cycle_with_waiter() -> None:
    graph = build_graph(table((1, (2,)), (2, (3,)), (3, (1,)), (4, (1,))))

    assert graph.cycles == ((1, 2, 3),)
    assert graph.head_blockers == ()
    assert graph.victims_of(1) == (2, 3, 4)
    assert graph.victims_of(4) == ()


def test_three_session_cycle_tree() -> None:
    graph = build_graph(table((1, (2,)), (2, (3,)), (3, (1,)), (4, (1,))))

    assert graph.tree() == lines(
        (0, 1),
        (1, 3),
        (2, 2),
        (3, 1, (), True),
        (1, 4),
    )


def test_waiter_chain_below_cycle() -> None:
    graph = build_graph(table((1, (2,)), (2, (1,)), (3, (2,)), (4, (3,))))

    assert graph.cycles == ((1, 2),)
    assert graph.head_blockers == ()
    assert graph.victims_of(2) == (1, 3, 4)


def test_two_separate_cycles() -> None:
    graph = build_graph(table((1, (2,)), (2, (1,)), (5, (6,)), (6, (5,))))

    assert graph.cycles == ((1, 2), (5, 6))
    roots = [line.session_id for line in graph.tree() if line.depth == 0]
    assert roots == [1, 5]


def test_head_blocker_feeding_cycle() -> None:
    # 1 waits on the head 5 and on 2, and 1 and 2 wait on each other.
    graph = build_graph(table((5, ()), (1, (2, 5)), (2, (1,))))

    assert graph.head_blockers == (5,)
    assert graph.cycles == ((1, 2),)
    assert graph.victims_of(5) == (1, 2)


def test_tree_terminates_on_cycle() -> None:
    graph = build_graph(table((1, (3,)), (2, (1,)), (3, (2,)), (4, (2, 3))))

    tree = graph.tree()

    assert len(tree) < 20
    assert [line.session_id for line in tree if line.repeated] == [1]


def test_long_chain_no_recursion_error() -> None:
    count = 3000
    rows = [(1, ())] + [(number, (number - 1,)) for number in range(2, count + 1)]
    graph = build_graph(table(*rows))

    assert graph.head_blockers == (1,)
    assert graph.cycles == ()
    assert len(graph.victims_of(1)) == count - 1


# --- self-edges ---------------------------------------------------------------


def test_self_edge_not_blocking() -> None:
    graph = build_graph(table((7, (7,))))

    assert graph.self_edges == (7,)
    assert graph.waits_on == {}
    assert graph.blocks == {}
    assert graph.head_blockers == ()
    assert graph.is_empty()


def test_self_edge_beside_real_blocker() -> None:
    graph = build_graph(table((1, ()), (7, (7, 1))))

    assert graph.self_edges == (7,)
    assert graph.waits_on == {7: (1,)}
    assert graph.head_blockers == (1,)


def test_worker_waiting_on_leader() -> None:
    leader = row(10)
    worker = row(11, blocked_by=(10,), leader_id=10)
    graph = build_graph([leader, worker])

    assert graph.self_edges == (11,)
    assert graph.waits_on == {}
    assert graph.head_blockers == ()


def test_workers_of_one_leader() -> None:
    leader = row(10)
    first = row(11, leader_id=10)
    second = row(12, blocked_by=(11,), leader_id=10)
    graph = build_graph([leader, first, second])

    assert graph.self_edges == (12,)
    assert graph.waits_on == {}


def test_worker_blocked_by_other_query() -> None:
    graph = build_graph([row(10), row(11, blocked_by=(20,), leader_id=10), row(20)])

    assert graph.self_edges == ()
    assert graph.waits_on == {11: (20,)}
    assert graph.head_blockers == (20,)


# --- virtual nodes ------------------------------------------------------------


def test_sql_server_negative_blockers() -> None:
    graph = build_graph(table((51, (-2,)), (52, (-4,))))

    assert graph.head_blockers == (-4, -2)
    assert graph.nodes[-2].is_virtual
    assert graph.nodes[-2].label == "-2 (orphaned distributed transaction)"
    assert graph.nodes[-4].is_virtual
    assert graph.nodes[-4].label == "-4 (latch owner not identifiable)"
    assert graph.victims_of(-2) == (51,)


def test_blocker_missing_from_snapshot() -> None:
    graph = build_graph(table((2, (99,)), (3, (2,))))

    node = graph.nodes[99]
    assert node.is_virtual
    assert node.session is None
    assert node.label == "99 (session not in this snapshot)"
    assert graph.head_blockers == (99,)
    assert graph.victims_of(99) == (2, 3)


def test_unknown_negative_blocker() -> None:
    graph = build_graph(table((51, (-9,))))

    assert graph.nodes[-9].label == "-9 (session not in this snapshot)"
