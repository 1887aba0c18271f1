"""The TUI attached to a sidecar against the dashboard the sidecar serves:
the same incident, with the same status, within one poll of each other."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from textual.widgets import OptionList

from engine.config.models import WarroomConfig
from engine.incidents.models import Status
from tests.attach.conftest import TOKEN
from tests.attach.faces import FirstSeen, blocking_incident, tui_pairs
from tests.conftest import fast_config
from warroom.attach.client import SidecarClient
from warroom.attach.source import RemoteSource
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.confirm import ConfirmInject, ConfirmRemediate
from warroom.tui.screens.scenario_picker import ScenarioPicker
from warroom.tui.widgets.incidents import IncidentTable
from warroom.tui.widgets.postmortems import PostmortemTable

SCENARIO = "long_running_query"
POLL_SECONDS = 1.0


@pytest.fixture
def config() -> WarroomConfig:
    # The production poll interval: "within one poll" means one second here.
    config = fast_config()
    config.warroom.monitor.poll_interval_seconds = POLL_SECONDS
    return config


def _dashboard_pairs(body: dict) -> set[tuple[int, str]]:
    pairs = {(item["id"], item["status"]) for item in body["open_incidents"]}
    pairs |= {(row["incident_id"], "RESOLVED") for row in body["recent_postmortems"]}
    return pairs


async def test_attached_tui_and_dashboard_agree(sidecar, engine, tmp_path: Path):
    source = RemoteSource(SidecarClient(sidecar.url, TOKEN), fast_config())
    await source.connect()
    app = WarRoomApp(source, actor="attached", log_file=tmp_path / "tui.log")
    tui, dashboard = FirstSeen(), FirstSeen()
    try:
        async with (
            app.run_test(size=(140, 40)) as pilot,
            httpx.AsyncClient(base_url=sidecar.url) as browser,
        ):
            incidents = app.screen.query_one(IncidentTable)
            postmortems = app.screen.query_one(PostmortemTable)

            async def watch_both(until) -> None:
                deadline = time.monotonic() + 40
                while time.monotonic() < deadline:
                    tui.saw(tui_pairs(incidents, postmortems))
                    body = (await browser.get("/api/dashboard")).json()
                    dashboard.saw(_dashboard_pairs(body))
                    # The TUI may have redrawn while the request ran.
                    tui.saw(tui_pairs(incidents, postmortems))
                    if until():
                        return
                    await pilot.pause(0.05)

            await pilot.press("c")
            await watch_both(lambda: isinstance(app.screen, ScenarioPicker))
            names = [option.id for option in app.screen.query_one(OptionList)._options]
            for _ in range(names.index(SCENARIO)):
                await pilot.press("down")
            await pilot.press("enter")
            await watch_both(lambda: isinstance(app.screen, ConfirmInject))
            await pilot.press("y")

            await watch_both(lambda: blocking_incident(incidents) is not None)
            incident_id = blocking_incident(incidents)
            assert incident_id is not None, "the drill's incident never showed"
            incidents.move_cursor(row=incidents.get_row_index(str(incident_id)))

            await pilot.press("i")
            await watch_both(
                lambda: (
                    (incident_id, "INVESTIGATING") in dashboard.at
                    and (incident_id, "INVESTIGATING") in tui.at
                )
            )
            await pilot.press("r")
            await watch_both(lambda: isinstance(app.screen, ConfirmRemediate))
            await pilot.press("y")
            await watch_both(
                lambda: (
                    (incident_id, "RESOLVED") in dashboard.at
                    and (incident_id, "RESOLVED") in tui.at
                )
            )
    finally:
        await source.close()

    assert engine.get_incident(incident_id).status is Status.RESOLVED
    timeline = engine.get_incident(incident_id).timeline
    assert any(entry.actor == "attached" for entry in timeline)
    for status in ("DETECTED", "INVESTIGATING", "RESOLVED"):
        pair = (incident_id, status)
        assert pair in tui.at, f"the TUI never showed incident {incident_id} {status}"
        assert pair in dashboard.at, f"the dashboard never showed {pair}"
        apart = abs(tui.at[pair] - dashboard.at[pair])
        print(f"incident {incident_id} {status}: faces {apart * 1000:.0f} ms apart")
        assert apart <= POLL_SECONDS, f"{status}: the faces were {apart:.2f} s apart"
