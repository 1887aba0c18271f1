"""The SLA endpoint: figures over a window, and its bounds on hours."""

from __future__ import annotations

import pytest

from tests.api.conftest import AUTH, assert_problem

CRITICAL = {"kind": "disk_full", "title": "data volume full", "severity": "critical"}


async def test_sla_counts_reported_incident(client):
    created = await client.post("/api/incidents", json=CRITICAL, headers=AUTH)
    assert created.status_code == 201, created.text

    response = await client.get("/api/incidents/metrics/sla", params={"hours": 1})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["hours"] == 1
    assert body["total"] == 1
    assert body["open"] == 1
    assert body["drills"] == 0
    assert body["by_severity"] == {"critical": 1}
    assert body["by_status"] == {"DETECTED": 1}
    assert body["breaches"] == 0
    assert body["targets"] == {"critical_minutes": 60.0, "warning_minutes": 240.0}
    assert body["mean_seconds_to_detect"] == 0.0
    assert body["mean_seconds_to_acknowledge"] is None
    assert body["mean_seconds_to_resolve"] is None
    assert body["automatic_share"] is None


async def test_sla_default_window(client):
    response = await client.get("/api/incidents/metrics/sla")

    assert response.status_code == 200, response.text
    assert response.json()["hours"] == 24


@pytest.mark.parametrize("hours", ["0", "8761", "-3", "day"])
async def test_sla_rejects_bad_hours(client, hours):
    response = await client.get("/api/incidents/metrics/sla", params={"hours": hours})

    body = assert_problem(response, 400)
    assert "hours" in body["detail"]
    assert body["errors"][0]["field"] == "hours"
    assert body["errors"][0]["source"] == "query"
