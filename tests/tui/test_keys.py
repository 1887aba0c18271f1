"""Keys: help, screens, incident actions and rejections shown as toasts."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.widgets import Button, Static
from tui_fake_source import FakeSource, fixed_clock
from tui_helpers import help_rows, notifications, wait_for

from engine.incidents.models import Incident, Status
from engine.remediation.actions import ActionResult
from engine.remediation.playbook import NO_ACTION
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.confirm import ConfirmInject, ConfirmRemediate
from warroom.tui.screens.help import HelpScreen
from warroom.tui.screens.incident import IncidentScreen
from warroom.tui.screens.scenario_picker import ScenarioPicker
from warroom.tui.screens.sessions import SessionsScreen
from warroom.tui.screens.war_room import WarRoomScreen
from warroom.tui.widgets.blocking_tree import BlockingTree
from warroom.tui.widgets.incidents import IncidentTable
from warroom.tui.widgets.keyed_table import KeyedTable
from warroom.tui.widgets.sessions import SessionDetail

SIZE = (120, 36)


def _app(source, tmp_path: Path) -> WarRoomApp:
    return WarRoomApp(
        source, clock=fixed_clock, actor="tester", log_file=tmp_path / "tui.log"
    )


def _select(app: WarRoomApp, incident_id: int) -> None:
    table = app.screen.query_one(IncidentTable)
    table.move_cursor(row=table.get_row_index(str(incident_id)))


# -- against the real engine ------------------------------------------------


def _drill_incident(table: IncidentTable) -> Incident | None:
    return next((item for item in table.incidents if item.kind == "blocking"), None)


async def test_incident_keys_on_real_engine(engine, tmp_path: Path) -> None:
    app = WarRoomApp(engine, actor="tester", log_file=tmp_path / "tui.log")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, WarRoomScreen)

        engine.trigger_drill("long_running_query", "tester")
        table = app.screen.query_one(IncidentTable)
        # A busy test machine can open a cpu incident too; pick the drill's.
        await wait_for(pilot, lambda: _drill_incident(table), "the drill's incident")
        incident = _drill_incident(table)
        assert incident is not None and incident.status is Status.DETECTED
        _select(app, incident.id)

        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: any("rejected" in line for line in notifications(pilot)),
            "the rejection toast",
        )
        assert any("cannot move from DETECTED" in n for n in notifications(pilot))
        assert engine.get_incident(incident.id).status is Status.DETECTED
        assert app.is_running

        await pilot.press("i")
        await pilot.press("e")
        assert engine.get_incident(incident.id).status is Status.ESCALATED
        await pilot.press("s")
        assert engine.get_incident(incident.id).status is Status.RESOLVED
        actors = {entry.actor for entry in engine.get_incident(incident.id).timeline}
        assert "tester" in actors


# -- against the fake source ------------------------------------------------


async def test_help_lists_every_key_and_escape_closes(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one(KeyedTable)
        assert keys.row_count == 21
        rows = help_rows(app)
        assert rows[3][0] == "tab"
        assert "jobs panel" in rows[3][1]
        assert rows[4][:2] == ["shift+tab", "move to the previous panel or table"]
        await pilot.press("escape")
        assert isinstance(app.screen, WarRoomScreen)


async def test_help_wraps_at_80_columns(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one(KeyedTable)
        assert table.virtual_size.width <= table.content_region.width

        lines = _lines(table)
        drawn = "\n".join(lines)
        assert "…" not in drawn, drawn
        start = next(i for i, line in enumerate(lines) if "│ shift+j " in line)
        assert "run the job selected in the jobs panel now" in lines[start]
        assert "(asks first)" in lines[start + 1]


async def test_remapped_keys_from_config(tmp_path: Path) -> None:
    source = FakeSource()
    source.config.warroom.keys = {"help": "h", "no_such_action": "z"}
    app = _app(source, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        assert isinstance(app.screen, HelpScreen)
        rows = [app.screen.query_one(KeyedTable).get_row_at(0)]
        assert rows[0][0].plain == "h"
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, WarRoomScreen)
        assert any("no_such_action" in line for line in notifications(pilot))


async def test_sessions_screen_toggles_with_g(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, SessionsScreen)
        await pilot.pause()
        tree = app.screen.query_one(BlockingTree)
        labels = [line.plain for line in _tree_labels(tree)]
        assert any(label.startswith("head blocker (blocks 2) 101") for label in labels)
        assert any("waiting for its client (Client:ClientRead)" in x for x in labels)
        assert any("also waits on 101" in label for label in labels)
        assert any("lock cycle 105, 106" in label for label in labels)
        assert any("[virtual]" in label for label in labels)
        detail = str(app.screen.query_one(SessionDetail).render())
        assert detail.startswith("session 101")
        assert "idle in transaction · transaction open 1m36s" in detail
        await pilot.press("g")
        assert isinstance(app.screen, WarRoomScreen)


def _lines(widget) -> list[str]:
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return [strip.text for strip in widget.render_lines(region)]


def _tree_labels(tree: BlockingTree):
    stack = list(tree.root.children)
    while stack:
        node = stack.pop(0)
        yield node.label
        stack[:0] = list(node.children)


async def test_inject_always_asks_and_cancel_injects_nothing(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ScenarioPicker)
        await pilot.press("escape")
        assert isinstance(app.screen, WarRoomScreen)

        await pilot.press("c", "enter")
        assert isinstance(app.screen, ConfirmInject)
        await pilot.press("enter")  # the focus is on Cancel
        assert isinstance(app.screen, WarRoomScreen)
        await pilot.press("x", "n")
        assert source.triggered == []

        await pilot.press("C")
        assert isinstance(app.screen, ConfirmInject)
        await pilot.press("y")
        assert source.triggered == [("long_running_query", "tester")]


async def test_actions_reach_the_selected_incident(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _select(app, 6)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRemediate), "r")
        assert source.calls == [("dry run", 6, "tester")]
        await pilot.press("y")
        await wait_for(pilot, lambda: ("remediate", 6, "tester") in source.calls, "y")
        _select(app, 7)
        await pilot.press("i")
        assert ("INVESTIGATING", 7, "tester") in source.calls
        await pilot.press("t")
        await wait_for(pilot, lambda: _postmortem(app, 7), "incident 7")
        assert "No postmortem yet" in _postmortem(app, 7)
        await pilot.press("escape")
        await pilot.press("p")
        await wait_for(pilot, lambda: _postmortem(app, 4), "incident 4")
        assert "Root cause" in _postmortem(app, 4)


def _postmortem(app: WarRoomApp, incident_id: int) -> str:
    screen = app.screen
    if isinstance(screen, IncidentScreen) and screen.incident_id == incident_id:
        return screen.postmortem_source
    return ""


async def test_long_plan_scrolls_above_buttons(
    tmp_path: Path,
) -> None:
    sessions = ", ".join(str(session) for session in range(100, 300))
    plan = ActionResult("cleanup_stale", True, True, f"would terminate {sessions}")
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ConfirmRemediate(6, plan, dry_run_only=True))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRemediate), "plan")
        await pilot.pause()
        dialog = app.screen
        screen = Region(0, 0, 80, 24)
        for button in dialog.query(Button):
            assert screen.contains_region(button.region), button.label
        scroll = dialog.query_one(".dialog-plan", VerticalScroll)
        assert scroll.max_scroll_y > 0
        await pilot.press("down", "down")
        assert scroll.scroll_y == 2
        assert dialog.focused is dialog.query_one("#no", Button)


async def test_manual_incident_plan_says_resolve(tmp_path: Path) -> None:
    source = FakeSource()
    incident = source.incidents[7]
    incident.dedup_key = "manual:7"

    async def acknowledge(incident_id, actor, dry_run=None) -> ActionResult:
        return ActionResult(NO_ACTION, True, True, "no action for this kind")

    source.remediate = acknowledge
    app = _app(source, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _select(app, 7)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRemediate), "plan")

        body = "\n".join(str(item.content) for item in app.screen.query(Static))
        assert "resolve it with s once it is fixed" in body
        assert "resolves once its condition clears" not in body


async def test_unknown_incident_is_a_toast(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _select(app, 7)
        del source.incidents[7]
        await pilot.press("e")
        assert any("incident 7 not found" in n for n in notifications(pilot))
        assert app.is_running

        await pilot.press("t")
        await wait_for(
            pilot, lambda: isinstance(app.screen, WarRoomScreen), "the war room again"
        )
        assert any("open incident 7 rejected" in n for n in notifications(pilot))


async def test_markup_in_title_shown_as_text(tmp_path: Path) -> None:
    # An application name such as "[/]x" reaches the title of a blocking
    # incident, and Textual would read it as a closing tag.
    source = FakeSource()
    incident = next(iter(source.open_incidents()))
    incident.title = "session 7 ([/] unbalanced [red]RED[/red]) blocks 2"
    app = _app(source, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(IncidentTable)
        await wait_for(pilot, lambda: table.row_count > 0, "the incident rows")
        _select(app, incident.id)
        await pilot.pause()

        assert app.is_running
        subtitle = Content.from_markup(table.border_subtitle or "")
        assert subtitle.plain == incident.title
