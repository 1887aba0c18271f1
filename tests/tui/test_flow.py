"""The war room against a real engine on the embedded PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList
from tui_helpers import notifications, wait_for

from engine.incidents.models import Status
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.confirm import ConfirmInject
from warroom.tui.screens.incident import IncidentScreen
from warroom.tui.screens.scenario_picker import ScenarioPicker
from warroom.tui.screens.war_room import WarRoomScreen
from warroom.tui.widgets.incidents import IncidentTable
from warroom.tui.widgets.postmortems import PostmortemTable

SCENARIO = "long_running_query"


def _blocking(table: IncidentTable) -> int | None:
    for incident in table.incidents:
        if incident.kind == "blocking" and str(incident.id) in table.rows:
            return incident.id
    return None


async def test_inject_remediate_and_read_postmortem(engine, tmp_path: Path) -> None:
    app = WarRoomApp(engine, actor="tester", log_file=tmp_path / "tui.log")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ScenarioPicker), "picker")
        names = [state.name for state in engine.scenarios()]
        for _ in range(names.index(SCENARIO)):
            await pilot.press("down")
        picked = app.screen.query_one(OptionList).highlighted_option
        assert picked is not None and picked.id == SCENARIO
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmInject), "confirm")
        await pilot.press("y")

        war_room = app.screen
        assert isinstance(war_room, WarRoomScreen)
        table = war_room.query_one(IncidentTable)
        await wait_for(pilot, lambda: _blocking(table), "the blocking incident row")
        incident_id = _blocking(table)
        assert incident_id is not None
        table.move_cursor(row=table.get_row_index(str(incident_id)))

        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: engine.get_incident(incident_id).status is Status.RESOLVED,
            f"incident {incident_id} to resolve",
            timeout=20,
        )
        await wait_for(
            pilot, lambda: _blocking(table) is None, "the row to leave the table"
        )
        postmortems = war_room.query_one(PostmortemTable)
        await wait_for(
            pilot, lambda: str(incident_id) in postmortems.rows, "the postmortem row"
        )

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, IncidentScreen), "screen")
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        assert screen.incident_id == incident_id
        await wait_for(
            pilot, lambda: "Root cause" in screen.postmortem_source, "the postmortem"
        )
        assert f"incident {incident_id}" in screen.postmortem_source

        timeline = engine.get_incident(incident_id).timeline
        assert any(entry.actor == "tester" for entry in timeline)
        assert not any("failed" in line for line in notifications(pilot))
