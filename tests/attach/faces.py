"""What the TUI's incident and postmortem tables show, read as (incident id,
status) pairs, and when each pair first showed. The attach and end-to-end
tests compare these with the dashboard."""

from __future__ import annotations

import time
from collections.abc import Iterable

from warroom.tui.widgets.incidents import IncidentTable
from warroom.tui.widgets.postmortems import PostmortemTable


class FirstSeen:
    """The moment each (incident id, status) first showed on one face."""

    def __init__(self) -> None:
        self.at: dict[tuple[int, str], float] = {}

    def saw(self, pairs: Iterable[tuple[object, object]]) -> None:
        now = time.monotonic()
        for incident_id, status in pairs:
            self.at.setdefault((int(incident_id), str(status)), now)


def tui_pairs(
    incidents: IncidentTable, postmortems: PostmortemTable
) -> set[tuple[int, str]]:
    """Return the drawn open incidents with their status, and each written
    postmortem as RESOLVED."""
    pairs = {
        (item.id, str(item.status))
        for item in incidents.incidents
        if str(item.id) in incidents.rows
    }
    return pairs | {(int(key.value), "RESOLVED") for key in postmortems.rows}


def blocking_incident(incidents: IncidentTable) -> int | None:
    """Return the id of the drawn blocking incident, if there is one."""
    for item in incidents.incidents:
        if item.kind == "blocking" and str(item.id) in incidents.rows:
            return item.id
    return None
