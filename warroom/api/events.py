"""Server-sent events: the engine's events as they happen.

Each engine event becomes one SSE message with an ``event:`` name (poll,
poll_failed, incident, drill, job, notice, healthcare, validation, catalog)
and a JSON ``data:`` line. A comment
line is sent when nothing happened for ``KEEPALIVE_SECONDS`` so proxies keep
the connection open. The stream subscribes to the engine's bus when it starts
and unsubscribes when the client disconnects or the engine stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import msgspec
from litestar import get
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.response import ServerSentEvent, ServerSentEventMessage

from engine.events import Event, EventBus
from engine.service import Engine
from warroom.api.errors import problem_responses
from warroom.api.schemas.events import event_payload

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15.0
RETRY_MILLISECONDS = 3000
_encoder = msgspec.json.Encoder()


@dataclass(frozen=True)
class _Closing(Event):
    """Put on a stream's queue when the sidecar stops: end the stream."""


class EventStreams:
    """The open event streams, so a stopping sidecar can end them cleanly.

    Without this, uvicorn's graceful shutdown would wait for every client to
    hang up, and cancel the streams with an error after its grace period.
    """

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Event]] = set()
        self.closing = False

    def open(self, bus: EventBus) -> _Subscription:
        subscription = _Subscription(bus, self)
        self._queues.add(subscription.queue)
        return subscription

    def close_all(self) -> None:
        self.closing = True
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(_Closing())

    def forget(self, queue: asyncio.Queue[Event]) -> None:
        self._queues.discard(queue)


class _Subscription:
    """One client's queue on the engine's bus."""

    def __init__(self, bus: EventBus, streams: EventStreams):
        self.bus = bus
        self.streams = streams
        self.queue: asyncio.Queue[Event] = bus.subscribe()

    async def close(self) -> None:
        self.bus.unsubscribe(self.queue)
        self.streams.forget(self.queue)


@get(
    "/events",
    tags=["events"],
    responses=problem_responses(403),
    media_type="text/event-stream",
)
async def events(
    engine: NamedDependency[Engine], event_streams: NamedDependency[EventStreams]
) -> ServerSentEvent:
    """Stream engine events as server-sent events: poll summaries, failed polls,
    incident changes (id, status, title), drill progress, job runs, notices,
    healthcare reads, validation cycles (the score's counts), and catalog scans
    and classifications. The stream ends with a comment when the sidecar
    stops."""
    subscription = event_streams.open(engine.bus)
    log.info("event stream opened (%s subscriber(s))", engine.bus.subscriber_count)
    return ServerSentEvent(
        _messages(engine, subscription),
        background=BackgroundTask(subscription.close),
    )


async def _messages(
    engine: Engine, subscription: _Subscription
) -> AsyncIterator[ServerSentEventMessage]:
    long_query_seconds = engine.config.warroom.thresholds.long_query_seconds
    try:
        yield ServerSentEventMessage(
            comment=f"warroom events for target {engine.target_name}",
            data=None,
            retry=RETRY_MILLISECONDS,
        )
        while engine.started and not subscription.streams.closing:
            try:
                event = await asyncio.wait_for(
                    subscription.queue.get(), KEEPALIVE_SECONDS
                )
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                continue
            if isinstance(event, _Closing):
                yield ServerSentEventMessage(comment="sidecar stopping", data=None)
                return
            payload = event_payload(event, long_query_seconds)
            if payload is not None:
                name, body = payload
                yield ServerSentEventMessage(
                    event=name, data=_encoder.encode(body).decode()
                )
    finally:
        await subscription.close()
        log.info("event stream closed")
