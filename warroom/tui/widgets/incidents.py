"""Open incidents: one row each, newest first, ages from the App's clock."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import DataTable

from engine.incidents.models import Incident
from warroom.tui.messages import ClockTicked, IncidentUpdated
from warroom.tui.views import age
from warroom.tui.widgets.keyed_table import KeyedTable, Row, plain, themed

COLUMNS = (
    ("id", 4),
    ("status", 13),
    ("severity", 8),
    ("kind", 12),
    ("age", 6),
    ("seen", 4),
    ("title", None),
)

# Theme-aware styles; the stylesheet owns the rest of the look.
_STATUS_STYLE = {
    "DETECTED": "bold $error",
    "INVESTIGATING": "$warning",
    "REMEDIATING": "$accent",
    "ESCALATED": "bold $error",
}
_SEVERITY_STYLE = {"critical": "bold $error", "warning": "$warning"}


class IncidentTable(KeyedTable):
    """Renders the open incidents an ``IncidentUpdated`` carries."""

    def __init__(self, **kwargs) -> None:
        super().__init__(COLUMNS, **kwargs)
        self._incidents: tuple[Incident, ...] = ()
        self._now: datetime | None = None

    @property
    def incidents(self) -> tuple[Incident, ...]:
        """The open incidents on screen, newest first."""
        return self._incidents

    @property
    def selected_id(self) -> int | None:
        key = self.selected_key
        return int(key) if key is not None else None

    @property
    def selected(self) -> Incident | None:
        chosen = self.selected_id
        return next((item for item in self._incidents if item.id == chosen), None)

    def on_incident_updated(self, message: IncidentUpdated) -> None:
        self._incidents = tuple(sorted(message.view.open, key=lambda item: -item.id))
        self._show(message.view.now)

    def on_clock_ticked(self, message: ClockTicked) -> None:
        self._show(message.now)

    def _show(self, now: datetime) -> None:
        self._now = now
        count = len(self._incidents)
        self.border_title = f"open incidents ({count})"
        self.set_class(count == 0, "-quiet")
        self.replace_rows([self._row(incident, now) for incident in self._incidents])
        self._show_title()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_title()

    def _show_title(self) -> None:
        # The title column is the first to be cut on a narrow terminal, so the
        # bottom border repeats the highlighted incident's title in full. A
        # title quotes session and application names, so it is shown as plain text.
        selected = self.selected
        self.border_subtitle = Text(selected.title) if selected else ""

    def _row(self, incident: Incident, now: datetime) -> Row:
        status = str(incident.status)
        cells = (
            Text(str(incident.id)),
            self._styled(status, _STATUS_STYLE.get(status, "")),
            self._styled(incident.severity, _SEVERITY_STYLE.get(incident.severity, "")),
            plain(incident.kind),
            Text(age(now, incident.detected_at)),
            Text(str(incident.occurrences)),
            plain(incident.title),
        )
        return str(incident.id), cells

    def _styled(self, value: str, style: str) -> Text:
        return Text(value, style=themed(self, style)) if style else Text(value)
