"""The head of the incident screen: what, how bad, since when, why."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from engine.incidents.models import Incident
from warroom.tui.views import age, clock_time, duration


class IncidentSummary(Static):
    def show(self, incident: Incident, now: datetime) -> None:
        resolved = (
            f" · resolved {clock_time(incident.resolved_at)} UTC, "
            f"{duration(incident.seconds_to_resolve)} after detection"
            if incident.resolved_at
            else ""
        )
        drill = f" · chaos drill {incident.drill_id}" if incident.drill_id else ""
        self.set_class(incident.is_open, "-open")
        self.update(
            Text.assemble(
                (f"incident {incident.id} · {incident.status}", "bold"),
                f" · {incident.severity} · {incident.kind} · target {incident.target}",
                f"{drill}\n",
                (incident.title, "bold"),
                "\n",
                f"detected {clock_time(incident.detected_at)} UTC "
                f"({age(now, incident.detected_at)} ago) · seen in "
                f"{incident.occurrences} poll(s){resolved}\n",
                ("root cause: ", "bold"),
                incident.root_cause,
            )
        )
