"""Server-sent events: the engine's events as they happen.

Each engine event becomes one SSE message with an ``event:`` name (poll,
poll_failed, incident, drill, notice) and a JSON ``data:`` line. A comment
line is sent when nothing happened for ``KEEPALIVE_SECONDS`` so proxies keep
the connection open. The stream subscribes to the engine's bus when it starts
and unsubscribes when the client disconnects or the engine stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

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


class _Subscription:
    """One client's queue on the engine's bus."""

    def __init__(self, bus: EventBus):
        self.bus = bus
        self.queue: asyncio.Queue[Event] = bus.subscribe()

    async def close(self) -> None:
        self.bus.unsubscribe(self.queue)


@get(
    "/events",
    tags=["events"],
    responses=problem_responses(403),
    media_type="text/event-stream",
)
async def events(engine: NamedDependency[Engine]) -> ServerSentEvent:
    """Stream engine events as server-sent events: poll summaries, failed polls,
    incident changes (id, status, title), drill progress and notices."""
    subscription = _Subscription(engine.bus)
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
        while engine.started:
            try:
                event = await asyncio.wait_for(
                    subscription.queue.get(), KEEPALIVE_SECONDS
                )
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                continue
            payload = event_payload(event, long_query_seconds)
            if payload is not None:
                name, body = payload
                yield ServerSentEventMessage(
                    event=name, data=_encoder.encode(body).decode()
                )
    finally:
        await subscription.close()
        log.info("event stream closed")
