"""Fixtures for the incident tests: a real in-memory SQLite store and a manager."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.config.models import IncidentsConfig
from engine.events import EventBus
from engine.incidents.manager import IncidentManager
from engine.monitor.findings import Finding, FindingKind, Severity
from engine.store import Store
from engine.store.database import utc_now
from engine.store.incidents import IncidentRepository

# Small enough to drive in a few polls, and different from the defaults so a
# test that relies on the default would fail.
CLEAR_POLLS = 2
ESCALATE_AFTER_SECONDS = 60.0


@pytest.fixture
def store():
    database = Store(":memory:")
    yield database
    database.close()


@pytest.fixture
def repository(store: Store) -> IncidentRepository:
    return IncidentRepository(store)


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def manager(repository: IncidentRepository, bus: EventBus) -> IncidentManager:
    config = IncidentsConfig(
        clear_polls=CLEAR_POLLS, escalate_after_seconds=ESCALATE_AFTER_SECONDS
    )
    return IncidentManager(repository, config, bus)


@pytest.fixture
def poll_start() -> datetime:
    """Time of the first poll: in the past, so wall-clock transitions come later."""
    return utc_now() - timedelta(minutes=10)


def _blocking_finding(head: int = 101, wait: float = 3.0) -> Finding:
    return Finding(
        kind=FindingKind.BLOCKING,
        dedup_key=f"blocking:{head}",
        severity=Severity.WARNING,
        title=f"session {head} blocks 1 session(s)",
        root_cause=f"session {head} holds locks while running: update t",
        session_id=head,
        metrics={"blocked_sessions": 1, "max_wait_seconds": wait, "victims": [202]},
    )


@pytest.fixture
def make_finding():
    """Factory of blocking findings: ``make_finding(head=..., wait=...)``."""
    return _blocking_finding


@pytest.fixture
def finding() -> Finding:
    return _blocking_finding()
