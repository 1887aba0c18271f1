"""An attached TUI and the dashboard in Chromium on one `warroom serve`: the
same incident with the same status, within one poll of each other."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.attach.faces import FirstSeen, blocking_incident, tui_pairs
from tests.conftest import fast_config
from tests.e2e.conftest import CHROMIUM, TOKEN
from warroom.attach.command import open_remote
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.confirm import ConfirmRemediate
from warroom.tui.widgets.incidents import IncidentTable
from warroom.tui.widgets.postmortems import PostmortemTable

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found; install Debian's chromium package",
)

# warroom serve polls every second with the shipped config.
POLL_SECONDS = 1.0
WATCH_SECONDS = 40.0

_PAGE_PAIRS = """() => {
    const pairs = [];
    for (const row of document.querySelectorAll("#incident-rows tr[data-incident]")) {
        const status = row.querySelector("td.status");
        pairs.push([Number(row.dataset.incident), status ? status.textContent : ""]);
    }
    for (const row of document.querySelectorAll("#postmortem-rows tr[data-incident]")) {
        pairs.push([Number(row.dataset.incident), "RESOLVED"]);
    }
    return pairs;
}"""


async def test_attached_tui_and_page_agree(
    browser_page, warroom_server, tmp_path: Path
):
    page = browser_page.page
    await page.goto(warroom_server.url)
    await page.wait_for_selector(".stream-live", timeout=10_000)
    source = await open_remote(warroom_server.url, TOKEN, fast_config())
    app = WarRoomApp(source, actor="attached", log_file=tmp_path / "tui.log")
    tui, browser = FirstSeen(), FirstSeen()
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            incidents = app.screen.query_one(IncidentTable)
            postmortems = app.screen.query_one(PostmortemTable)

            async def watch(until) -> None:
                deadline = time.monotonic() + WATCH_SECONDS
                while time.monotonic() < deadline:
                    tui.saw(tui_pairs(incidents, postmortems))
                    browser.saw(await page.evaluate(_PAGE_PAIRS))
                    # The TUI may have redrawn while the page was read.
                    tui.saw(tui_pairs(incidents, postmortems))
                    if until():
                        return
                    await pilot.pause(0.05)

            # Without remediation the drill's fault lasts until a person acts.
            async with httpx.AsyncClient(base_url=warroom_server.url) as api:
                started = await api.post(
                    "/api/chaos/trigger",
                    json={"scenario": "long_running_query", "auto_remediate": False},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
            assert started.status_code == 202, started.text

            await watch(lambda: blocking_incident(incidents) is not None)
            incident_id = blocking_incident(incidents)
            assert incident_id is not None, "the drill's incident never showed"
            incidents.move_cursor(row=incidents.get_row_index(str(incident_id)))

            await pilot.press("i")
            await watch(
                lambda: (
                    (incident_id, "INVESTIGATING") in browser.at
                    and (incident_id, "INVESTIGATING") in tui.at
                )
            )
            await pilot.press("r")
            await watch(lambda: isinstance(app.screen, ConfirmRemediate))
            assert isinstance(app.screen, ConfirmRemediate), "no remediation dialog"
            await pilot.press("y")
            await watch(
                lambda: (
                    (incident_id, "RESOLVED") in browser.at
                    and (incident_id, "RESOLVED") in tui.at
                )
            )
    finally:
        await source.close()

    for status in ("DETECTED", "INVESTIGATING", "RESOLVED"):
        pair = (incident_id, status)
        assert pair in tui.at, f"the TUI never showed incident {incident_id} {status}"
        assert pair in browser.at, f"the page never showed {pair}"
        apart = abs(tui.at[pair] - browser.at[pair])
        print(
            f"incident {incident_id} {status}: TUI and page {apart * 1000:.0f} ms apart"
        )
        assert apart <= POLL_SECONDS, f"{status}: {apart:.2f} s apart"
    assert browser_page.errors == []
