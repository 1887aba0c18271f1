"""An incident's timeline: every transition and action with its actor."""

from __future__ import annotations

from rich.text import Text

from engine.incidents.models import Incident
from warroom.tui.widgets.keyed_table import KeyedTable, plain

COLUMNS = (
    ("time (UTC)", 10),
    ("actor", 14),
    ("action", 18),
    ("detail", None),
)


class TimelineTable(KeyedTable):
    def __init__(self, **kwargs) -> None:
        super().__init__(COLUMNS, **kwargs)
        self.border_title = "timeline"

    def show(self, incident: Incident) -> None:
        count = len(incident.timeline)
        self.border_title = f"timeline ({count} {'entry' if count == 1 else 'entries'})"
        rows = []
        for index, entry in enumerate(incident.timeline):
            cells = (
                Text(f"{entry.at:%H:%M:%S}"),
                plain(entry.actor),
                plain(entry.action),
                plain(" ".join(entry.message.split())),
            )
            rows.append((str(index), cells))
        self.replace_rows(rows)
