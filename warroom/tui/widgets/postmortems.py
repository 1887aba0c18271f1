"""Recent postmortems along the bottom of the war room."""

from __future__ import annotations

from rich.text import Text

from engine.incidents.models import PostmortemSummary
from warroom.tui.messages import IncidentUpdated
from warroom.tui.views import clock_time, duration
from warroom.tui.widgets.keyed_table import KeyedTable, Row, plain

COLUMNS = (
    ("incident", 8),
    ("written", 8),
    ("kind", 14),
    ("detect", 6),
    ("resolve", 7),
    ("title", None),
)


class PostmortemTable(KeyedTable):
    """Renders the postmortems an ``IncidentUpdated`` carries."""

    def __init__(self, **kwargs) -> None:
        super().__init__(COLUMNS, **kwargs)
        self.border_title = "recent postmortems"

    @property
    def selected_id(self) -> int | None:
        key = self.selected_key
        return int(key) if key is not None else None

    def on_incident_updated(self, message: IncidentUpdated) -> None:
        rows = message.view.postmortems
        self.border_title = f"recent postmortems ({len(rows)})"
        # The newest row comes first. A cursor on it moves to a newer one, so
        # a panel with room for one row shows the latest postmortem. A cursor
        # a person moved down stays on its row.
        on_newest = self.row_count == 0 or self.cursor_row == 0
        self.replace_rows([_row(row) for row in rows])
        if on_newest and self.row_count:
            self.move_cursor(row=0, animate=False)


def _row(row: PostmortemSummary) -> Row:
    cells = (
        Text(str(row.incident_id)),
        Text(clock_time(row.written_at)),
        plain(row.kind),
        Text(duration(row.seconds_to_detect)),
        Text(duration(row.seconds_to_resolve)),
        plain(row.title),
    )
    return str(row.incident_id), cells
