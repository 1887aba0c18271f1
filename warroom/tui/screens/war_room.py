"""The main screen: cards, incidents and jobs, validation and chaos, and
postmortems, one glance top to bottom."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import DataTable, Footer

from engine.config.models import WarroomConfig
from warroom.tui.keys import WAR_ROOM_BINDINGS
from warroom.tui.screens.base import LiveScreen
from warroom.tui.screens.confirm import (
    ConfirmInject,
    ConfirmRemediate,
    ConfirmRunJob,
)
from warroom.tui.screens.governance import GovernanceScreen
from warroom.tui.screens.incident import IncidentScreen
from warroom.tui.screens.job_history import JobHistoryScreen
from warroom.tui.screens.scenario_picker import ScenarioPicker
from warroom.tui.screens.validation import ValidationScreen
from warroom.tui.widgets.chaos import ChaosPanel
from warroom.tui.widgets.healthcare import HealthcareCards
from warroom.tui.widgets.incidents import IncidentTable
from warroom.tui.widgets.jobs import JobsPanel
from warroom.tui.widgets.metric_cards import MetricCards
from warroom.tui.widgets.postmortems import PostmortemTable
from warroom.tui.widgets.sla import SlaBar
from warroom.tui.widgets.status_bar import StatusBar
from warroom.tui.widgets.validation import ValidationPanel


class WarRoomScreen(LiveScreen):
    BINDINGS = WAR_ROOM_BINDINGS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]

    def __init__(self, config: WarroomConfig, target: str, actor: str) -> None:
        super().__init__()
        self.config = config
        self.target = target
        self.actor = actor

    def compose(self) -> ComposeResult:
        interval = self.config.warroom.monitor.poll_interval_seconds
        yield StatusBar(self.target, self.actor, interval, id="status")
        yield MetricCards(id="cards")
        yield HealthcareCards(id="healthcare")
        with Grid(id="panels"):
            yield IncidentTable(id="incidents")
            yield JobsPanel(id="jobs", classes="panel")
            yield ValidationPanel(id="validation", classes="panel")
            yield ChaosPanel(id="chaos", classes="panel")
        yield SlaBar(id="sla")
        yield PostmortemTable(id="postmortems")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(IncidentTable).focus()

    # -- incidents ---------------------------------------------------------

    def _selected(self) -> int | None:
        incident = self.query_one(IncidentTable).selected_id
        if incident is None:
            self.war_room.toast(
                "no open incident is selected", title="nothing to act on"
            )
        return incident

    def action_investigate(self) -> None:
        if (incident := self._selected()) is not None:
            self.request(self.commands.investigate(incident), "investigate")

    def action_escalate(self) -> None:
        if (incident := self._selected()) is not None:
            self.request(self.commands.escalate(incident), "escalate")

    def action_resolve(self) -> None:
        if (incident := self._selected()) is not None:
            self.request(self.commands.resolve(incident), "resolve")

    def action_remediate(self) -> None:
        """Dry-run the playbook action, show its plan, and run it only when
        the engineer confirms."""
        if (incident := self._selected()) is not None:
            self.request(
                self._ask_to_remediate(incident),
                f"dry run of incident {incident}'s remediation",
            )

    async def _ask_to_remediate(self, incident: int) -> None:
        plan = await self.commands.preview_remediation(incident)
        if plan is None:
            return

        def decided(run: bool | None) -> None:
            if run:
                self.request(
                    self.commands.remediate(incident),
                    f"remediation of incident {incident}",
                )

        dry_run_only = self.commands.remediation_dry_run
        listed = self.query_one(IncidentTable).incidents
        record = next((item for item in listed if item.id == incident), None)
        cleared_by_polls = record is None or record.cleared_by_polls
        dialog = ConfirmRemediate(
            incident,
            plan,
            dry_run_only=dry_run_only,
            cleared_by_polls=cleared_by_polls,
        )
        self.app.push_screen(dialog, decided)

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, PostmortemTable) and focused.selected_id is not None:
            self._open(focused.selected_id, postmortem=True)
        elif (incident := self._selected()) is not None:
            self._open(incident, postmortem=False)

    def action_postmortem(self) -> None:
        focused = self.focused
        if isinstance(focused, PostmortemTable) and focused.selected_id is not None:
            incident = focused.selected_id
        else:
            incident = self.commands.latest_postmortem_id()
        if incident is not None:
            self._open(incident, postmortem=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key is None:
            return
        if isinstance(event.data_table, JobsPanel):
            self.app.push_screen(JobHistoryScreen(key))
            return
        resolved = isinstance(event.data_table, PostmortemTable)
        self._open(int(key), postmortem=resolved)

    def _open(self, incident_id: int, *, postmortem: bool) -> None:
        self.app.push_screen(IncidentScreen(incident_id, focus_postmortem=postmortem))

    # -- chaos -------------------------------------------------------------

    def action_inject(self) -> None:
        scenarios = self.commands.scenarios()
        if scenarios:
            self.app.push_screen(ScenarioPicker(scenarios), self._confirm)

    def action_inject_random(self) -> None:
        if (name := self.commands.random_scenario()) is not None:
            self._confirm(name)

    def _confirm(self, scenario: str | None) -> None:
        if scenario is None:
            return

        def decided(inject: bool | None) -> None:
            if inject:
                self.request(self.commands.trigger(scenario), f"inject {scenario}")

        self.app.push_screen(ConfirmInject(scenario, self.target), decided)

    # -- jobs --------------------------------------------------------------

    def action_job_history(self) -> None:
        job = self.query_one(JobsPanel).selected
        if job is None:
            self.war_room.toast("no job is selected", title="no job history to show")
            return
        self.app.push_screen(JobHistoryScreen(job.name))

    def action_run_job(self) -> None:
        job = self.query_one(JobsPanel).selected
        if job is None:
            self.war_room.toast("no job is selected", title="nothing to run")
            return

        def decided(run: bool | None) -> None:
            if run:
                self.request(self.commands.run_job(job.name), f"run job {job.name}")

        self.app.push_screen(ConfirmRunJob(job.name, job.action, self.target), decided)

    # -- validation --------------------------------------------------------

    def action_validation(self) -> None:
        self.app.push_screen(ValidationScreen())

    def action_run_checks(self) -> None:
        self.request(self.commands.run_checks(), "run the validation rules")

    # -- governance --------------------------------------------------------

    def action_governance(self) -> None:
        self.app.push_screen(GovernanceScreen())
