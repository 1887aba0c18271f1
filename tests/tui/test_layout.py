"""The war room's layout keeps the open incidents in sight at every size."""

from __future__ import annotations

import pytest
from tui_fake_source import FakeSource, fixed_clock

from warroom.tui.app import WarRoomApp
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
