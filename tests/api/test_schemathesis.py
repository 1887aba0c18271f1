"""Property-based checks of every endpoint against the generated OpenAPI schema.

Schemathesis generates valid and invalid requests from the schema. No
response may be a 5xx, and each must match its documented status, content
type, headers and body schema. The event stream is left out because it never
ends. Chaos drills run for real, bounded by a 2 s maximum duration and a long
cooldown so each scenario starts at most once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine.config.models import SidecarConfig
from engine.service import Engine
from engine.targets.postgres import PostgresTarget
from tests.api.conftest import AUTH, BASE_URL, TOKEN, client_for, eventually
from tests.conftest import fast_config
from warroom.api import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/api/events")


@pytest.fixture(scope="module")
async def fuzz_engine(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Engine]:
    config = fast_config()
    for scenario in config.chaos.scenarios.values():
        scenario.max_duration_seconds = 2
        scenario.cooldown_seconds = 600
    target = PostgresTarget(module_database_url, name="test", is_local=True)
    state: Path = tmp_path_factory.mktemp("fuzz") / "state.db"
    engine = Engine(config, target, state)
    await engine.start()
    await eventually(lambda: engine.last_poll is not None)
    # Give the fuzzer incidents to read, change and remediate.
    for kind in ("disk_full", "deadlock", "blocking"):
        engine.create_incident(kind, f"{kind} reported for the fuzz run", "test")
    yield engine
    await engine.stop()


@pytest.fixture(scope="module")
def fuzz_app(fuzz_engine: Engine) -> Litestar:
    return create_app(fuzz_engine, SidecarConfig(token=TOKEN))


@pytest.fixture(scope="module")
async def event_loop_of_engine(fuzz_engine: Engine) -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


@pytest.fixture(scope="module")
def api_schema(fuzz_app: Litestar):
    document = fuzz_app.openapi_schema.to_schema()
    return schemathesis.openapi.from_dict(document)


async def _send(app: Litestar, request: dict[str, Any]) -> httpx.Response:
    headers = dict(request.get("headers") or {})
    content = request.get("data")
    if "json" in request:
        # Encode here so that a JSON null body is sent as "null", not omitted.
        content = json.dumps(request["json"]).encode()
        headers.setdefault("Content-Type", "application/json")
    async with client_for(app) as client:
        response = await client.request(
            request["method"],
            request["url"],
            headers=headers,
            params=request.get("params"),
            content=content,
        )
        await response.aread()
        return response


@schema.parametrize()
@settings(
    max_examples=30,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_matches_schema(case, fuzz_app, event_loop_of_engine):
    request = case.as_transport_kwargs(base_url=BASE_URL, headers=AUTH)
    # The engine's connections belong to the suite's event loop, so each
    # request runs there (a sync test leaves that loop idle in between). The
    # timeout turns a request that never ends into a failure, not a hang.
    response = event_loop_of_engine.run_until_complete(
        asyncio.wait_for(_send(fuzz_app, request), 20)
    )

    case.validate_response(response, checks=CHECKS, headers=AUTH)
