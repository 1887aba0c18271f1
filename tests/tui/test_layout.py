"""The war room's layout keeps the open incidents in sight at every size, and
the chaos panel shows all nine scenarios and the running drill."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.geometry import Region
from tui_fake_source import NINE, FakeSource, NineScenarios, _scenario, fixed_clock
from tui_helpers import wait_for

from engine.events import DrillProgress
from warroom.tui.app import WarRoomApp
from warroom.tui.widgets.chaos import ChaosPanel, choose_layout, state_of
from warroom.tui.widgets.incidents import IncidentTable


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (200, 60)])
async def test_open_incidents_keep_rows(tmp_path, size) -> None:
    app = WarRoomApp(
        FakeSource(), clock=fixed_clock, actor="oncall", log_file=tmp_path / "tui.log"
    )
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        table = app.screen.query_one(IncidentTable)

        # Border and header take three lines, so at least three rows show.
        assert table.region.height >= 6, table.region


# How each scenario's name starts on screen: the shortened names, cut to
# six characters because the narrowest layout may end a name with "…".
NAME_PREFIX = {
    "long_running_query": "long q",
    "connection_flood": "conn f",
    "deadlock": "deadlo",
    "data_corruption": "corrup",
    "orphaned_records": "orphan",
    "job_failure": "job fa",
    "claim_volume_spike": "claim ",
    "phi_exposure": "PHI re",
    "formulary_change": "formul",
}

FULL_STATES = {
    "long_running_query": "ready",
    "connection_flood": "cooldown 95s",
    "deadlock": "blocked",
    "data_corruption": "ready",
    "orphaned_records": "disabled",
    "job_failure": "ready",
    "claim_volume_spike": "running",
    "phi_exposure": "ready",
    "formulary_change": "blocked",
}
SHORT_STATES = FULL_STATES | {
    "connection_flood": "cool 95s",
    "orphaned_records": "off",
}


def test_block_shown_before_cooldown() -> None:
    scenario = _scenario(
        "deadlock",
        cooldown_remaining=95,
        blocked_by="drill 4 left rows not yet restored",
    )

    assert state_of(scenario, 0, short=False) == ("blocked", "blocked")
    assert state_of(scenario, 0, short=True) == ("blocked", "blocked")


def _lines(widget) -> list[str]:
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return [strip.text for strip in widget.render_lines(region)]


@pytest.mark.parametrize(
    ("size", "states"),
    [((80, 24), SHORT_STATES), ((120, 36), FULL_STATES), ((200, 50), FULL_STATES)],
    ids=["80x24", "120x36", "200x50"],
)
async def test_chaos_panel_shows_nine(tmp_path: Path, size, states) -> None:
    source = NineScenarios()
    app = WarRoomApp(
        source, clock=fixed_clock, actor="oncall", log_file=tmp_path / "tui.log"
    )
    async with app.run_test(size=size) as pilot:
        panel = app.screen.query_one(ChaosPanel)
        await wait_for(pilot, lambda: panel.layout_in_use is not None, "the panel")
        source.bus.publish(
            DrillProgress(12, "claim_volume_spike", "detecting", "waiting", {})
        )
        await wait_for(
            pilot, lambda: "detecting" in "\n".join(_lines(panel)), "the phase"
        )

        lines = _lines(panel)
        drawn = "\n".join(lines)
        for name, state in states.items():
            pattern = re.escape(NAME_PREFIX[name]) + r"\S*\s+" + re.escape(state)
            assert any(re.search(pattern, line) for line in lines), (name, drawn)
        assert "▶ drill 12 claim spike: detecting" in drawn
        assert "detect 1.2s · resolve -" in drawn

        # No row of the panel is cut off by the lower row's fixed height.
        assert len(lines) == panel.outer_size.height
        shown = str(panel.content).splitlines()
        assert len(shown) <= panel.content_size.height, shown
        incidents = app.screen.query_one(IncidentTable)
        assert incidents.region.height >= 6, incidents.region
        assert not panel.region.overlaps(incidents.region)


def test_layout_on_wide_panel() -> None:
    layout = choose_layout(NINE, 80, 12)

    assert layout.columns == 1
    assert layout.drill_inline
    assert not layout.short_names
    assert not layout.short_states


def test_layout_moves_drill_to_border() -> None:
    layout = choose_layout(NINE, 56, 5)

    assert layout.columns == 2
    assert not layout.drill_inline
    assert layout.short_names
    assert not layout.short_states


def test_layout_when_nothing_fits() -> None:
    layout = choose_layout(NINE, 36, 5)

    assert layout.columns == 2
    assert layout.cell_width == 17
    assert layout.short_names
    assert layout.short_states
    assert not layout.drill_inline
