"""The dashboard body: cards, incidents, jobs, validation, chaos, postmortems."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import msgspec
import pytest

from engine.service import Engine
from engine.store.database import utc_now
from engine.targets.postgres import PostgresTarget
from tests.api.conftest import AUTH, client_for, eventually
from tests.conftest import fast_config
from warroom.api import create_app
from warroom.api.schemas.dashboard import DashboardOut

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
    assert body["jobs"]["configured"] is True
    jobs = {job["name"]: job for job in body["jobs"]["jobs"]}
    assert jobs["statistics_maintenance"]["timezone"] == "America/New_York"
    assert jobs["statistics_maintenance"]["next_run_at"] is not None
    assert jobs["etl_claims_daily"]["enabled"] is False
    assert jobs["etl_claims_daily"]["next_run_at"] is None
    assert body["validation"]["configured"] is True
    assert body["validation"]["rules"] == len(engine.config.validation.rules)
    assert len(body["chaos"]["scenarios"]) == 9
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


@pytest.fixture
async def quiet_engine(database_url: str, tmp_path: Path) -> AsyncIterator[Engine]:
    """An engine that polls only when the test calls poll_once."""
    config = fast_config()
    config.chaos.scenarios["long_running_query"].cooldown_seconds = 600
    target = PostgresTarget(database_url, name="test", is_local=True)
    engine = Engine(config, target, tmp_path / "quiet-state.db")
    await engine.start(poll=False)
    await engine.poll_once()
    # The first poll starts a healthcare read in the background, and its event
    # would rebuild the panels in the middle of a test.
    await eventually(lambda: engine.healthcare.reading.read_at is not None)
    yield engine
    await engine.stop()


@pytest.fixture
async def quiet_client(quiet_engine, sidecar) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(quiet_engine, sidecar)) as api:
        yield api


async def test_dashboard_cache_follows_events(quiet_client, quiet_engine, monkeypatch):
    engine = quiet_engine
    reads = []
    open_incidents = engine.open_incidents
    monkeypatch.setattr(
        engine, "open_incidents", lambda: reads.append(1) or open_incidents()
    )

    first = (await quiet_client.get("/api/dashboard")).json()
    again = (await quiet_client.get("/api/dashboard")).json()
    reads_without_event = len(reads)
    incident = engine.create_incident("disk_full", "disk", "test")
    opened = (await quiet_client.get("/api/dashboard")).json()
    for status in ("INVESTIGATING", "REMEDIATING", "RESOLVED"):
        engine.transition(incident.id, status, "test")
    resolved = (await quiet_client.get("/api/dashboard")).json()
    await engine.poll_once()
    polled = (await quiet_client.get("/api/dashboard")).json()

    assert first["open_incidents"] == []
    assert reads_without_event == 1, "panels rebuilt without an event in between"
    assert len(reads) == 4
    assert at(again, "generated_at") > at(first, "generated_at")
    assert [item["id"] for item in opened["open_incidents"]] == [incident.id]
    assert resolved["open_incidents"] == []
    assert resolved["recent_postmortems"][0]["incident_id"] == incident.id
    assert at(polled, "last_poll_at") > at(resolved, "last_poll_at")
    first_history = len(first["cards"][0]["history"])
    assert len(polled["cards"][0]["history"]) == first_history + 1


def at(body: dict, key: str) -> datetime:
    return datetime.fromisoformat(body[key])


async def test_dashboard_cooldown_runs_down(quiet_client, quiet_engine):
    engine = quiet_engine
    repository = engine.drills.drills
    drill = repository.create("long_running_query", engine.target_name, "test")
    drill.status = "passed"
    drill.ended_at = utc_now()
    repository.save(drill)
    # Saving a record by hand publishes nothing; a poll brings the change in.
    await engine.poll_once()

    def remaining(body) -> float:
        (scenario,) = [
            item
            for item in body["chaos"]["scenarios"]
            if item["name"] == "long_running_query"
        ]
        return scenario["cooldown_remaining_seconds"]

    early = (await quiet_client.get("/api/dashboard")).json()
    await asyncio.sleep(0.3)
    later = (await quiet_client.get("/api/dashboard")).json()

    assert 590 < remaining(early) <= 600
    assert remaining(later) <= remaining(early) - 0.3


async def test_dashboard_body_matches_model(quiet_client):
    response = await quiet_client.get("/api/dashboard")
    schema = (await quiet_client.get("/schema/openapi.json")).json()

    decoded = msgspec.json.decode(response.content, type=DashboardOut)
    names = [field.name for field in msgspec.structs.fields(DashboardOut)]
    assert list(response.json()) == names
    assert decoded.status == "ok"
    assert response.headers["content-type"] == "application/json"
    ok = schema["paths"]["/api/dashboard"]["get"]["responses"]["200"]
    reference = ok["content"]["application/json"]["schema"]["$ref"]
    assert reference.endswith("/DashboardOut")
