"""Run the Litestar sidecar (REST API) on the engine's event loop with uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator

import uvicorn

from engine.config.models import SidecarConfig
from engine.service import Engine
from warroom.api.app import create_app

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 2


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the command running it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def build_server(engine: Engine, sidecar: SidecarConfig) -> uvicorn.Server:
    """Build the server; raise ValueError for a bind that needs a token.

    The caller handles SIGINT, SIGTERM and SIGHUP and stops the server.
    """
    app = create_app(engine, sidecar)
    config = uvicorn.Config(
        app,
        host=sidecar.host,
        port=sidecar.port,
        log_config=None,
        access_log=False,
        lifespan="off",
        # stop() ends the event streams first; this bounds the wait for any
        # other request that does not finish.
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    return _QuietServer(config)


async def start_in_background(
    engine: Engine, sidecar: SidecarConfig
) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    """Start the sidecar next to the TUI; raise OSError if the port is taken."""
    server = build_server(engine, sidecar)
    # Bind here: uvicorn handles a bind error with sys.exit, which would end
    # the whole process from inside a task.
    listener = _listen(sidecar)
    task = asyncio.create_task(server.serve([listener]), name="warroom-sidecar")
    while not server.started and not task.done():
        await asyncio.sleep(0.05)
    if task.done():
        task.result()
    log.info("sidecar listening on http://%s:%s", sidecar.host, sidecar.port)
    return server, task


def _listen(sidecar: SidecarConfig) -> socket.socket:
    family = socket.AF_INET6 if ":" in sidecar.host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio (CPython 3.11, base_events._set_nodelay) sets
    # TCP_NODELAY only on sockets whose proto is IPPROTO_TCP. uvicorn sends a
    # response's headers and body separately, so without it Nagle's algorithm
    # delays each body until the client's delayed ACK, about 40 ms on Linux.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((sidecar.host, sidecar.port))
        listener.listen(128)
    except OSError as error:
        listener.close()
        raise OSError(
            f"sidecar could not listen on {sidecar.host}:{sidecar.port} "
            f"({error.strerror}); pass --port with a free port"
        ) from None
    return listener


async def stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    streams = getattr(server.config.app.state, "event_streams", None)
    if streams is not None:
        streams.close_all()
    server.should_exit = True
    await asyncio.gather(task, return_exceptions=True)
