"""GET /api/healthcare and the healthcare figures on the dashboard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import msgspec
import pytest

from engine.healthcare.monitor import HealthcareReading, HealthcareRefreshed
from engine.service import Engine
from engine.targets.postgres import PostgresTarget
from tests.api.conftest import client_for
from tests.conftest import fast_config
from warroom.api import create_app
from warroom.api.schemas.events import HealthcareEvent, event_payload
from warroom.api.schemas.healthcare import HealthcareOut

KEYS = ["claims_today", "rejection_rate", "generic_dispensing", "adherent_patients"]


@pytest.fixture
async def read_engine(database_url: str, tmp_path: Path) -> AsyncIterator[Engine]:
    """An engine that polls and reads the healthcare figures only on request."""
    config = fast_config()
    target = PostgresTarget(database_url, name="test", is_local=True)
    engine = Engine(config, target, tmp_path / "healthcare-state.db")
    await engine.start(poll=False)
    await engine.refresh_healthcare()
    yield engine
    await engine.stop()


@pytest.fixture
async def read_client(read_engine, sidecar) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(read_engine, sidecar)) as api:
        yield api


async def test_healthcare_figures(read_client, read_engine):
    settings = read_engine.config.warroom.healthcare

    response = await read_client.get("/api/healthcare")

    assert response.status_code == 200
    body = response.json()
    assert body["enabled"] is True
    assert body["error"] is None
    assert body["read_at"] is not None
    assert body["refresh_seconds"] == settings.refresh_seconds
    assert body["window_minutes"] == settings.window_minutes
    assert [figure["key"] for figure in body["figures"]] == KEYS
    for figure in body["figures"]:
        assert figure["state"] in {"ok", "warn", "critical", "na"}, figure
        assert figure["bound"] in {"min", "max"}, figure
        if figure["value"] is None:
            assert figure["state"] == "na", figure
            assert figure["reason"], figure
    figures = {figure["key"]: figure for figure in body["figures"]}
    assert figures["rejection_rate"]["threshold"] == settings.rejection_rate_percent
    assert figures["claims_today"]["value"] > 0
    assert figures["generic_dispensing"]["state"] == "ok"


async def test_healthcare_body_matches_model(read_client):
    response = await read_client.get("/api/healthcare")
    schema = (await read_client.get("/schema/openapi.json")).json()

    decoded = msgspec.json.decode(response.content, type=HealthcareOut)
    ok = schema["paths"]["/api/healthcare"]["get"]["responses"]["200"]
    reference = ok["content"]["application/json"]["schema"]["$ref"]
    assert len(decoded.figures) == 4
    assert reference.endswith("/HealthcareOut")


async def test_healthcare_before_first_read(down_client):
    response = await down_client.get("/api/healthcare")

    assert response.status_code == 200
    body = response.json()
    assert body["read_at"] is None
    for figure in body["figures"]:
        assert figure["value"] is None
        assert figure["state"] == "na"
        assert figure["reason"] == "not read yet"


async def test_healthcare_read_failure_keeps_figures(read_client, read_engine):
    before = (await read_client.get("/api/healthcare")).json()
    await read_engine.target.close()
    read_engine.target.url = "postgresql://oncall@127.0.0.1:1/claims"

    await read_engine.refresh_healthcare()
    after = (await read_client.get("/api/healthcare")).json()

    assert after["error"]
    assert after["failed_at"] is not None
    assert after["read_at"] == before["read_at"]
    assert after["figures"] == before["figures"]


async def test_dashboard_follows_refresh(read_client, read_engine):
    first = (await read_client.get("/api/dashboard")).json()

    await read_engine.refresh_healthcare()
    second = (await read_client.get("/api/dashboard")).json()
    direct = (await read_client.get("/api/healthcare")).json()

    assert first["healthcare"]["read_at"] is not None
    assert at(second["healthcare"]) > at(first["healthcare"])
    assert second["healthcare"] == direct


def at(healthcare: dict) -> datetime:
    return datetime.fromisoformat(healthcare["read_at"])


def test_refresh_is_server_sent_event():
    reading = HealthcareReading((), None, "relation missing", None)

    name, payload = event_payload(HealthcareRefreshed(reading), 30.0)

    assert name == "healthcare"
    assert payload == HealthcareEvent(read_at=None, error="relation missing")
