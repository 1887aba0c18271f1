"""The dashboard's validation panel in Chromium against a real `warroom
serve`: the score, Run now with its confirmation, and a failing rule's
sample keys after a data corruption drill."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.e2e.conftest import CHROMIUM, TOKEN, get_json, open_with_token

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found; install Debian's chromium package",
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Milliseconds. The engine runs the rules after its first poll.
LIVE_TIMEOUT = 20_000
RUN_TIMEOUT = 60_000
# Seconds to wait for the drill's bad rows to fail a rule.
CORRUPTION_SECONDS = 60.0


async def _scorecard(server) -> dict:
    return await get_json(server, "/api/validation/scorecard")


async def _open_page(browser_page, warroom_server):
    page = await open_with_token(browser_page, warroom_server, LIVE_TIMEOUT)
    score = page.locator("#validation .validation-score", has_text="passed")
    await score.wait_for(timeout=LIVE_TIMEOUT)
    return page


async def _corrupt_until_a_rule_fails(server) -> dict:
    """Inject the data corruption drill, without remediation, and run the
    rules until one fails; return that scorecard."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        started = await client.post(
            "/api/chaos/trigger",
            json={"scenario": "data_corruption", "auto_remediate": False},
            headers=AUTH,
        )
        assert started.status_code == 202, started.text
        deadline = time.monotonic() + CORRUPTION_SECONDS
        while time.monotonic() < deadline:
            response = await client.post("/api/validation/run", headers=AUTH)
            assert response.status_code == 200, response.text
            scorecard = response.json()
            if any(result["outcome"] == "fail" for result in scorecard["results"]):
                return scorecard
            await asyncio.sleep(1)
    raise AssertionError(f"no rule failed within {CORRUPTION_SECONDS:g} s")


async def test_panel_shows_score(browser_page, warroom_server):
    page = await _open_page(browser_page, warroom_server)
    scorecard = await _scorecard(warroom_server)

    score = await page.locator("#validation .validation-score").text_content()
    counts = await page.locator("#validation .validation-counts").text_content()
    assert f"{scorecard['passed']}/{scorecard['evaluated']} passed" in score
    assert f"{scorecard['rules']} rules every" in counts
    assert "ran " in counts
    assert "not configured" not in await page.locator("#validation").inner_text()
    assert browser_page.errors == []


async def test_run_now_confirms_then_runs(browser_page, warroom_server):
    page = await _open_page(browser_page, warroom_server)
    panel = page.locator("#validation")
    runs = []
    page.on(
        "request",
        lambda request: (
            runs.append(request) if "/api/validation/run" in request.url else None
        ),
    )

    await panel.locator("button.act-run-checks").click()
    dialog = page.locator("#confirm-run-checks")
    await dialog.wait_for()
    text = await dialog.inner_text()
    assert "Run the validation rules now?" in text
    assert "target demo" in text
    await dialog.locator("button.cancel").click()
    await dialog.wait_for(state="detached")
    assert runs == []

    async with page.expect_request("**/api/validation/run") as sent:
        await panel.locator("button.act-run-checks").click()
        await dialog.locator("button.confirm").click()
    request = await sent.value
    assert request.method == "POST"
    assert request.headers.get("x-warroom-actor") == "e2e tester"
    message = page.locator(".message", has_text="evaluated rule(s) passed")
    await message.wait_for(timeout=RUN_TIMEOUT)
    assert browser_page.errors == []


async def test_samples_of_failing_rule(browser_page, warroom_server):
    page = await _open_page(browser_page, warroom_server)
    scorecard = await _corrupt_until_a_rule_fails(warroom_server)
    failed = [item for item in scorecard["results"] if item["outcome"] == "fail"]
    with_samples = next(item for item in failed if item["samples"])

    rule = page.locator(f'#validation li[data-rule="{with_samples["rule"]}"]')
    await rule.wait_for(timeout=LIVE_TIMEOUT)
    assert f"{with_samples['violations']} violation(s)" in await rule.inner_text()
    score = page.locator("#validation .validation-score.state-critical")
    await score.wait_for(timeout=LIVE_TIMEOUT)

    await rule.locator("button.act-samples").click()
    dialog = page.locator("#validation-dialog")
    await dialog.wait_for()
    opened = dialog.locator(f'details[data-rule="{with_samples["rule"]}"][open]')
    await opened.wait_for(timeout=LIVE_TIMEOUT)
    text = await opened.inner_text()
    assert f"Sample keys ({len(with_samples['samples'])}):" in text
    first = with_samples["samples"][0]
    column, value = next(iter(first.items()))
    assert f"{column}={value}" in text
    assert await dialog.locator("details").count() == scorecard["rules"]

    await dialog.locator("button.close").click()
    await dialog.wait_for(state="detached")
    assert browser_page.errors == []
