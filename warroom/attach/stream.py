"""A reader of server-sent events (the WHATWG event-stream format).

Only what the sidecar sends is needed: ``event:`` and ``data:`` fields, comment
lines and blank-line message ends. ``id:`` and ``retry:`` are read and
ignored; the client decides its own reconnect delay.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True)
class StreamMessage:
    """One dispatched message: its event name ("message" when none was given)."""

    event: str
    data: str


async def messages(lines: AsyncIterable[str]) -> AsyncIterator[StreamMessage]:
    """Yield each message of an event stream read line by line.

    The format does not dispatch a message with no ``data:`` line, so
    comments and keep-alives yield nothing.
    """
    event = ""
    data: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield StreamMessage(event or "message", "\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
