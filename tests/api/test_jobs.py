"""Job endpoints: the schedule, manual runs, overlap and history."""

from __future__ import annotations

import asyncio

from tests.api.conftest import AUTH, assert_problem, eventually


async def run_ended(client, name: str) -> dict:
    async def ended():
        runs = (await client.get(f"/api/jobs/{name}/history")).json()
        return runs and runs[0]["status"] != "running" and runs[0]

    return await eventually(ended)


async def test_jobs_list_schedule(client):
    response = await client.get("/api/jobs")

    assert response.status_code == 200
    jobs = {job["name"]: job for job in response.json()}
    assert len(jobs) == 15
    stats = jobs["statistics_maintenance"]
    assert stats["cron"] == "30 2 * * 1-5"
    assert stats["timezone"] == "America/New_York"
    assert stats["critical"] is True
    assert stats["enabled"] is True
    assert stats["next_run_at"] is not None
    assert stats["last_status"] is None
    assert jobs["etl_claims_daily"]["next_run_at"] is None


async def test_trigger_runs_and_records(client):
    response = await client.post(
        "/api/jobs/trigger", json={"name": "catalog_scan"}, headers=AUTH
    )

    assert response.status_code == 202, response.text
    assert response.json()["status"] == "running"
    assert response.json()["trigger"] == "manual"
    run = await run_ended(client, "catalog_scan")
    assert run["status"] == "succeeded", run
    assert run["rows"] > 0
    listed = {job["name"]: job for job in (await client.get("/api/jobs")).json()}
    assert listed["catalog_scan"]["last_status"] == "succeeded"


async def test_trigger_unknown_job_404(client):
    response = await client.post(
        "/api/jobs/trigger", json={"name": "nightly"}, headers=AUTH
    )

    body = assert_problem(response, 404)
    assert "nightly" in body["detail"]


async def test_trigger_during_run_409(client, engine):
    gate = asyncio.Event()

    async def slow(context, params):
        await gate.wait()
        raise RuntimeError("released")

    engine.jobs.runner.actions = {**engine.jobs.runner.actions, "catalog_scan": slow}
    first = await client.post(
        "/api/jobs/trigger", json={"name": "catalog_scan"}, headers=AUTH
    )
    second = await client.post(
        "/api/jobs/trigger", json={"name": "catalog_scan"}, headers=AUTH
    )
    gate.set()

    assert first.status_code == 202
    body = assert_problem(second, 409)
    assert "already running" in body["detail"]
    await engine.jobs.runner.wait_idle()
    history = (await client.get("/api/jobs/catalog_scan/history")).json()
    assert [run["status"] for run in history] == ["skipped_overlap", "failed"]
    # The refused trigger never ran, so the job shows the run it overlapped.
    jobs = (await client.get("/api/jobs")).json()
    (job,) = [job for job in jobs if job["name"] == "catalog_scan"]
    assert job["last_status"] == "failed"


async def test_trigger_needs_token(client):
    response = await client.post("/api/jobs/trigger", json={"name": "catalog_scan"})

    assert_problem(response, 401)


async def test_history_unknown_job_404(client):
    response = await client.get("/api/jobs/nightly/history")

    assert_problem(response, 404)
