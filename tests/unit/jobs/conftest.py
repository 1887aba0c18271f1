"""A JobRunner on an in-memory store, with fake actions the test controls."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from engine.config.models import IncidentsConfig, JobConfig, JobsConfig
from engine.events import EventBus
from engine.incidents.manager import IncidentManager
from engine.jobs.actions import JobActionError, JobOutput
from engine.jobs.alerts import JobAlerts
from engine.jobs.runner import JobRunner
from engine.store import Store
from engine.store.incidents import IncidentRepository
from engine.store.jobs import JobRunRepository


class FakeActions:
    """Actions under the shipped names; ``gate`` holds a slow run open."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.calls = 0

    async def ok(self, context: Any, params: dict[str, Any]) -> JobOutput:
        self.calls += 1
        return JobOutput(3, "three rows")

    async def boom(self, context: Any, params: dict[str, Any]) -> JobOutput:
        self.calls += 1
        raise JobActionError("disk full on /var/lib/etl")

    async def slow(self, context: Any, params: dict[str, Any]) -> JobOutput:
        self.calls += 1
        await self.gate.wait()
        return JobOutput(1)

    def table(self) -> dict[str, Any]:
        return {
            "health_snapshot": self.ok,
            "catalog_scan": self.boom,
            "statistics_maintenance": self.slow,
        }


def job(name: str, action: str, **fields: Any) -> JobConfig:
    fields.setdefault("cron", "*/5 * * * *")
    return JobConfig(name=name, action=action, **fields)


JOBS = JobsConfig(
    misfire_grace_seconds=30,
    jobs=[
        job("ok", "health_snapshot"),
        job("boom", "catalog_scan"),
        job("critical_boom", "catalog_scan", critical=True),
        # Due once a year only, so a five-minute boundary while a test keeps
        # its run open adds no second run.
        job("slow", "statistics_maintenance", timeout_seconds=5, cron="0 0 1 1 *"),
        job("hangs", "statistics_maintenance", timeout_seconds=0.05, critical=True),
    ],
)


class Clock:
    def __init__(self, now: datetime | None = None) -> None:
        self.now = now

    def __call__(self) -> datetime:
        from engine.store.database import utc_now

        return self.now or utc_now()


@pytest.fixture
def store():
    database = Store(":memory:")
    yield database
    database.close()


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def incidents(store: Store, bus: EventBus) -> IncidentManager:
    return IncidentManager(IncidentRepository(store), IncidentsConfig(), bus)


@pytest.fixture
def fakes() -> FakeActions:
    return FakeActions()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def runner(store, bus, incidents, fakes, clock) -> JobRunner:
    return JobRunner(
        JOBS,
        context=None,  # type: ignore[arg-type]
        repository=JobRunRepository(store),
        bus=bus,
        alerts=JobAlerts(incidents, "test"),
        clock=clock,
        actions=fakes.table(),
    )
