"""Every session of the last poll, the blocked ones and their blockers first."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable, Static

from engine.targets.models import Session
from warroom.tui.messages import PollUpdated
from warroom.tui.views import duration
from warroom.tui.widgets.keyed_table import KeyedTable, Row, plain

COLUMNS = (
    ("id", 6),
    ("login", 10),
    ("program", 12),
    ("state", 13),
    ("wait", 18),
    ("elapsed", 7),
    ("blocked by", 10),
    ("SQL", None),
)

_SQL_SHOWN = 200


class SessionTable(KeyedTable):
    """Renders the sessions a ``PollUpdated`` carries."""

    @dataclass
    class Chosen(Message):
        """The highlighted session, or its latest reading, for the detail line."""

        session: Session | None
        own: bool = False

    def __init__(self, **kwargs) -> None:
        super().__init__(COLUMNS, **kwargs)
        self.border_title = "sessions"
        self._sessions: dict[str, Session] = {}
        self._own: frozenset[int] = frozenset()

    @property
    def selected(self) -> Session | None:
        key = self.selected_key
        return self._sessions.get(key) if key is not None else None

    def on_poll_updated(self, message: PollUpdated) -> None:
        view = message.view
        blocking = set(view.graph.blocks) if view.graph else set()
        own = view.own_session_ids
        sessions = sorted(view.sessions, key=lambda item: _order(item, blocking, own))
        self._sessions = {str(item.session_id): item for item in sessions}
        self._own = own
        self.border_title = f"sessions ({len(sessions)})"
        self.replace_rows([_row(item, own) for item in sessions])
        self._post_chosen()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._post_chosen()

    def _post_chosen(self) -> None:
        session = self.selected
        own = session is not None and session.session_id in self._own
        self.post_message(self.Chosen(session, own))


class SessionDetail(Static):
    """The highlighted session in full: the table cuts its SQL short."""

    def show(self, session: Session | None, own: bool = False) -> None:
        if session is None:
            self.update(Text("no session selected", style="italic"))
            return
        blockers = ", ".join(map(str, session.blocked_by)) or "nothing"
        # How long the transaction has been open: the age of its locks.
        age = session.transaction_seconds
        transaction = (
            f"transaction open {duration(age)}"
            if age is not None
            else f"open transactions {session.open_transactions}"
        )
        self.update(
            Text.assemble(
                (f"session {session.session_id}", "bold"),
                f" {session.login or '?'}@{session.host or '?'}"
                f" ({session.program or 'no program'}) in {session.database or '?'}"
                f" · {session.state} · {transaction} · waits on {blockers}",
                " · the war room's own session" if own else "",
                "\n",
                " ".join((session.sql_text or "(no SQL)").split()),
            )
        )


def _order(
    session: Session, blocking: set[int], own: frozenset[int]
) -> tuple[int, int]:
    if session.session_id in blocking:
        rank = 0
    elif session.blocked_by:
        rank = 1
    elif session.is_system or session.session_id in own:
        rank = 3
    else:
        rank = 2
    return rank, session.session_id


def _row(session: Session, own: frozenset[int]) -> Row:
    # The time goes first, so a narrow column cuts the type, not the time.
    wait = session.wait_type or ""
    if session.wait_seconds:
        wait = f"{duration(session.wait_seconds)} {wait}".strip()
    program = session.program or ""
    if session.session_id in own:
        program = f"{program} (warroom)".strip()
    sql = " ".join((session.sql_text or "").split())[:_SQL_SHOWN]
    cells = (
        Text(str(session.session_id)),
        plain(session.login or ""),
        plain(program),
        plain(session.state),
        plain(wait),
        Text(duration(session.elapsed_seconds)),
        Text(", ".join(str(blocker) for blocker in session.blocked_by)),
        plain(sql),
    )
    return str(session.session_id), cells
