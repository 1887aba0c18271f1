"""A real sidecar (uvicorn on a loopback port) around the test's engine.

The sidecar runs on the test's event loop, as it does inside ``warroom
demo``; the attach client reaches it over real HTTP and the event stream.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable

import pytest

from engine.config.models import SidecarConfig, WarroomConfig
from engine.events import Event
from engine.service import Engine
from tests.conftest import fast_config
from warroom.attach.client import SidecarClient
from warroom.attach.source import RemoteSource
from warroom.sidecar import start_in_background, stop

TOKEN = "attach-test-token-93b2"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sidecar:
    """A sidecar that a test may stop and start again on the same port."""

    def __init__(self, engine: Engine, token: str | None = TOKEN):
        self.engine = engine
        self.config = SidecarConfig(host="127.0.0.1", port=free_port(), token=token)
        self._running = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.config.port}"

    async def start(self) -> None:
        self._running = await start_in_background(self.engine, self.config)

    async def stop(self) -> None:
        if self._running is not None:
            await stop(*self._running)
            self._running = None


@pytest.fixture
def config() -> WarroomConfig:
    # A non-default threshold, so a test can tell the sidecar's from its own.
    return fast_config(thresholds__long_query_seconds=7.5)


@pytest.fixture
async def sidecar(engine: Engine) -> AsyncIterator[Sidecar]:
    running = Sidecar(engine)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def remote(sidecar: Sidecar) -> AsyncIterator[RemoteSource]:
    """A connected RemoteSource that reads with the token."""
    source = RemoteSource(SidecarClient(sidecar.url, TOKEN), fast_config())
    await source.connect()
    yield source
    await source.close()


async def next_event(
    queue: asyncio.Queue[Event], wanted: Callable[[Event], bool], timeout: float = 10.0
) -> Event:
    """Return the first event on ``queue`` that ``wanted`` accepts."""
    async with asyncio.timeout(timeout):
        while True:
            event = await queue.get()
            if wanted(event):
                return event


async def eventually(
    check: Callable[[], object], description: str, timeout: float = 10.0
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"gave up after {timeout:g} s waiting for {description}")
