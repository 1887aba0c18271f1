"""A small HTTP/1.1 load generator for the sidecar benchmarks.

Each client is an asyncio protocol on one keep-alive connection that sends
the next request as soon as the last response is complete (a closed loop).
Protocol callbacks keep the per-request cost in this process low, so on a
2-core machine the client leaves most of the CPU to the server under test.
Only loopback addresses are accepted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime

# Every CHECK_EVERY-th response body is parsed as JSON; the others are checked
# for a complete body (Content-Length bytes, starting with { and ending with }).
CHECK_EVERY = 50
_SSE_SEPARATOR = re.compile(rb"\r?\n\r?\n")


def require_loopback(host: str) -> None:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"{host} is not a loopback address; benchmarks stay local")


@dataclass
class LoadResult:
    """Requests completed inside the measured window, and errors of the whole
    run."""

    window_start: float
    """time.perf_counter() at the start of the measured window."""
    window_end: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    body_bytes: set[int] = field(default_factory=set)

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies_ms) / (self.window_end - self.window_start)


class _KeepAliveClient(asyncio.Protocol):
    """One connection sending GET requests back to back until ``stop_at``."""

    def __init__(self, request: bytes, window: tuple[float, float], result):
        self.request = request
        self.window_start, self.stop_at = window
        self.result = result
        self.buffer = bytearray()
        self.sent_at = 0.0
        self.responses = 0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self._send()

    def _send(self) -> None:
        self.sent_at = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        header_end = self.buffer.find(b"\r\n\r\n")
        if header_end < 0:
            return
        head = bytes(self.buffer[:header_end]).decode("latin-1")
        length = _content_length(head)
        if length is None:
            self._fail(f"response without Content-Length: {head.splitlines()[0]}")
            return
        body_start = header_end + 4
        if len(self.buffer) < body_start + length:
            return
        finished = time.perf_counter()
        body = bytes(self.buffer[body_start : body_start + length])
        del self.buffer[: body_start + length]
        self.responses += 1
        problem = _check(head, body, parse=self.responses % CHECK_EVERY == 1)
        # An error counts during the warm-up too; latencies only in the window.
        if problem:
            self.result.errors.append(problem)
        elif self.window_start <= finished <= self.stop_at:
            self.result.latencies_ms.append((finished - self.sent_at) * 1000)
            self.result.body_bytes.add(length)
        if finished < self.stop_at:
            self._send()
        else:
            self.transport.close()

    def _fail(self, message: str) -> None:
        self.result.errors.append(message)
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if time.perf_counter() < self.stop_at:
            self.result.errors.append(f"connection closed early: {exc!r}")
        if not self.done.done():
            self.done.set_result(None)


def _content_length(head: str) -> int | None:
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return int(value)
    return None


def _check(head: str, body: bytes, parse: bool) -> str | None:
    status = head.split(" ", 2)[1]
    if status != "200":
        return f"status {status}: {body[:200]!r}"
    if not (body.startswith(b"{") and body.endswith(b"}")):
        return f"incomplete body of {len(body)} bytes"
    if parse and "cards" not in json.loads(body):
        return "dashboard body without cards"
    return None


async def run_load(
    host: str,
    port: int,
    path: str,
    clients: int,
    warmup: float,
    seconds: float,
) -> LoadResult:
    """Keep ``clients`` connections busy for ``warmup + seconds`` and return
    every request that completed in the last ``seconds``."""
    require_loopback(host)
    loop = asyncio.get_running_loop()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()
    window_start = time.perf_counter() + warmup
    stop_at = window_start + seconds
    result = LoadResult(window_start, stop_at)
    protocols = []
    for _ in range(clients):
        _, protocol = await loop.create_connection(
            lambda: _KeepAliveClient(request, (window_start, stop_at), result),
            host,
            port,
        )
        protocols.append(protocol)
    # Bounded: a client that gets no response is cut off 10 s after the end.
    remaining = stop_at - time.perf_counter() + 10
    await asyncio.wait([p.done for p in protocols], timeout=remaining)
    for protocol in protocols:
        if not protocol.done.done():
            result.errors.append("no response by the end of the run")
            protocol.transport.close()
    return result


@dataclass
class Receipt:
    taken_at: datetime
    clock: float
    """time.perf_counter() at receipt, to compare clients of one process."""
    wall: float
    """time.time() at receipt, to compare with the event's taken_at."""


class EventStreamClient(asyncio.Protocol):
    """One /api/events subscriber; records when each poll event arrives."""

    def __init__(self) -> None:
        self.raw = bytearray()
        self.stream = bytearray()
        self.headers: str | None = None
        self.polls: list[Receipt] = []
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.error: str | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.raw += data
        if self.headers is None:
            header_end = self.raw.find(b"\r\n\r\n")
            if header_end < 0:
                return
            self.headers = bytes(self.raw[:header_end]).decode("latin-1")
            del self.raw[: header_end + 4]
            if " 200 " not in self.headers.split("\r\n", 1)[0]:
                self.error = self.headers.split("\r\n", 1)[0]
            elif "chunked" not in self.headers.lower():
                self.error = "event stream is not chunked"
            if not self.opened.done():
                self.opened.set_result(None)
        self._read_chunks()
        self._read_messages()

    def _read_chunks(self) -> None:
        while True:
            line_end = self.raw.find(b"\r\n")
            if line_end < 0:
                return
            size = int(bytes(self.raw[:line_end]).split(b";")[0], 16)
            if len(self.raw) < line_end + 2 + size + 2:
                return
            start = line_end + 2
            self.stream += self.raw[start : start + size]
            del self.raw[: start + size + 2]

    def _read_messages(self) -> None:
        while True:
            match = _SSE_SEPARATOR.search(self.stream)
            if match is None:
                return
            message = bytes(self.stream[: match.start()]).decode()
            del self.stream[: match.end()]
            fields = dict(
                line.split(": ", 1) for line in message.splitlines() if ": " in line
            )
            if fields.get("event") == "poll":
                clock, wall = time.perf_counter(), time.time()
                taken_at = datetime.fromisoformat(
                    json.loads(fields["data"])["taken_at"]
                )
                self.polls.append(Receipt(taken_at, clock, wall))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.error is None:
            self.error = f"event stream closed: {exc!r}"
        if not self.opened.done():
            self.opened.set_result(None)


async def open_streams(host: str, port: int, count: int) -> list[EventStreamClient]:
    """Open ``count`` event streams and wait until each has its headers, which
    the sidecar sends after subscribing the stream to the engine's bus."""
    require_loopback(host)
    loop = asyncio.get_running_loop()
    request = (
        f"GET /api/events HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Accept: text/event-stream\r\n\r\n"
    ).encode()
    streams = []
    for _ in range(count):
        transport, stream = await loop.create_connection(EventStreamClient, host, port)
        transport.write(request)
        streams.append(stream)
    await asyncio.wait_for(asyncio.gather(*(s.opened for s in streams)), 30)
    return streams


def close_streams(streams: list[EventStreamClient]) -> None:
    for stream in streams:
        if stream.transport is not None:
            stream.transport.close()
