"""The dashboard's job controls in Chromium against a real `warroom serve`:
Run requests confirmation and starts a run, History lists the runs and
follows new ones, and an error from the API shows in words."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.e2e.conftest import CHROMIUM, TOKEN, get_json, open_with_token

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found; install Debian's chromium package",
)

JOB = "catalog_scan"
# Milliseconds. A catalog scan of the demo schema ends within seconds.
LIVE_TIMEOUT = 10_000
RUN_TIMEOUT = 30_000


async def _history(server, name: str) -> list[dict]:
    return await get_json(server, f"/api/jobs/{name}/history")


async def _open_page(browser_page, warroom_server):
    page = await open_with_token(browser_page, warroom_server, LIVE_TIMEOUT)
    await page.locator(f'#jobs tr[data-job="{JOB}"]').wait_for(timeout=LIVE_TIMEOUT)
    return page


async def test_run_job_confirms_then_runs(browser_page, warroom_server):
    page = await _open_page(browser_page, warroom_server)
    row = page.locator(f'#jobs tr[data-job="{JOB}"]')
    assert await row.locator(".job-status").text_content() == "no runs"
    assert await page.locator("#jobs tbody tr").count() >= 10

    await row.locator("button.act-run").click()
    dialog = page.locator("#confirm-run-job")
    await dialog.wait_for()
    text = await dialog.inner_text()
    assert f"Run job {JOB} now?" in text
    assert "target demo" in text
    await dialog.locator("button.cancel").click()
    await dialog.wait_for(state="detached")
    assert await _history(warroom_server, JOB) == []

    await row.locator("button.act-run").click()
    await dialog.locator("button.confirm").click()
    message = page.locator(".message", has_text=f"job {JOB} started")
    await message.wait_for(timeout=LIVE_TIMEOUT)
    status = row.locator(".job-status.status-succeeded")
    await status.wait_for(timeout=RUN_TIMEOUT)

    (run,) = await _history(warroom_server, JOB)
    assert run["trigger"] == "manual"
    assert run["actor"] == "e2e tester"
    assert run["status"] == "succeeded"
    assert browser_page.errors == []


async def test_history_follows_new_runs(browser_page, warroom_server):
    page = await _open_page(browser_page, warroom_server)
    row = page.locator(f'#jobs tr[data-job="{JOB}"]')

    await row.locator("button.act-history").click()
    dialog = page.locator("#job-history-dialog")
    await dialog.wait_for()
    state = dialog.locator(".history-state")
    await state.filter(has_text="has no runs yet").wait_for(timeout=LIVE_TIMEOUT)
    assert await dialog.locator("h2").text_content() == f"Runs of {JOB}"

    async with httpx.AsyncClient(base_url=warroom_server.url) as client:
        response = await client.post(
            "/api/jobs/trigger",
            json={"name": JOB},
            headers={"Authorization": f"Bearer {TOKEN}", "X-Warroom-Actor": "bob"},
        )
    assert response.status_code == 202, response.text
    run_id = response.json()["id"]

    finished = dialog.locator(
        f'tr[data-run="{run_id}"] td.run-status', has_text="succeeded"
    )
    await finished.wait_for(timeout=RUN_TIMEOUT)
    cells = await dialog.locator(f'tr[data-run="{run_id}"] td').all_text_contents()
    assert cells[0] == str(run_id)
    assert cells[1] == "-"
    assert cells[5] == "succeeded"
    assert cells[7] == "manual by bob"
    assert cells[8] == "-"
    assert "table(s)" in cells[9]
    assert await state.text_content() == "1 run(s), newest first. Times are UTC."

    await dialog.locator("button.close").click()
    await dialog.wait_for(state="detached")
    assert browser_page.errors == []


async def test_rejected_run_shows_reason(browser_page, warroom_server):
    page = await _open_page(browser_page, warroom_server)

    # The page only offers jobs the sidecar listed, so the request is sent on
    # for a job that does not exist, and the real sidecar responds with 404.
    async def unknown_job(route):
        await route.continue_(post_data=json.dumps({"name": "no_such_job"}))

    await page.route("**/api/jobs/trigger", unknown_job)
    row = page.locator(f'#jobs tr[data-job="{JOB}"]')
    await row.locator("button.act-run").click()
    await page.locator("#confirm-run-job button.confirm").click()

    error = page.locator(".message-error")
    await error.wait_for(timeout=LIVE_TIMEOUT)
    text = await error.inner_text()
    assert f"running job {JOB} failed: Job not found (404)" in text
    assert "job 'no_such_job' not found in config/jobs.yaml" in text
    assert await _history(warroom_server, JOB) == []
    assert browser_page.errors == []
