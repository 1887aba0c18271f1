"""Token checks, loopback trust, the actor name and check_bind."""

from __future__ import annotations

import logging

import pytest

from engine.config.models import SidecarConfig
from tests.api.conftest import AUTH, TOKEN, assert_problem, client_for
from warroom.api import check_bind, create_app

INCIDENT = {"kind": "disk_full", "title": "disk"}


@pytest.fixture
async def open_client(engine):
    """A client of a loopback sidecar with no token configured."""
    app = create_app(engine, SidecarConfig(host="127.0.0.1", port=8000))
    async with client_for(app) as api:
        yield api


@pytest.fixture
async def exposed_client(engine):
    """A client of a sidecar bound to all interfaces, with a token."""
    app = create_app(engine, SidecarConfig(host="0.0.0.0", port=8000, token=TOKEN))
    async with client_for(app) as api:
        yield api


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "localhost"])
def test_check_bind_allows_loopback(host):
    check_bind(SidecarConfig(host=host))


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "db-host", ""])
def test_check_bind_rejects_exposed_without_token(host):
    with pytest.raises(ValueError) as raised:
        check_bind(SidecarConfig(host=host, port=8123))

    message = str(raised.value)
    assert repr(host) in message
    assert "WARROOM_API_TOKEN" in message
    assert "127.0.0.1" in message
    assert "8123" in message


def test_check_bind_allows_exposed_with_token():
    check_bind(SidecarConfig(host="0.0.0.0", token=TOKEN))


async def test_create_app_runs_check_bind(engine):
    with pytest.raises(ValueError):
        create_app(engine, SidecarConfig(host="0.0.0.0"))


async def test_no_token_allows_local_changes(open_client):
    response = await open_client.post("/api/incidents", json=INCIDENT)

    assert response.status_code == 201, response.text
    assert response.json()["timeline"][0]["actor"] == "api"


async def test_no_token_rejects_bearer_header(open_client):
    response = await open_client.post(
        "/api/incidents", json=INCIDENT, headers={"Authorization": "Bearer guess"}
    )

    body = assert_problem(response, 401)
    assert "no API token configured" in body["detail"]


async def test_malformed_authorization_is_401(client):
    response = await client.post(
        "/api/incidents", json=INCIDENT, headers={"Authorization": "Basic Zm9vOmJhcg=="}
    )

    body = assert_problem(response, 401)
    assert "'Bearer <token>'" in body["detail"]
    assert 'error="invalid_request"' in response.headers["www-authenticate"]


async def test_wrong_token_rejected_on_reads(client):
    response = await client.get("/api/incidents", headers={"Authorization": "Bearer x"})

    assert_problem(response, 401)


async def test_reads_open_on_loopback(client):
    response = await client.get("/api/incidents")

    assert response.status_code == 200


async def test_exposed_bind_needs_token_for_reads(exposed_client):
    without = await exposed_client.get("/api/incidents")
    with_token = await exposed_client.get("/api/incidents", headers=AUTH)

    assert_problem(without, 401)
    assert without.headers["www-authenticate"].startswith("Bearer")
    assert with_token.status_code == 200


async def test_foreign_host_needs_token(app):
    async with client_for(app, base_url="http://warroom.example:8000") as api:
        without = await api.get("/api/incidents")
        with_token = await api.get("/api/incidents", headers=AUTH)

    body = assert_problem(without, 403)
    assert "'warroom.example:8000' is not a loopback name" in body["detail"]
    assert with_token.status_code == 200


async def test_cross_site_origin_rejected(open_client):
    foreign = await open_client.post(
        "/api/incidents", json=INCIDENT, headers={"Origin": "https://evil.example"}
    )
    local = await open_client.post(
        "/api/incidents", json=INCIDENT, headers={"Origin": "http://localhost:3000"}
    )

    body = assert_problem(foreign, 403)
    assert "https://evil.example" in body["detail"]
    assert local.status_code == 201


async def test_actor_header_too_long_is_400(client):
    headers = {**AUTH, "X-Warroom-Actor": "x" * 81}

    response = await client.post("/api/incidents", json=INCIDENT, headers=headers)

    body = assert_problem(response, 400)
    assert "X-Warroom-Actor" in body["detail"]


@pytest.mark.parametrize(
    "actor", ["engine", "engine (auto)", "Chaos", "scheduler", "drill 7"]
)
async def test_reserved_actor_is_400(client, engine, actor):
    headers = {**AUTH, "X-Warroom-Actor": actor}

    response = await client.post("/api/incidents", json=INCIDENT, headers=headers)

    body = assert_problem(response, 400)
    assert "X-Warroom-Actor" in body["detail"]
    assert repr(actor) in body["detail"]
    assert body["errors"][0]["source"] == "header"
    assert [i for i in engine.list_incidents() if i.title == "disk"] == []


async def test_person_named_like_drill_accepted(client):
    headers = {**AUTH, "X-Warroom-Actor": "drill sergeant"}

    response = await client.post("/api/incidents", json=INCIDENT, headers=headers)

    assert response.status_code == 201, response.text
    assert response.json()["timeline"][0]["actor"] == "drill sergeant"


async def test_token_never_logged(client, caplog):
    caplog.set_level(logging.DEBUG)

    await client.post("/api/incidents", json=INCIDENT, headers=AUTH)
    await client.post(
        "/api/incidents",
        json=INCIDENT,
        headers={"Authorization": "Bearer wrong-secret-token"},
    )
    await client.get("/api/incidents/0", headers=AUTH)

    assert "rejected with 401" in caplog.text
    assert TOKEN not in caplog.text
    assert "wrong-secret-token" not in caplog.text
