"""Sessions of the last poll beside the blocking graph."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

from warroom.tui.screens.base import SubScreen
from warroom.tui.widgets.blocking_tree import BlockingTree
from warroom.tui.widgets.sessions import SessionDetail, SessionTable
from warroom.tui.widgets.status_bar import StatusBar


class SessionsScreen(SubScreen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (160, "-wide")]

    def __init__(self, target: str, actor: str, interval: float) -> None:
        super().__init__()
        self.target = target
        self.actor = actor
        self.interval = interval

    def compose(self) -> ComposeResult:
        yield StatusBar(self.target, self.actor, self.interval, id="status")
        yield BlockingTree(id="graph")
        yield SessionTable(id="sessions")
        yield SessionDetail(id="session-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(SessionTable).focus()

    def on_session_table_chosen(self, message: SessionTable.Chosen) -> None:
        self.query_one(SessionDetail).show(message.session, message.own)
