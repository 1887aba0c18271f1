"""Chaos endpoints: scenarios, triggering, interlock refusals and history."""

from __future__ import annotations

from engine.chaos.scenarios import SCENARIOS
from tests.api.conftest import AUTH, assert_problem, eventually


async def drill_done(client) -> None:
    async def idle():
        return (await client.get("/api/chaos")).json()["running"] is None

    await eventually(idle, timeout=60)


async def test_chaos_lists_scenarios(client):
    response = await client.get("/api/chaos")

    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is True
    assert body["running"] is None
    names = {scenario["name"] for scenario in body["scenarios"]}
    assert names == set(SCENARIOS)
    for scenario in body["scenarios"]:
        assert scenario["cooldown_remaining_seconds"] == 0
        assert scenario["enabled"] is True


async def test_trigger_unknown_scenario_is_400(client):
    response = await client.post(
        "/api/chaos/trigger", json={"scenario": "disk_full"}, headers=AUTH
    )

    body = assert_problem(response, 400)
    assert "body field 'scenario'" in body["detail"]


async def test_trigger_needs_token(client):
    response = await client.post("/api/chaos/trigger", json={"scenario": "deadlock"})

    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_trigger_runs_drill_and_records_it(client):
    response = await client.post(
        "/api/chaos/trigger",
        json={"scenario": "deadlock", "auto_remediate": True},
        headers={**AUTH, "X-Warroom-Actor": "chaos-bot"},
    )

    assert response.status_code == 202, response.text
    started = response.json()
    assert started["scenario"] == "deadlock"
    assert started["status"] == "running"
    assert started["actor"] == "chaos-bot"
    running = (await client.get("/api/chaos")).json()["running"]
    assert running["id"] == started["drill_id"]

    second = await client.post(
        "/api/chaos/trigger", json={"scenario": "long_running_query"}, headers=AUTH
    )
    body = assert_problem(second, 409)
    assert "already running" in body["detail"]
    assert body["type"].endswith("drill-running")

    await drill_done(client)
    history = (await client.get("/api/chaos/drills")).json()
    drill = history[0]
    assert drill["id"] == started["drill_id"]
    assert drill["status"] == "passed", drill["error"]
    assert drill["passed"] is True
    assert drill["seconds_to_detect"] is not None
    assert drill["seconds_to_resolve"] >= drill["seconds_to_detect"]
    assert drill["incident_id"] is not None


async def test_cooldown_is_409_with_retry_after(client, config):
    config.chaos.scenarios["deadlock"].cooldown_seconds = 600
    first = await client.post(
        "/api/chaos/trigger",
        json={"scenario": "deadlock", "auto_remediate": True},
        headers=AUTH,
    )
    assert first.status_code == 202, first.text
    await drill_done(client)

    response = await client.post(
        "/api/chaos/trigger", json={"scenario": "deadlock"}, headers=AUTH
    )

    body = assert_problem(response, 409)
    assert body["type"].endswith("cooldown-active")
    assert 590 <= body["retry_after_seconds"] <= 600
    assert response.headers["retry-after"] == str(body["retry_after_seconds"])
    assert "cooling down" in body["detail"]
    scenarios = (await client.get("/api/chaos")).json()["scenarios"]
    deadlock = next(item for item in scenarios if item["name"] == "deadlock")
    assert deadlock["cooldown_remaining_seconds"] > 590


async def test_random_starts_ready_scenario(client, config):
    for name, scenario in config.chaos.scenarios.items():
        scenario.enabled = name == "deadlock"

    response = await client.post(
        "/api/chaos/random", json={"auto_remediate": True}, headers=AUTH
    )

    assert response.status_code == 202, response.text
    assert response.json()["scenario"] == "deadlock"
    await drill_done(client)


async def test_random_without_ready_scenario_is_409(client, config):
    for scenario in config.chaos.scenarios.values():
        scenario.enabled = False

    response = await client.post("/api/chaos/random", headers=AUTH)

    body = assert_problem(response, 409)
    assert "past its cooldown" in body["detail"]


async def test_random_during_drill_is_409(client, config):
    for name, scenario in config.chaos.scenarios.items():
        scenario.enabled = name == "deadlock"
    first = await client.post(
        "/api/chaos/random", json={"auto_remediate": True}, headers=AUTH
    )

    second = await client.post(
        "/api/chaos/random", json={"auto_remediate": True}, headers=AUTH
    )

    assert first.status_code == 202, first.text
    body = assert_problem(second, 409)
    assert body["detail"] == "no scenario can start while the deadlock drill runs"
    await drill_done(client)


async def test_chaos_not_allowed_is_409(client, config):
    config.warroom.target.url = "postgresql://elsewhere/db"

    listing = (await client.get("/api/chaos")).json()
    response = await client.post(
        "/api/chaos/trigger", json={"scenario": "deadlock"}, headers=AUTH
    )

    assert listing["allowed"] is False
    body = assert_problem(response, 409)
    assert body["type"].endswith("chaos-not-allowed")
    assert "allow_chaos" in body["detail"]


async def test_drills_filter_and_validation(client):
    empty = await client.get("/api/chaos/drills", params={"scenario": "deadlock"})
    invalid = await client.get("/api/chaos/drills", params={"scenario": "nope"})
    too_many = await client.get("/api/chaos/drills", params={"limit": "1000"})

    assert empty.status_code == 200
    assert empty.json() == []
    assert "query parameter 'scenario'" in assert_problem(invalid, 400)["detail"]
    assert "query parameter 'limit'" in assert_problem(too_many, 400)["detail"]
