"""The dashboard's SLA panel in Chromium: figures on load, and a new incident
counted after its event."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import CHROMIUM, TOKEN

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found; install Debian's chromium package",
)

LIVE_TIMEOUT = 10_000


async def test_sla_panel_counts_new_incident(browser_page, warroom_server):
    page = browser_page.page
    await page.goto(warroom_server.url)
    figures = page.locator("#sla .sla-figure")
    await figures.nth(6).wait_for(timeout=LIVE_TIMEOUT)
    incidents = page.locator('#sla .sla-figure[data-key="incidents"] dd')
    before = await incidents.text_content()

    async with httpx.AsyncClient(base_url=warroom_server.url) as client:
        response = await client.post(
            "/api/incidents",
            json={"kind": "disk_full", "title": "volume full", "severity": "critical"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 201, response.text

    await page.wait_for_function(
        "(before) => document.querySelector("
        "'#sla .sla-figure[data-key=\"incidents\"] dd').textContent !== before",
        arg=before,
        timeout=LIVE_TIMEOUT,
    )
    text = await incidents.text_content()
    # A poll may open an incident of its own meanwhile, so count at least one.
    assert int(text.split()[0]) >= int(before.split()[0]) + 1
    assert await figures.count() == 7
    window = await page.locator("#sla .sla-window").text_content()
    assert window == "(last 24 h)"
    targets = await page.locator("#sla .sla-targets").text_content()
    assert "critical 60 min" in targets
