"""The dashboard body: cards, incidents, jobs, validation, chaos, postmortems."""

from __future__ import annotations

from tests.api.conftest import AUTH, eventually

CARD_KEYS = ["cpu", "memory", "connections", "blocking", "long_queries"]


async def test_dashboard_panels(client, engine, polled):
    await eventually(lambda: len(engine.history) >= 2)
    reported = await client.post(
        "/api/incidents", json={"kind": "disk_full", "title": "disk"}, headers=AUTH
    )
    closed = engine.create_incident("replica_lag", "lag", "test")
    for status in ("INVESTIGATING", "REMEDIATING", "RESOLVED"):
        engine.transition(closed.id, status, "test")

    response = await client.get("/api/dashboard")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["target"] == "test"
    assert [card["key"] for card in body["cards"]] == CARD_KEYS
    for card in body["cards"]:
        assert card["state"] in {"ok", "warn", "critical", "na"}, card
        if card["value"] is None:
            assert card["state"] == "na"
            assert card["reason"], card
        assert len(card["history"]) >= 2, card
    cards = {card["key"]: card for card in body["cards"]}
    assert cards["connections"]["value"] >= 1
    assert cards["blocking"]["value"] == 0
    assert cards["blocking"]["state"] == "ok"
    assert [item["id"] for item in body["open_incidents"]] == [reported.json()["id"]]
    assert body["jobs"] == {
        "configured": False,
        "message": "not configured yet",
        "jobs": [],
    }
    assert body["validation"]["configured"] is False
    assert body["validation"]["message"] == "not configured yet"
    assert len(body["chaos"]["scenarios"]) == 3
    assert body["chaos"]["running"] is None
    assert body["recent_postmortems"][0]["incident_id"] == closed.id
    assert body["recent_postmortems"][0]["seconds_to_resolve"] is not None


async def test_dashboard_without_poll(down_client):
    response = await down_client.get("/api/dashboard")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["last_error"]
    for card in body["cards"]:
        assert card["value"] is None
        assert card["state"] == "na"
        assert card["reason"] == "no poll yet"
    kinds = [item["kind"] for item in body["open_incidents"]]
    assert kinds == ["target_unreachable"]
