"""The server-sent event stream, driven at the ASGI level so the test controls
when the client disconnects."""

from __future__ import annotations

import asyncio
import json

from engine.service import Engine
from engine.targets.postgres import PostgresTarget
from tests.api.conftest import AUTH, config_with
from warroom.api import create_app
from warroom.api import events as events_module


class EventStream:
    """A raw ASGI client for one GET /api/events request."""

    def __init__(self, app, path: str = "/api/events"):
        self.app = app
        self.path = path
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self.buffer = ""
        self._disconnected = asyncio.Event()
        self._sent_request = False
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> EventStream:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1:8000"),
                (b"accept", b"text/event-stream"),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        self.task = asyncio.create_task(self.app(scope, self._receive, self._send))
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.disconnect()

    async def _receive(self) -> dict:
        if not self._sent_request:
            self._sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._disconnected.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {
                key.decode(): value.decode() for key, value in message["headers"]
            }
        elif message["type"] == "http.response.body":
            await self.chunks.put(message.get("body", b""))
            if not message.get("more_body", False):
                # As ASGI servers do, return a disconnect from receive() once
                # the response is complete.
                self._disconnected.set()

    async def next_block(self, timeout: float = 5.0) -> str:
        """Return the next SSE block (the lines up to a blank line)."""
        while "\r\n\r\n" not in self.buffer:
            chunk = await asyncio.wait_for(self.chunks.get(), timeout)
            self.buffer += chunk.decode()
        block, self.buffer = self.buffer.split("\r\n\r\n", 1)
        return block

    async def next_event(self, name: str, timeout: float = 5.0, **match) -> dict:
        """Skip to the next event called ``name`` whose data has the ``match``
        items, and return its JSON data."""
        async with asyncio.timeout(timeout):
            while True:
                fields = _fields(await self.next_block(timeout))
                if fields.get("event") != name:
                    continue
                data = json.loads(fields["data"])
                if all(data.get(key) == value for key, value in match.items()):
                    return data

    async def disconnect(self) -> None:
        self._disconnected.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, 5)


def _fields(block: str) -> dict[str, str]:
    fields = {}
    for line in block.split("\r\n"):
        name, _, value = line.partition(": ")
        fields[name] = value
    return fields


async def test_stream_sends_poll_and_incident(app, client, engine):
    before = engine.bus.subscriber_count

    async with EventStream(app) as stream:
        first = await stream.next_block()
        poll = await stream.next_event("poll")
        created = await client.post(
            "/api/incidents",
            json={"kind": "disk_full", "title": "disk 97% full"},
            headers=AUTH,
        )
        incident = await stream.next_event("incident", change="opened")
        assert engine.bus.subscriber_count == before + 1

    assert stream.status == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.headers["cache-control"] == "no-cache"
    assert first.startswith(": warroom events for target test")
    assert "retry: 3000" in first
    assert poll["target"] == "test"
    assert poll["sessions"] >= 1
    assert set(poll["figures"]) >= {"cpu_percent", "connections", "blocked_sessions"}
    assert "sessions_list" not in poll and not isinstance(poll["sessions"], list)
    assert incident == {
        "id": created.json()["id"],
        "status": "DETECTED",
        "title": "disk 97% full",
        "kind": "disk_full",
        "severity": "warning",
        "change": "opened",
    }
    assert stream.task.done()
    assert engine.bus.subscriber_count == before


async def test_stream_sends_keepalive(app, monkeypatch):
    monkeypatch.setattr(events_module, "KEEPALIVE_SECONDS", 0.05)

    async with EventStream(app) as stream:
        blocks = [await stream.next_block() for _ in range(8)]

    assert ": keep-alive" in blocks


async def test_stream_sends_drill_progress(app, client):
    async with EventStream(app) as stream:
        # A poll event proves the subscription is live before the trigger.
        await stream.next_event("poll")
        started = await client.post(
            "/api/chaos/trigger",
            json={"scenario": "deadlock", "auto_remediate": True},
            headers=AUTH,
        )
        notice = await stream.next_event("notice")
        inject = await stream.next_event("drill", phase="inject")
        final = await stream.next_event("drill", timeout=60, phase="ended")

    drill_id = started.json()["drill_id"]
    assert "drill deadlock started" in notice["message"]
    assert inject["drill_id"] == drill_id
    assert inject["scenario"] == "deadlock"
    assert final["drill_id"] == drill_id
    assert final["message"] == "passed"
    assert final["figures"]["final"] is True


async def test_stream_sends_validation_cycle(app, client, engine):
    async with EventStream(app) as stream:
        await stream.next_event("poll")
        response = await client.post("/api/validation/run", headers=AUTH)
        scorecard = response.json()
        # The engine also runs the rules after its first poll, so wait for
        # the event of this run.
        event = await stream.next_event(
            "validation", timeout=30, run_at=scorecard["run_at"]
        )

    assert response.status_code == 200
    assert event["passed"] == scorecard["passed"]
    assert event["evaluated"] == scorecard["evaluated"]
    assert event["failed"] == 0
    assert event["error"] is None


async def test_stream_sends_catalog_changes(app, client, engine):
    async with EventStream(app) as stream:
        await stream.next_event("poll")
        scan = await client.post(
            "/api/governance/catalog/scan",
            headers={**AUTH, "X-Warroom-Actor": "bob"},
        )
        # The engine's own scan after its first poll sends one too.
        scanned = await stream.next_event(
            "catalog", timeout=30, change="scanned", actor="bob"
        )
        column = engine.phi_columns()[0].column
        classify = await client.post(
            "/api/governance/catalog/classify",
            json={
                "table": f"{column.table_schema}.{column.table_name}",
                "column": column.column_name,
                "category": "none",
            },
            headers={**AUTH, "X-Warroom-Actor": "dana"},
        )
        classified = await stream.next_event(
            "catalog", change="classified", actor="dana"
        )

    assert scan.status_code == 200, scan.text
    assert classify.status_code == 200, classify.text
    assert scanned == {"change": "scanned", "actor": "bob"}
    assert classified == {"change": "classified", "actor": "dana"}


async def test_stream_ends_when_engine_stops(
    database_url, sidecar, tmp_path, monkeypatch
):
    # The stream checks whether the engine still runs at each keep-alive.
    monkeypatch.setattr(events_module, "KEEPALIVE_SECONDS", 0.05)
    engine = Engine(
        config_with(),
        PostgresTarget(database_url, name="test", is_local=True),
        tmp_path / "state.db",
    )
    await engine.start()
    stream = EventStream(create_app(engine, sidecar))
    try:
        await stream.__aenter__()
        await stream.next_event("poll")
    finally:
        await engine.stop()

    await asyncio.wait_for(stream.task, 2)

    assert stream.status == 200
    assert engine.bus.subscriber_count == 0
