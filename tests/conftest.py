"""Shared fixtures: one real embedded PostgreSQL per test session, a template
database with the demo data, and a fresh clone of it for each test."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from engine.config import WarroomConfig, load_config
from engine.paths import CONFIG_DIR
from engine.targets.embedded import EmbeddedServer

TEMPLATE = "warroom_template"
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory):
    server = EmbeddedServer(tmp_path_factory.mktemp("embedded") / "pgdata")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def template_url(pg_server: EmbeddedServer) -> str:
    from engine.seed.loader import load_demo_data

    pg_server.ensure_database(TEMPLATE)
    url = pg_server.url(TEMPLATE)
    load_demo_data(url, scale=1)
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as connection:
        connection.execute(f'ALTER DATABASE "{TEMPLATE}" WITH IS_TEMPLATE true')
    return url


@contextlib.contextmanager
def template_clone(server: EmbeddedServer, name: str) -> Iterator[str]:
    """Clone the demo template as ``name``, yield its URL, then drop it."""
    admin = server.url("postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    try:
        yield server.url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(pg_server: EmbeddedServer, template_url: str):
    """A fresh database cloned from the template, dropped after the test."""
    with template_clone(pg_server, f"test_{next(_counter)}") as url:
        yield url


async def execute_apart(url: str, *statements: str) -> None:
    """Run ``statements`` on a connection of their own in a worker thread.

    A running engine's validator holds a table's read locks from its scan to
    its samples. DDL run on the event loop's thread would wait for those
    locks while the loop that releases them is blocked.
    """

    def run() -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    await asyncio.to_thread(run)


def fast_config(**overrides) -> WarroomConfig:
    """The shipped config with a fast poll and no cooldowns, for tests."""
    config = load_config(CONFIG_DIR, environ={})
    config.warroom.monitor.poll_interval_seconds = 0.25
    config.warroom.incidents.clear_polls = 2
    config.warroom.target.name = "test"
    config.validation.interval_seconds = 1.0
    for scenario in config.chaos.scenarios.values():
        scenario.cooldown_seconds = 0
    for key, value in overrides.items():
        section, name = key.split("__")
        setattr(getattr(config.warroom, section), name, value)
    return config


@pytest.fixture
def config() -> WarroomConfig:
    return fast_config()


@pytest.fixture
async def engine(database_url: str, config: WarroomConfig, tmp_path: Path):
    from engine.service import Engine
    from engine.targets.postgres import PostgresTarget

    target = PostgresTarget(database_url, name="test", is_local=True)
    instance = Engine(config, target, tmp_path / "state.db")
    await instance.start()
    yield instance
    await instance.stop()


@pytest.fixture
async def unpolled_engine(database_url: str, config: WarroomConfig, tmp_path: Path):
    """An engine started without its poll loop or schedule: a test polls and
    runs the checks itself."""
    from engine.service import Engine
    from engine.targets.postgres import PostgresTarget

    target = PostgresTarget(database_url, name="test", is_local=True)
    instance = Engine(config, target, tmp_path / "state.db")
    await instance.start(poll=False)
    yield instance
    await instance.stop()
