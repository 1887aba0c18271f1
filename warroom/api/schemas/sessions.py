"""Sessions of the last poll and their blocking graph."""

from __future__ import annotations

from datetime import datetime

import msgspec

from engine.events import PollCompleted
from engine.monitor.graph import BlockingGraph, Node
from engine.targets.models import Session


class SessionOut(msgspec.Struct):
    session_id: int
    login: str | None
    host: str | None
    program: str | None
    database: str | None
    state: str
    command: str | None
    wait_type: str | None
    wait_seconds: float | None
    elapsed_seconds: float | None
    open_transactions: int
    blocked_by: list[int]
    sql_text: str | None
    login_time: datetime | None
    transaction_seconds: float | None
    state_seconds: float | None
    backend_type: str
    is_system: bool
    is_engine_own: bool
    """The engine's own monitoring or admin connection."""
    leader_id: int | None


class SessionsOut(msgspec.Struct):
    """Sessions of the last successful poll; ``last_error`` is set when later
    polls failed, so the list is stale."""

    taken_at: datetime
    target: str
    last_error: str | None
    sessions: list[SessionOut]


class GraphNodeOut(msgspec.Struct):
    session_id: int
    label: str
    virtual: bool
    """No session of this id is in the snapshot (for example a SQL Server
    negative blocker id)."""
    state: str | None


class GraphEdgeOut(msgspec.Struct):
    """The waiter waits on the blocker."""

    waiter: int
    blocker: int


class TreeLineOut(msgspec.Struct):
    depth: int
    session_id: int
    label: str
    also_waits_on: list[int]
    repeated: bool
    """Already shown higher on this path (a cycle), so not expanded again."""


class BlockingGraphOut(msgspec.Struct):
    taken_at: datetime
    last_error: str | None
    nodes: list[GraphNodeOut]
    edges: list[GraphEdgeOut]
    head_blockers: list[int]
    blocked_sessions: list[int]
    cycles: list[list[int]]
    self_edges: list[int]
    tree: list[TreeLineOut]


def session_out(session: Session, own_ids: frozenset[int]) -> SessionOut:
    return SessionOut(
        session_id=session.session_id,
        login=session.login,
        host=session.host,
        program=session.program,
        database=session.database,
        state=session.state,
        command=session.command,
        wait_type=session.wait_type,
        wait_seconds=session.wait_seconds,
        elapsed_seconds=session.elapsed_seconds,
        open_transactions=session.open_transactions,
        blocked_by=list(session.blocked_by),
        sql_text=session.sql_text,
        login_time=session.login_time,
        transaction_seconds=session.transaction_seconds,
        state_seconds=session.state_seconds,
        backend_type=session.backend_type,
        is_system=session.is_system,
        is_engine_own=session.session_id in own_ids,
        leader_id=session.leader_id,
    )


def sessions_out(poll: PollCompleted, last_error: str | None) -> SessionsOut:
    snapshot = poll.snapshot
    return SessionsOut(
        taken_at=snapshot.taken_at,
        target=snapshot.target,
        last_error=last_error,
        sessions=[
            session_out(session, snapshot.own_session_ids)
            for session in snapshot.sessions
        ],
    )


def blocking_graph_out(poll: PollCompleted, last_error: str | None) -> BlockingGraphOut:
    graph = poll.graph
    return BlockingGraphOut(
        taken_at=poll.snapshot.taken_at,
        last_error=last_error,
        nodes=[_node_out(node) for node in _involved_nodes(graph)],
        edges=[
            GraphEdgeOut(waiter=waiter, blocker=blocker)
            for waiter, blockers in sorted(graph.waits_on.items())
            for blocker in blockers
        ],
        head_blockers=list(graph.head_blockers),
        blocked_sessions=list(graph.blocked_sessions),
        cycles=[list(cycle) for cycle in graph.cycles],
        self_edges=list(graph.self_edges),
        tree=[
            TreeLineOut(
                depth=line.depth,
                session_id=line.session_id,
                label=_label(graph, line.session_id),
                also_waits_on=list(line.also_waits_on),
                repeated=line.repeated,
            )
            for line in graph.tree()
        ],
    )


def _involved_nodes(graph: BlockingGraph) -> list[Node]:
    # Every session of the snapshot is a node, but only those on an edge
    # belong to the blocking picture.
    involved = set(graph.waits_on) | set(graph.blocks) | set(graph.self_edges)
    return [graph.nodes[session_id] for session_id in sorted(involved)]


def _node_out(node: Node) -> GraphNodeOut:
    return GraphNodeOut(
        session_id=node.session_id,
        label=node.label,
        virtual=node.is_virtual,
        state=node.session.state if node.session else None,
    )


def _label(graph: BlockingGraph, session_id: int) -> str:
    node = graph.nodes.get(session_id)
    return node.label if node else str(session_id)
