"""Fixtures for the sidecar API tests.

Requests go through httpx's ASGITransport, which runs the app on the test's
own event loop. Litestar 2's AsyncTestClient runs the app on a second event
loop in a worker thread. The engine's asyncio objects (its poll lock, event
bus queues and drill tasks) belong to the test's loop and are not thread-safe,
so a drill triggered through that client would run on the wrong loop.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from engine.config.models import SidecarConfig, WarroomConfig
from engine.service import Engine
from engine.targets.embedded import EmbeddedServer
from engine.targets.postgres import PostgresTarget
from tests.conftest import fast_config, template_clone
from warroom.api import create_app

TOKEN = "api-test-token-5d1c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE_URL = "http://127.0.0.1:8000"
UNREACHABLE_URL = "postgresql://oncall:secret@127.0.0.1:1/claims"
_modules = itertools.count(1)


def client_for(app: Litestar, base_url: str = BASE_URL) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


@pytest.fixture(scope="module")
def module_database_url(pg_server: EmbeddedServer, template_url: str):
    """One database per test module, cloned from the demo template.

    Each test still gets its own engine and state database. Cloning is the
    slowest step of a test's setup, and the target-side changes these tests
    make end with the test: drills roll back and test sessions close.
    """
    with template_clone(pg_server, f"api_{next(_modules)}") as url:
        yield url


@pytest.fixture
def database_url(module_database_url: str) -> str:
    """Override of the suite-wide fixture: the module's shared database."""
    return module_database_url


@pytest.fixture
def sidecar() -> SidecarConfig:
    return SidecarConfig(host="127.0.0.1", port=8000, token=TOKEN)


@pytest.fixture
async def app(engine: Engine, sidecar: SidecarConfig) -> Litestar:
    return create_app(engine, sidecar)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as api:
        yield api


@pytest.fixture
async def polled(engine: Engine) -> Engine:
    """The engine after at least one completed poll."""
    await eventually(lambda: engine.last_poll is not None)
    return engine


@pytest.fixture
async def down_engine(tmp_path: Path) -> AsyncIterator[Engine]:
    """An engine whose target refuses connections, after one failed poll."""
    config = fast_config()
    target = PostgresTarget(UNREACHABLE_URL, name="test", connect_timeout=1)
    engine = Engine(config, target, tmp_path / "down-state.db")
    await engine.start(poll=False)
    await engine.poll_once()
    yield engine
    await engine.stop()


@pytest.fixture
async def down_client(
    down_engine: Engine, sidecar: SidecarConfig
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(down_engine, sidecar)) as api:
        yield api


async def eventually(
    check: Callable[[], Any | Awaitable[Any]],
    timeout: float = 15.0,
    interval: float = 0.1,
) -> Any:
    """Call ``check`` until it returns a truthy value; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(interval)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Check that ``response`` is an RFC 9457 problem with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    for member in ("type", "title", "detail"):
        assert isinstance(body[member], str) and body[member], member
    return body


def config_with(**changes: Any) -> WarroomConfig:
    return fast_config(**changes)
