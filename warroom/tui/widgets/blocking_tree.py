"""The blocking graph as a tree: one root per head blocker or lock cycle.

A waiter with several blockers appears under each of them, with "also waits
on" the others. A session already on the path is marked and not expanded, so
a cycle ends. A blocker that is not a visible session is a virtual node.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from engine.monitor.graph import BlockingGraph, TreeLine
from engine.targets.models import Session
from warroom.tui.messages import PollUpdated
from warroom.tui.views import duration
from warroom.tui.widgets.keyed_table import themed


class BlockingTree(Tree[int]):
    """Renders the graph a ``PollUpdated`` carries; rebuilt only on change."""

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("blocking"), **kwargs)
        self.show_root = False
        self.guide_depth = 3
        self.border_title = "blocking graph"
        self._drawn: tuple[tuple[int, str], ...] | None = None

    def on_poll_updated(self, message: PollUpdated) -> None:
        graph = message.view.graph
        lines = self._lines(graph)
        key = tuple((depth, label.plain) for depth, label in lines)
        if key == self._drawn:
            return
        self._drawn = key
        self.clear()
        parents: list[TreeNode[int]] = [self.root]
        for depth, label in lines:
            del parents[depth + 1 :]
            node = parents[-1].add(label, expand=True)
            parents.append(node)
        for leaf in list(self.root.children):
            _leafify(leaf)
        blocked = len(graph.blocked_sessions) if graph else 0
        self.border_title = f"blocking graph ({blocked} blocked)"

    def _lines(self, graph: BlockingGraph | None) -> list[tuple[int, Text]]:
        if graph is None:
            return [(0, Text("no poll yet", style="italic"))]
        if graph.is_empty():
            note = [(0, Text("no session is blocked", style="italic"))]
            return note + self._self_edges(graph)
        cycle_roots = {cycle[0]: cycle for cycle in graph.cycles}
        lines = [
            (line.depth, self._label(graph, line, cycle_roots)) for line in graph.tree()
        ]
        return lines + self._self_edges(graph)

    def _label(
        self,
        graph: BlockingGraph,
        line: TreeLine,
        cycle_roots: dict[int, tuple[int, ...]],
    ) -> Text:
        node = graph.nodes.get(line.session_id)
        text = Text()
        if line.depth == 0 and line.session_id in cycle_roots:
            members = ", ".join(map(str, cycle_roots[line.session_id]))
            text.append(f"lock cycle {members}: ", style=themed(self, "bold $error"))
        elif line.depth == 0:
            victims = len(graph.victims_of(line.session_id))
            text.append("head blocker ", style=themed(self, "bold $error"))
            text.append(f"(blocks {victims}) ")
        if line.repeated:
            text.append(f"{line.session_id} (already above: cycle)", style="italic")
            return text
        if node is None or node.session is None:
            label = node.label if node else str(line.session_id)
            text.append(f"{label} [virtual]", style="italic")
        else:
            text.append_text(_describe(node.session))
        if line.also_waits_on:
            others = ", ".join(map(str, line.also_waits_on))
            text.append(f"  also waits on {others}", style=themed(self, "$warning"))
        return text

    def _self_edges(self, graph: BlockingGraph) -> list[tuple[int, Text]]:
        if not graph.self_edges:
            return []
        members = ", ".join(map(str, graph.self_edges))
        note = f"parallel workers waiting within their own query: {members}"
        return [(0, Text(note, style="italic"))]


def _describe(session: Session) -> Text:
    # What the session waits on comes before who it is, because a narrow
    # pane cuts the end of the line.
    login = f"{session.login or '?'}@{session.program or '?'}"
    state = session.state
    if session.wait_type and session.wait_type.startswith("Client:"):
        # PostgreSQL's Client waits are the server waiting for the application
        # to send something, not a lock wait.
        state += f", waiting for its client ({session.wait_type})"
    elif session.wait_type:
        state += f", waits {session.wait_type} {duration(session.wait_seconds)}"
    sql = " ".join((session.sql_text or "").split())[:60]
    return Text.assemble(
        (str(session.session_id), "bold"),
        f"  {state}  ",
        (login, "bold"),
        "  ",
        (sql, "dim"),
    )


def _leafify(node: TreeNode[int]) -> None:
    # A node without children should not show an expand arrow.
    if not node.children:
        node.allow_expand = False
        return
    for child in node.children:
        _leafify(child)
