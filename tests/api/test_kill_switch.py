"""A drill trigger rejected by the kill switch, as the API reports it."""

from __future__ import annotations

from tests.api.conftest import AUTH, assert_problem

CRITICAL = {"kind": "disk_full", "title": "data volume full", "severity": "critical"}


async def test_trigger_rejected_by_kill_switch(client):
    created = await client.post("/api/incidents", json=CRITICAL, headers=AUTH)
    incident = created.json()

    response = await client.post(
        "/api/chaos/trigger", json={"scenario": "deadlock"}, headers=AUTH
    )

    body = assert_problem(response, 409)
    assert body["type"].endswith("kill-switch")
    assert body["incident_id"] == incident["id"]
    assert f"incident {incident['id']}" in body["detail"]
    assert "data volume full" in body["detail"]


async def test_chaos_lists_kill_switch_reason(client):
    created = await client.post("/api/incidents", json=CRITICAL, headers=AUTH)
    incident = created.json()

    response = await client.get("/api/chaos")

    assert response.status_code == 200, response.text
    for scenario in response.json()["scenarios"]:
        assert f"incident {incident['id']}" in scenario["blocked_by"]
