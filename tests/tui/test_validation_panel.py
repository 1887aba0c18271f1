"""The validation panel, the validation screen with its sample keys, and the
key that runs the rules now."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from tui_fake_source import SCORECARD, FakeChecks, FakeSource, fixed_clock
from tui_helpers import notifications, wait_for

from engine.validation.cycle import ChecksCompleted
from engine.validation.models import RuleResult
from warroom.tui.app import WarRoomApp
from warroom.tui.feed import Feed
from warroom.tui.messages import DrillUpdated, ValidationUpdated
from warroom.tui.screens.validation import ValidationScreen
from warroom.tui.views import ValidationView
from warroom.tui.widgets.incidents import IncidentTable
from warroom.tui.widgets.rule_results import RuleResultDetail, RuleResultTable
from warroom.tui.widgets.validation import (
    ValidationPanel,
    fitted_names,
    panel_lines,
    rule_line,
)


def _app(source: FakeSource, tmp_path: Path) -> WarRoomApp:
    return WarRoomApp(
        source, clock=fixed_clock, actor="oncall", log_file=tmp_path / "tui.log"
    )


def _lines(widget) -> list[str]:
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return [strip.text for strip in widget.render_lines(region)]


def _view(**fields) -> ValidationView:
    values = {
        "now": fixed_clock(),
        "rules": 24,
        "interval_seconds": 30.0,
        "scorecard": SCORECARD,
        "error": None,
    }
    values.update(fields)
    return ValidationView(**values)


def _plain(view: ValidationView, width: int = 16, height: int = 5) -> list[str]:
    return [line.plain for line in panel_lines(view, width, height)]


def test_feed_redraws_on_checks_completed() -> None:
    source = FakeSource()
    feed = Feed(source, fixed_clock)

    startup = [
        item for item in feed.everything() if isinstance(item, ValidationUpdated)
    ]
    polled = feed.messages_for([source.last_poll])
    checked = feed.messages_for([ChecksCompleted(SCORECARD, ())])

    assert len(startup) == 1
    assert startup[0].view.scorecard is SCORECARD
    assert not [item for item in polled if isinstance(item, ValidationUpdated)]
    # The chaos panel reads the scenarios again: a check that cannot run
    # blocks the drills it would find.
    assert [type(item) for item in checked] == [DrillUpdated, ValidationUpdated]


def test_lines_before_first_run() -> None:
    assert _plain(_view(scorecard=None)) == ["no run yet", "24 rules · every 30s"]
    running = _plain(_view(scorecard=None, running=True))
    assert running[0] == "first run in progress"


def test_lines_when_first_run_failed() -> None:
    view = _view(scorecard=None, error="validation: relation missing")
    lines = _plain(view, width=26)

    assert " ".join(lines) == "first run failed: validation: relation missing"
    assert len(lines) == 3


def test_lines_keep_score_beside_error() -> None:
    lines = _plain(_view(error="phi: timed out"), width=40)

    assert lines[0] == "40% 2/5 passed"
    assert lines[1] == "last cycle incomplete: phi: timed out"


def test_lines_count_not_evaluated_apart() -> None:
    lines = _plain(_view(), width=40, height=8)

    assert lines[1] == "1 not evaluated"
    # Critical failures come first, then by violation count.
    assert lines[2] == "✗ 3 npi_check_digit"
    assert lines[3] == "✗ 1 prescription_patient_exists"
    assert lines[4] == "! 12 claims_quantity_range"
    assert len(lines) == 5


def test_lines_fold_rules_that_do_not_fit() -> None:
    lines = _plain(_view(), height=4)

    assert len(lines) == 4
    # A name too long for the line is cut at its end.
    assert lines[2] == "✗ 3 npi_check_d…"
    assert lines[3] == "+2 more failing"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (
            ["prescriptions_provider_exists", "prescriptions_controlled_need_dea"],
            ["✗ 1 presc…exists", "✗ 1 presc…ed_dea"],
        ),
        (
            ["claims_quantity_range", "claims_days_supply_range"],
            ["✗ 1 claims_quan…", "✗ 1 claims_days…"],
        ),
        (
            ["healthcare_claims_x_range", "healthcare_claims_y_range"],
            ["✗ 1 …ims_x_range", "✗ 1 …ims_y_range"],
        ),
    ],
)
def test_cut_names_stay_apart(names: list[str], expected: list[str]) -> None:
    table = "healthcare.prescriptions"
    results = [
        RuleResult(name, table, "custom_sql", "critical", "fail", 1) for name in names
    ]

    fitted = fitted_names(results, 16)
    lines = [rule_line(result, 16, fitted[result.rule]).plain for result in results]

    assert lines == expected
    assert all(len(line) <= 16 for line in lines)


def test_lines_without_rules() -> None:
    assert _plain(_view(rules=0, scorecard=None))[0] == "no rules configured"


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
async def test_panel_fits_war_room(tmp_path: Path, size) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=size) as pilot:
        panel = app.screen.query_one(ValidationPanel)
        await wait_for(pilot, lambda: panel.view is not None, "the scorecard")
        await pilot.pause()

        drawn = _lines(panel)
        text = "\n".join(drawn)
        assert "40% 2/5 passed" in text
        assert "1 not evaluated" in text
        assert "ran 12s ago" in drawn[-1]
        assert "npi_c" in text
        assert len(drawn) == panel.outer_size.height
        shown = str(panel.content).splitlines()
        assert len(shown) <= panel.content_size.height, shown
        incidents = app.screen.query_one(IncidentTable)
        assert incidents.region.height >= 6, incidents.region
        assert not panel.region.overlaps(incidents.region)


async def test_panel_says_first_run_error(tmp_path: Path) -> None:
    source = FakeSource()
    source.checks = FakeChecks(None, "validation: connection refused")
    app = _app(source, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        panel = app.screen.query_one(ValidationPanel)
        await wait_for(pilot, lambda: panel.view is not None, "the view")
        await pilot.pause()

        text = " ".join(line.strip("│ ") for line in _lines(panel))
        assert "first run failed: validation: connection refused" in text
        assert "not configured" not in text
        assert panel.has_class("-error")


async def test_screen_shows_samples(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("v")
        assert isinstance(app.screen, ValidationScreen)
        table = app.screen.query_one(RuleResultTable)
        await wait_for(pilot, lambda: table.row_count == 6, "the rules")

        assert table.selected is not None
        assert table.selected.rule == "npi_check_digit"
        table.move_cursor(row=2)
        await pilot.pause()
        detail = str(app.screen.query_one(RuleResultDetail).content)
        assert "claims_quantity_range on healthcare.pharmacy_claims" in detail
        assert "4 NULL(s) skipped" in detail
        assert "sample keys (10):" in detail
        assert "claim_id=1009" in detail

        await pilot.press("escape")
        assert not isinstance(app.screen, ValidationScreen)


async def test_click_on_panel_opens_screen(tmp_path: Path) -> None:
    app = _app(FakeSource(), tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.click(ValidationPanel)
        await wait_for(
            pilot, lambda: isinstance(app.screen, ValidationScreen), "the screen"
        )


@pytest.mark.parametrize("on_screen", [False, True], ids=["war_room", "screen"])
async def test_run_key_runs_rules(tmp_path: Path, on_screen: bool) -> None:
    source = FakeSource()
    app = _app(source, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        if on_screen:
            await pilot.press("v")
        await pilot.press("V")
        await wait_for(pilot, lambda: source.checks_run == 1, "the run")
        await wait_for(
            pilot,
            lambda: any("validation rules ran" in n for n in notifications(pilot)),
            "the toast",
        )
        assert "2 of 5 evaluated rule(s) passed, 3 failed" in "\n".join(
            notifications(pilot)
        )


async def test_run_key_remaps(tmp_path: Path) -> None:
    source = FakeSource()
    source.config.warroom.keys = {"run_checks": "ctrl+r"}
    app = _app(source, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("V")
        await pilot.pause()
        assert source.checks_run == 0
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: source.checks_run == 1, "the run")
