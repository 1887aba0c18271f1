"""The war room against a real engine on the embedded PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from textual.geometry import Region
from textual.widgets import Button, OptionList, Static
from tui_helpers import notifications, wait_for

from engine.incidents.models import Status
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.confirm import ConfirmInject, ConfirmRemediate
from warroom.tui.screens.incident import IncidentScreen
from warroom.tui.screens.scenario_picker import ScenarioPicker
from warroom.tui.screens.war_room import WarRoomScreen
from warroom.tui.widgets.incidents import IncidentTable
from warroom.tui.widgets.postmortems import PostmortemTable

SCENARIO = "long_running_query"
# The smallest terminal the war room supports, which the plan must fit.
SMALL = (80, 24)


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
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRemediate), "plan")
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: engine.get_incident(incident_id).status is Status.RESOLVED,
            f"incident {incident_id} to resolve",
            timeout=20,
        )
        # Once the head blocker is gone, a queued session may block the others
        # for a moment and open an incident of its own. Only this row must go.
        await wait_for(
            pilot,
            lambda: str(incident_id) not in table.rows,
            "the row to leave the table",
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


async def _ask_to_remediate(app: WarRoomApp, pilot, incident_id: int) -> None:
    """Select the incident, press r and wait for its plan."""
    table = app.screen.query_one(IncidentTable)
    await wait_for(pilot, lambda: str(incident_id) in table.rows, "the incident row")
    table.move_cursor(row=table.get_row_index(str(incident_id)))
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRemediate), "plan")


def _dialog_text(dialog: ConfirmRemediate) -> str:
    return "\n".join(str(item.content) for item in dialog.query(Static))


def _fits(app: WarRoomApp, dialog: ConfirmRemediate) -> bool:
    screen = Region(0, 0, *app.size)
    return all(screen.contains_region(button.region) for button in dialog.query(Button))


async def test_cancelled_remediation_changes_nothing(engine, tmp_path: Path) -> None:
    incident = engine.create_incident("deadlock", "deadlock on claims", "tester")
    app = WarRoomApp(engine, actor="tester", log_file=tmp_path / "tui.log")
    async with app.run_test(size=SMALL) as pilot:
        await _ask_to_remediate(app, pilot, incident.id)
        dialog = app.screen
        assert isinstance(dialog, ConfirmRemediate)
        assert dialog.plan.dry_run
        assert "Playbook action: acknowledge." in _dialog_text(dialog)
        assert _fits(app, dialog), "the plan's buttons run off an 80x24 terminal"

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, WarRoomScreen), "back")
        await pilot.pause(0.5)
        toasts = notifications(pilot)

    after = engine.get_incident(incident.id)
    assert after.status is Status.DETECTED
    assert [entry.to_status for entry in after.timeline] == [Status.DETECTED, None]
    assert after.timeline[-1].action == "remediation (dry run): acknowledge"
    assert not [line for line in toasts if "remediat" in line], toasts


async def test_confirmed_remediation_runs_the_playbook(engine, tmp_path: Path) -> None:
    incident = engine.create_incident("deadlock", "deadlock on claims", "tester")
    app = WarRoomApp(engine, actor="tester", log_file=tmp_path / "tui.log")
    async with app.run_test(size=SMALL) as pilot:
        await _ask_to_remediate(app, pilot, incident.id)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: engine.get_incident(incident.id).status is Status.REMEDIATING,
            f"incident {incident.id} to move to REMEDIATING",
        )

    timeline = engine.get_incident(incident.id).timeline
    ran = [(entry.actor, entry.action) for entry in timeline if entry.to_status is None]
    assert ran == [
        ("tester", "remediation (dry run): acknowledge"),
        ("tester", "remediation: acknowledge"),
    ]


async def test_dry_run_setting_keeps_remediation_dry(engine, tmp_path: Path) -> None:
    engine.config.warroom.remediation.dry_run = True
    incident = engine.create_incident("deadlock", "deadlock on claims", "tester")
    app = WarRoomApp(engine, actor="tester", log_file=tmp_path / "tui.log")
    async with app.run_test(size=SMALL) as pilot:
        await _ask_to_remediate(app, pilot, incident.id)
        dialog = app.screen
        assert isinstance(dialog, ConfirmRemediate)
        assert "remediation.dry_run is true" in _dialog_text(dialog)
        assert _fits(app, dialog)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: any("dry run only" in line for line in notifications(pilot)),
            "the dry run's result",
        )

    after = engine.get_incident(incident.id)
    assert after.status is Status.DETECTED
    dry_runs = [e for e in after.timeline if e.action.startswith("remediation (dry")]
    assert len(dry_runs) == 2
