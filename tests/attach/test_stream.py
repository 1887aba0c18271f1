"""The event-stream reader against the format's rules."""

from __future__ import annotations

from collections.abc import AsyncIterator

from warroom.attach.stream import StreamMessage, messages


async def _lines(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def _read(*lines: str) -> list[StreamMessage]:
    return [message async for message in messages(_lines(*lines))]


async def test_named_event_with_data():
    read = await _read("event: poll", 'data: {"a": 1}', "")

    assert read == [StreamMessage("poll", '{"a": 1}')]


async def test_data_lines_join_crlf_stripped():
    read = await _read("data: one\r\n", "data: two\r\n", "\r\n")

    assert read == [StreamMessage("message", "one\ntwo")]


async def test_comments_and_keepalives_dispatch_nothing():
    read = await _read(": keep-alive", "", "retry: 3000", "", "event: poll", "")

    assert read == []


async def test_only_one_leading_space_is_removed():
    read = await _read("data:  padded", "data:tight", "")

    assert read == [StreamMessage("message", " padded\ntight")]


async def test_event_name_resets_after_each_message():
    read = await _read("event: incident", "data: 1", "", "data: 2", "")

    assert read == [StreamMessage("incident", "1"), StreamMessage("message", "2")]


async def test_unfinished_message_at_end_is_dropped():
    read = await _read("event: poll", "data: half")

    assert read == []
