"""The dashboard's governance panel in Chromium against a real `warroom
serve`: the PHI columns with their mask rules, the lineage row of an ETL run
that starts while the page is open, a catalog scan made through the API, and
the Masked export control."""

from __future__ import annotations

import asyncio
import json
import re
import time

import httpx
import pytest

from tests.e2e.conftest import CHROMIUM, TOKEN, open_with_token

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found; install Debian's chromium package",
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECRET = "e2e-mask-secret-5d21"
# Milliseconds.
LIVE_TIMEOUT = 20_000
EXPORT_TIMEOUT = 30_000
# Seconds for the ETL job to write its lineage row.
ETL_SECONDS = 60.0
ETL_JOB = "etl_dim_patient"


@pytest.fixture(autouse=True)
def _mask_secret(monkeypatch):
    # Autouse fixtures run first, so the server starts with the secret that
    # the hash rule on member_id needs.
    monkeypatch.setenv("WARROOM_MASK_SECRET", SECRET)


async def _open_page(browser_page, warroom_server):
    page = await open_with_token(browser_page, warroom_server, LIVE_TIMEOUT)
    # The engine scans the catalog after its first poll.
    scanned = re.compile(r"^Catalog scan \d+ at")
    scan = page.locator("#governance .governance-scan", has_text=scanned)
    await scan.wait_for(timeout=LIVE_TIMEOUT)
    return page


async def _newest_run(client: httpx.AsyncClient) -> dict | None:
    response = await client.get("/api/governance/lineage?limit=1")
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    return rows[0] if rows else None


async def _run_etl_job(server) -> dict:
    """Run ETL_JOB now and return its lineage row once it is written."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        before = await _newest_run(client)
        last_id = before["run_id"] if before else 0
        started = await client.post(
            "/api/jobs/trigger", json={"name": ETL_JOB}, headers=AUTH
        )
        assert started.status_code in (200, 202), started.text
        deadline = time.monotonic() + ETL_SECONDS
        while time.monotonic() < deadline:
            newest = await _newest_run(client)
            if newest is not None and newest["run_id"] > last_id:
                return newest
            await asyncio.sleep(0.5)
    raise AssertionError(f"{ETL_JOB} wrote no lineage row within {ETL_SECONDS:g} s")


async def test_panel_shows_phi_and_lineage(browser_page, warroom_server):
    page = await _open_page(browser_page, warroom_server)
    async with httpx.AsyncClient(base_url=warroom_server.url) as client:
        phi = (await client.get("/api/governance/catalog/phi")).json()

    rows = page.locator("#governance .phi-rows tr")
    assert await rows.count() == len(phi["columns"])
    member = page.locator(
        '#governance .phi-rows tr[data-key="healthcare.patients.member_id"]'
    )
    assert await member.locator("td.mask").text_content() == "hash"
    birth = page.locator(
        '#governance .phi-rows tr[data-key="healthcare.patients.date_of_birth"]'
    )
    assert await birth.locator("td.mask").text_content() == "first 4"
    scan = await page.locator("#governance .governance-scan").text_content()
    assert f"Catalog scan {phi['scan']['id']}" in scan
    assert f"{len(phi['columns'])} PHI columns" in scan

    newest = await _run_etl_job(warroom_server)
    row = page.locator(f'#governance .lineage-rows tr[data-key="{newest["pipeline"]}"]')
    await row.wait_for(timeout=LIVE_TIMEOUT)
    # The row appears without a reload, and shows this run's counts.
    await row.locator("td.written", has_text=f"{newest['rows_written']:,}").wait_for(
        timeout=LIVE_TIMEOUT
    )
    text = await row.inner_text()
    assert f"{newest['source']} → {newest['target']}" in text
    assert f"{newest['rows_read']:,}" in text
    assert browser_page.errors == []


async def test_panel_follows_api_scan(browser_page, warroom_server):
    page = await _open_page(browser_page, warroom_server)
    async with httpx.AsyncClient(base_url=warroom_server.url, timeout=30) as client:
        scanned = await client.post("/api/governance/catalog/scan", headers=AUTH)
    assert scanned.status_code == 200, scanned.text

    # The catalog event brings the new scan well before the panel's own
    # periodic read (60 s).
    scan_id = scanned.json()["id"]
    heading = page.locator(
        "#governance .governance-scan", has_text=f"Catalog scan {scan_id} at"
    )
    await heading.wait_for(timeout=LIVE_TIMEOUT)
    assert browser_page.errors == []


async def test_masked_export_writes_file(browser_page, warroom_server, tmp_path):
    page = await _open_page(browser_page, warroom_server)
    form = page.locator("#governance .mask-export")
    await form.locator(".export-format").select_option("json")
    await form.locator(".export-path").fill("e2e/patients.json")

    async with page.expect_request("**/api/governance/mask-export") as sent:
        await form.locator("button.act-mask-export").click()
    request = await sent.value
    assert request.headers.get("x-warroom-actor") == "e2e tester"
    result = page.locator("#governance .export-result", has_text="Wrote")
    await result.wait_for(timeout=EXPORT_TIMEOUT)

    # The server's data directory is the test's home folder, and a relative
    # path is taken from its exports folder.
    path = tmp_path / "home" / "exports" / "e2e" / "patients.json"
    text = await result.text_content()
    assert f"to {path} as JSON" in text
    assert "member_id (hash)" in text
    records = json.loads(path.read_text(encoding="utf-8"))
    assert f"Wrote {len(records)} patient(s)" in text
    assert len(records[0]["member_id"]) == 64

    # The same path again is rejected, and the page shows why.
    await form.locator("button.act-mask-export").click()
    failed = page.locator("#governance .export-result.error", has_text="exists")
    await failed.wait_for(timeout=EXPORT_TIMEOUT)
    assert browser_page.errors == []
