"""The dashboard's Remediate… button in Chromium against a real `warroom serve`:
it shows the playbook's dry run, cancel changes nothing, and confirm runs it."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import CHROMIUM, TOKEN, get_json, open_with_token

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found; install Debian's chromium package",
)

# Milliseconds.
LIVE_TIMEOUT = 10_000
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Warroom-Actor": "e2e reporter"}


async def _incident(server, incident_id: int) -> dict:
    return await get_json(server, f"/api/incidents/{incident_id}")


async def test_remediate_previews_then_runs(browser_page, warroom_server):
    page = await open_with_token(browser_page, warroom_server, LIVE_TIMEOUT)
    async with httpx.AsyncClient(base_url=warroom_server.url) as client:
        reported = await client.post(
            "/api/incidents",
            json={"kind": "deadlock", "title": "deadlock on claims"},
            headers=AUTH,
        )
    assert reported.status_code == 201, reported.text
    incident_id = reported.json()["id"]
    row = page.locator(f'#incident-rows tr[data-incident="{incident_id}"]')
    await row.wait_for(timeout=LIVE_TIMEOUT)

    await row.locator("button.act-remediate").click()
    dialog = page.locator("#confirm-remediate")
    await dialog.wait_for(timeout=LIVE_TIMEOUT)
    text = await dialog.inner_text()
    assert f"Remediate incident {incident_id}?" in text
    assert "Playbook action: acknowledge. Dry run:" in text
    await dialog.locator("button.cancel").click()
    await dialog.wait_for(state="detached")
    previewed = await _incident(warroom_server, incident_id)
    assert previewed["status"] == "DETECTED"
    assert previewed["timeline"][-1]["action"] == "remediation (dry run): acknowledge"

    await row.locator("button.act-remediate").click()
    await dialog.locator("button.confirm").click()
    done = page.locator(
        ".message", has_text=f"incident {incident_id}: acknowledge succeeded"
    )
    await done.wait_for(timeout=LIVE_TIMEOUT)
    remediated = await _incident(warroom_server, incident_id)
    assert remediated["status"] == "REMEDIATING"
    assert remediated["timeline"][-1]["actor"] == "e2e tester"
    assert browser_page.errors == []
