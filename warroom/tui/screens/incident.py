"""One incident: its summary, its timeline and, once resolved, its postmortem."""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Markdown

from engine.incidents.models import Incident
from warroom.tui.messages import ClockTicked, IncidentUpdated
from warroom.tui.screens.base import SubScreen
from warroom.tui.widgets.incident_summary import IncidentSummary
from warroom.tui.widgets.timeline import TimelineTable

_NOT_YET = (
    "*No postmortem yet: the engine writes it when incident {id} resolves "
    "(it is {status} now).*"
)


class IncidentScreen(SubScreen):
    def __init__(self, incident_id: int, *, focus_postmortem: bool = False) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.focus_postmortem = focus_postmortem
        self._incident: Incident | None = None
        self._markdown_shown: str | None = None

    def compose(self) -> ComposeResult:
        yield IncidentSummary(id="summary")
        yield TimelineTable(id="timeline")
        with VerticalScroll(id="postmortem") as scroll:
            scroll.border_title = "postmortem"
            yield Markdown(id="postmortem-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._load()
        target = "#postmortem" if self.focus_postmortem else "#timeline"
        self.query_one(target).focus()

    def on_incident_updated(self, message: IncidentUpdated) -> None:
        view = message.view
        if self.incident_id in view.changed_ids:
            self._load()
            return
        # Occurrences and last-seen change on every poll without an event. The
        # open list carries them, so only the summary is redrawn from it.
        fresh = next((item for item in view.open if item.id == self.incident_id), None)
        if fresh is not None and self._incident is not None:
            self._incident = replace(fresh, timeline=self._incident.timeline)
            self.query_one(IncidentSummary).show(self._incident, view.now)

    def on_clock_ticked(self, message: ClockTicked) -> None:
        if self._incident is not None:
            self.query_one(IncidentSummary).show(self._incident, message.now)

    @work(exclusive=True, group="incident", exit_on_error=False)
    async def _load(self) -> None:
        """Fetch the incident and its postmortem; the latest call wins."""
        incident = await self.commands.incident(self.incident_id)
        if incident is None:
            self.dismiss()
            return
        postmortem = (
            None if incident.is_open else await self.commands.postmortem(incident.id)
        )
        self._incident = incident
        self.query_one(IncidentSummary).show(incident, self.war_room.clock())
        self.query_one(TimelineTable).show(incident)
        text = postmortem or _NOT_YET.format(id=incident.id, status=incident.status)
        if text != self._markdown_shown:
            self._markdown_shown = text
            self.query_one(Markdown).update(text)

    @property
    def postmortem_source(self) -> str:
        """The Markdown on screen, for tests and for copying."""
        return self.query_one(Markdown).source
