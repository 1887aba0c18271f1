"""Engine events reach the widgets through the App's feed worker."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from pathlib import Path

from tui_fake_source import NOW, FakeSource, fixed_clock
from tui_helpers import notifications, wait_for

from engine.events import DrillProgress, EngineNotice, IncidentChanged, PollFailed
from engine.incidents.models import Status
from warroom.tui.app import WarRoomApp
from warroom.tui.logs import FileLogging
from warroom.tui.widgets.incidents import IncidentTable
from warroom.tui.widgets.postmortems import PostmortemTable
from warroom.tui.widgets.status_bar import StatusBar


def _app(source: FakeSource, tmp_path: Path, clock=fixed_clock) -> WarRoomApp:
    return WarRoomApp(source, clock=clock, actor="tester", log_file=tmp_path / "t.log")


def _status(app: WarRoomApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def test_unreachable_target_turns_status_bar_red(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        source.last_error = "connection refused by 10.0.0.9:5432"
        source.bus.publish(PollFailed(NOW, source.last_error))
        bar = app.screen.query_one(StatusBar)
        await wait_for(pilot, lambda: bar.has_class("-error"), "the red status bar")
        assert "TARGET UNREACHABLE: connection refused" in _status(app)


async def test_lost_engine_named_apart_from_target(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(160, 36)) as pilot:
        source.link_error = "lost the sidecar at http://127.0.0.1:8000: refused"
        source.bus.publish(PollFailed(NOW, source.link_error))
        bar = app.screen.query_one(StatusBar)
        await wait_for(pilot, lambda: bar.has_class("-error"), "the red status bar")
        text = _status(app)
        assert "ENGINE NOT REACHABLE: lost the sidecar" in text
        assert "TARGET UNREACHABLE" not in text
        assert "last poll" in text


async def test_old_poll_is_flagged_stale(tmp_path: Path) -> None:
    late = NOW + timedelta(seconds=30)
    app = _app(FakeSource(), tmp_path, clock=lambda: late)
    async with app.run_test(size=(120, 36)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await wait_for(pilot, lambda: bar.has_class("-stale"), "the stale warning")
        assert "NO RECENT POLL" in _status(app)


async def test_new_incident_appears_with_a_toast(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.screen.query_one(IncidentTable)
        table.move_cursor(row=table.get_row_index("6"))
        incident = source.incidents[7]
        opened = type(incident)(**{**vars(incident), "id": 8, "timeline": []})
        opened.status = Status.DETECTED
        source.incidents[8] = opened
        source.bus.publish(IncidentChanged(opened, "opened"))
        source.bus.publish(EngineNotice("info", "drill deadlock started by tester"))

        await wait_for(pilot, lambda: "8" in table.rows, "the new row")
        assert table.selected_id == 6
        assert any("incident 8 opened" in line for line in notifications(pilot))
        assert any("drill deadlock started" in line for line in notifications(pilot))


async def test_newest_postmortem_stays_in_view(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(PostmortemTable)
        first = table.selected_id
        incident = source.incidents[7]
        resolved = type(incident)(**{**vars(incident), "id": 9, "timeline": []})
        resolved.status = Status.RESOLVED
        resolved.resolved_at = NOW + timedelta(seconds=5)
        source.incidents[9] = resolved
        source.bus.publish(IncidentChanged(resolved, "status"))

        await wait_for(pilot, lambda: "9" in table.rows, "the new postmortem")
        assert first != 9
        assert table.selected_id == 9
        assert table.scroll_y == 0


async def test_drill_not_rolled_back_says_so(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        error = "rollback failed: 1 journal entry(s) not restored"
        figures = {"final": True, "rolled_back": False, "error": error}
        source.bus.publish(
            DrillProgress(34, "formulary_change", "ended", "failed", figures)
        )

        await wait_for(
            pilot,
            lambda: any("NOT rolled back" in line for line in notifications(pilot)),
            "the rollback failure toast",
        )
        (line,) = [line for line in notifications(pilot) if "drill 34" in line]
        assert f"NOT rolled back: {error}" in line
        assert "rolled back;" not in line


async def test_rows_restored_later_says_so(tmp_path: Path) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        figures = {"final": True, "rolled_back": True}
        source.bus.publish(
            DrillProgress(
                34, "phi_exposure", "restored", "rows restored later", figures
            )
        )

        await wait_for(
            pilot,
            lambda: any("drill 34" in line for line in notifications(pilot)),
            "the restore toast",
        )
        (line,) = [line for line in notifications(pilot) if "drill 34" in line]
        assert "its rows are back, so it no longer blocks drills" in line


def test_file_logging_sets_terminal_handlers_aside(tmp_path: Path) -> None:
    root = logging.getLogger()
    terminal = logging.StreamHandler(sys.stderr)
    root.addHandler(terminal)
    logs = FileLogging(tmp_path / "logs" / "tui.log")
    try:
        logs.start()
        assert terminal not in root.handlers
        logging.getLogger("warroom.tui.test").warning("to the file only")
    finally:
        logs.stop()
        root.removeHandler(terminal)
    assert "to the file only" in (tmp_path / "logs" / "tui.log").read_text()


def test_reserved_login_name_marked(tmp_path: Path) -> None:
    app = WarRoomApp(FakeSource(), actor="scheduler", log_file=tmp_path / "t.log")

    assert app.actor == "scheduler (tui)"
