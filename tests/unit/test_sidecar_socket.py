"""The socket the sidecar listens on: its connections send without delay."""

from __future__ import annotations

import asyncio
import socket

from engine.config.models import SidecarConfig
from warroom.sidecar import _listen


async def test_accepted_connection_sets_nodelay():
    listener = _listen(SidecarConfig(host="127.0.0.1", port=0, token=None))
    port = listener.getsockname()[1]
    accepted: asyncio.Future[socket.socket] = asyncio.get_running_loop().create_future()

    class Server(asyncio.Protocol):
        def connection_made(self, transport) -> None:
            accepted.set_result(transport.get_extra_info("socket"))

    server = await asyncio.get_running_loop().create_server(Server, sock=listener)
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        connection = await asyncio.wait_for(accepted, 5)
        nodelay = connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
    finally:
        server.close()
        await server.wait_closed()

    assert nodelay != 0
