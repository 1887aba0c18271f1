"""The blocking graph, built in Python from one snapshot.

A waiting session can wait on several sessions at once (PostgreSQL reports
each one, in lock-queue order), so this is a directed graph, not a tree.
Edges point from a waiter to each session it waits on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.targets.models import Session

# SQL Server reports these negative blocking_session_id values for owners
# that are not sessions (sys.dm_os_waiting_tasks documents -2 to -4; -1 and
# -5 are described on Microsoft's SQL Server blog, "Negative Blocking Session
# Ids", January 2022).
VIRTUAL_BLOCKERS = {
    -1: "orphaned lock",
    -2: "orphaned distributed transaction",
    -3: "deferred recovery transaction",
    -4: "latch owner not identifiable",
    -5: "latch any task may release, usually I/O",
}


@dataclass(frozen=True)
class Node:
    session_id: int
    session: Session | None
    label: str

    @property
    def is_virtual(self) -> bool:
        return self.session is None


@dataclass(frozen=True)
class TreeLine:
    """One row of the rendered tree: a session at a depth under a root."""

    depth: int
    session_id: int
    also_waits_on: tuple[int, ...] = ()
    repeated: bool = False


@dataclass(frozen=True)
class BlockingGraph:
    nodes: dict[int, Node]
    waits_on: dict[int, tuple[int, ...]]
    blocks: dict[int, tuple[int, ...]]
    head_blockers: tuple[int, ...]
    cycles: tuple[tuple[int, ...], ...]
    self_edges: tuple[int, ...]

    @property
    def blocked_sessions(self) -> tuple[int, ...]:
        return tuple(sorted(self.waits_on))

    def is_empty(self) -> bool:
        return not self.waits_on

    def victims_of(self, root: int) -> tuple[int, ...]:
        """Return every session that waits on ``root``, directly or not."""
        seen: set[int] = set()
        stack = list(self.blocks.get(root, ()))
        while stack:
            waiter = stack.pop()
            if waiter in seen or waiter == root:
                continue
            seen.add(waiter)
            stack.extend(self.blocks.get(waiter, ()))
        return tuple(sorted(seen))

    def tree(self) -> list[TreeLine]:
        """Return the graph as indented lines, one root per head blocker or cycle.

        A waiter with several blockers appears under each of them; the line
        lists the others in ``also_waits_on``. A session already shown on the
        current path is marked ``repeated`` and not expanded again, so a cycle
        terminates.
        """
        lines: list[TreeLine] = []
        roots = list(self.head_blockers)
        roots += [cycle[0] for cycle in self.cycles]
        for root in roots:
            self._walk(root, 0, None, (), lines)
        return lines

    def _walk(
        self,
        session_id: int,
        depth: int,
        parent: int | None,
        path: tuple[int, ...],
        lines: list[TreeLine],
    ) -> None:
        others = tuple(
            blocker
            for blocker in self.waits_on.get(session_id, ())
            if blocker != parent
        )
        repeated = session_id in path
        lines.append(TreeLine(depth, session_id, others if depth else (), repeated))
        if repeated:
            return
        for waiter in self.blocks.get(session_id, ()):
            self._walk(waiter, depth + 1, session_id, (*path, session_id), lines)


def build_graph(sessions: Iterable[Session]) -> BlockingGraph:
    """Build the blocking graph of one snapshot's sessions."""
    by_id = {session.session_id: session for session in sessions}
    nodes = {
        session_id: Node(session_id, session, _label(session))
        for session_id, session in by_id.items()
    }
    waits_on: dict[int, tuple[int, ...]] = {}
    blocks: dict[int, list[int]] = {}
    self_edges: list[int] = []

    for session in by_id.values():
        blockers: list[int] = []
        for blocker in session.blocked_by:
            if _same_query(session, blocker, by_id):
                self_edges.append(session.session_id)
                continue
            # pg_blocking_pids() may repeat a pid under parallel query.
            if blocker in blockers:
                continue
            blockers.append(blocker)
            if blocker not in nodes:
                nodes[blocker] = Node(blocker, None, _virtual_label(blocker))
            blocks.setdefault(blocker, []).append(session.session_id)
        if blockers:
            waits_on[session.session_id] = tuple(blockers)

    cycles = _cycles(waits_on)
    in_cycle = {member for cycle in cycles for member in cycle}
    heads = tuple(
        sorted(
            blocker
            for blocker in blocks
            if blocker not in waits_on and blocker not in in_cycle
        )
    )
    return BlockingGraph(
        nodes=nodes,
        waits_on=waits_on,
        blocks={key: tuple(value) for key, value in blocks.items()},
        head_blockers=heads,
        cycles=cycles,
        self_edges=tuple(sorted(set(self_edges))),
    )


def _same_query(session: Session, blocker: int, by_id: dict[int, Session]) -> bool:
    # A parallel worker waiting on its leader, or two workers of one leader,
    # wait within one query: that is a self-edge, not blocking.
    if blocker == session.session_id:
        return True
    group = session.leader_id or session.session_id
    other = by_id.get(blocker)
    if other is None:
        return False
    return (other.leader_id or other.session_id) == group


def _cycles(waits_on: dict[int, tuple[int, ...]]) -> tuple[tuple[int, ...], ...]:
    """Return strongly connected components of two or more sessions (Tarjan)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    found: list[tuple[int, ...]] = []
    counter = 0

    def visit(start: int) -> None:
        nonlocal counter
        # Iterative so that a long chain of waiters cannot hit the recursion
        # limit.
        work = [(start, iter(waits_on.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(waits_on.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(tuple(sorted(component)))

    for node in sorted(waits_on):
        if node not in index:
            visit(node)
    return tuple(sorted(found))


def _label(session: Session) -> str:
    program = session.program or "?"
    return f"{session.session_id} {session.login or '?'}@{program}"


def _virtual_label(blocker: int) -> str:
    if blocker in VIRTUAL_BLOCKERS:
        return f"{blocker} ({VIRTUAL_BLOCKERS[blocker]})"
    return f"{blocker} (session not in this snapshot)"
