"""The dashboard in headless Chromium against a real `warroom serve`: live
figures, a Long Running Query drill triggered through the page, and the
page's state once the server is gone."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import CHROMIUM, TOKEN

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found; install Debian's chromium package",
)

SCENARIO = "long_running_query"
# Milliseconds. Detection takes a poll or two; with remediation the drill
# resolves within a few seconds, and without it the fault lasts 45 s.
LIVE_TIMEOUT = 10_000
INCIDENT_TIMEOUT = 20_000
RESOLVE_TIMEOUT = 40_000


async def wait_for_new_poll(page, previous: str) -> str:
    handle = await page.wait_for_function(
        """previous => {
            const taken = document.getElementById("last-poll").dataset.takenAt;
            return taken && taken !== previous ? taken : null;
        }""",
        arg=previous,
        timeout=LIVE_TIMEOUT,
    )
    return await handle.json_value()


async def test_dashboard_drill_end_to_end(browser_page, warroom_server, tmp_path: Path):
    page = browser_page.page
    await page.goto(warroom_server.url)

    await page.wait_for_selector(".stream-live", timeout=LIVE_TIMEOUT)
    first = await wait_for_new_poll(page, "")
    second = await wait_for_new_poll(page, first)
    assert second > first
    assert await page.locator("#cards .card").count() == 5
    assert await page.locator("#cards .card svg.trend").count() == 5
    healthcare = page.locator("#healthcare .card")
    await healthcare.nth(3).wait_for(timeout=LIVE_TIMEOUT)
    assert await healthcare.count() == 4
    assert "claims today" in await healthcare.first.inner_text()
    read = page.locator("#healthcare .healthcare-read")
    assert "read " in await read.text_content()

    await page.fill("#token", TOKEN)
    await page.fill("#actor", "e2e tester")
    await page.click("#use-token")
    trigger = page.locator(f'li[data-scenario="{SCENARIO}"] button.trigger')
    await trigger.click()
    dialog = page.locator("#confirm-inject")
    await dialog.wait_for()
    assert "Inject Long Running Query?" in await dialog.inner_text()
    assert "target demo" in await dialog.inner_text()
    assert await dialog.locator("input[name=auto_remediate]").is_checked()
    await dialog.locator("button.confirm").click()

    row = page.locator(
        "#incident-rows tr", has=page.locator("td.kind", has_text="blocking")
    )
    await row.wait_for(timeout=INCIDENT_TIMEOUT)
    incident_id = await row.get_attribute("data-incident")
    assert incident_id
    written = page.locator(f'#postmortem-rows tr[data-incident="{incident_id}"]')
    await written.wait_for(timeout=RESOLVE_TIMEOUT)
    open_row = page.locator(f'#incident-rows tr[data-incident="{incident_id}"]')
    await open_row.wait_for(state="detached", timeout=LIVE_TIMEOUT)
    drill = page.locator("#chaos .drill")
    await drill.filter(has_text="passed").wait_for(timeout=LIVE_TIMEOUT)
    assert "last drill" in await drill.inner_text()

    await written.locator("button").click()
    postmortem = page.locator("#incident-dialog pre.postmortem")
    await postmortem.wait_for(timeout=LIVE_TIMEOUT)
    assert f"incident {incident_id}" in await postmortem.inner_text()
    timeline = await page.locator("#incident-dialog table.timeline").inner_text()
    assert "RESOLVED" in timeline
    await page.keyboard.press("Escape")
    await page.locator("#incident-dialog").wait_for(state="detached")

    screenshot = tmp_path / "dashboard.png"
    await page.screenshot(path=str(screenshot), full_page=True)
    await page.set_viewport_size({"width": 420, "height": 800})
    narrow = tmp_path / "dashboard-narrow.png"
    await page.screenshot(path=str(narrow), full_page=True)
    print(f"dashboard screenshots: {screenshot} {narrow}")
    assert browser_page.errors == []

    drills = httpx.get(f"{warroom_server.url}api/chaos/drills", timeout=5).json()
    assert drills[0]["scenario"] == SCENARIO
    assert drills[0]["actor"] == "e2e tester"
    assert drills[0]["status"] == "passed"
    assert TOKEN not in page.url
    assert await page.evaluate("localStorage.length") == 0
    stored = await page.evaluate("sessionStorage.getItem('warroom.token')")
    assert stored == TOKEN

    seconds = warroom_server.stop()
    assert seconds < 10, f"warroom serve took {seconds:.1f} s to stop"
    stream = page.locator(".stream-disconnected")
    await stream.wait_for(timeout=LIVE_TIMEOUT)
    assert "stream disconnected, retrying" in await stream.inner_text()
    assert "stale" in (await page.locator("body").get_attribute("class") or "")
    assert await page.locator("#banner").is_visible()
