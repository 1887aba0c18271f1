"""Bring up what a command needs: config, data directory, target and engine."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.actors import DEMO_ACTOR
from engine.config import WarroomConfig, load_config
from engine.config.models import TargetConfig
from engine.jobs.models import JobNotFound
from engine.paths import CONFIG_DIR, create_private, data_home
from engine.service import Engine
from engine.store import Store
from engine.targets.base import Target, TargetError
from engine.targets.embedded import DEMO_DATABASE, EmbeddedServer
from engine.targets.mssql import (
    InvalidMssqlUrl,
    MssqlSettings,
    MssqlTarget,
    is_mssql_url,
    parse_mssql_url,
)
from engine.targets.postgres import PostgresTarget, redact_url
from engine.targets.sqlfiles import load_statement
from warroom.datadir import DataDirLock

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class StartupError(RuntimeError):
    """A command cannot start; the message gives the reason and the fix."""


@dataclass
class Runtime:
    engine: Engine
    lock: DataDirLock
    embedded: EmbeddedServer | None
    _traffic_stop: asyncio.Event | None = None
    _traffic: asyncio.Task[None] | None = None

    def start_traffic(self) -> None:
        """Run the light demo workload, so the figures on screen move."""
        from engine.seed.traffic import DemoTraffic

        assert self.embedded is not None
        self._traffic_stop = asyncio.Event()
        traffic = DemoTraffic(self.embedded.url(DEMO_DATABASE))
        self._traffic = asyncio.create_task(traffic.run(self._traffic_stop))

    async def compute_demo_adherence(self) -> None:
        """Run the etl_adherence job once in the background when
        healthcare.patient_adherence is empty, so the adherence card has a
        figure before the job's first nightly run."""
        engine = self.engine
        try:
            rows = await engine.target.fetch(
                load_statement(engine.target.dialect.name, "etl_runs", "adherence_rows")
            )
            if rows and rows[0][0] == 0:
                engine.jobs.runner.trigger("etl_adherence", DEMO_ACTOR)
        except (TargetError, JobNotFound) as error:
            log.warning("demo adherence run not started: %s", error)

    async def close(self) -> None:
        if self._traffic is not None and self._traffic_stop is not None:
            self._traffic_stop.set()
            await asyncio.gather(self._traffic, return_exceptions=True)
        await self.engine.stop()
        drill = self.engine.drill_at_stop
        if drill is not None and drill.rolled_back_at is not None:
            print(
                f"warroom: drill {drill.id} ({drill.scenario}) was running; it "
                "is stopped and rolled back",
                file=sys.stderr,
                flush=True,
            )
        if self.engine.unrestored_at_stop is not None:
            print(
                f"warroom: {self.engine.unrestored_at_stop}; the next start on "
                "this target puts them back",
                file=sys.stderr,
                flush=True,
            )
        if self.embedded is not None:
            await asyncio.to_thread(self.embedded.stop)
        self.lock.release()


def read_config(config_dir: Path | None) -> WarroomConfig:
    return load_config(config_dir or CONFIG_DIR)


async def open_runtime(
    config: WarroomConfig,
    *,
    target_url: str | None = None,
    scale: int = 1,
    progress: Progress = lambda message: None,
    home: Path | None = None,
) -> Runtime:
    """Lock the data directory, start or reach the target, and build the engine.

    The engine is returned unstarted. Raises StartupError or DataDirBusy with
    a message for the user.
    """
    home = home or data_home()
    lock = DataDirLock(home).acquire()
    embedded = None
    try:
        if target_url:
            # A URL on the command line replaces the configured target.
            config.warroom.target.url = target_url
            config.warroom.target.database = None
            if config.warroom.target.name == "demo":
                config.warroom.target.name = _name_from_url(target_url)
        url = config.target.url
        if config.target.is_embedded:
            embedded, url = await _start_embedded(home, scale, progress)
        target = build_target(config.target, url, embedded=embedded is not None)
        if embedded is None:
            progress(f"connecting to {_describe(target)}")
        await _preflight(target)
        engine = Engine(config, target, Store(home / "warroom.db"))
        return Runtime(engine, lock, embedded)
    except BaseException:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
        lock.release()
        raise


def build_target(
    config: TargetConfig, url: str | None, *, embedded: bool = False
) -> Target:
    """Build the adapter the config names: SQL Server for a database block or
    an mssql:// URL, PostgreSQL otherwise. Raises StartupError for bad input.
    """
    if config.database is not None or is_mssql_url(url):
        return MssqlTarget(_mssql_settings(config, url), name=config.name)
    assert url is not None
    return PostgresTarget(
        url,
        name=config.name,
        is_local=True if embedded else None,
        connect_timeout=config.connect_timeout_seconds,
        statement_timeout=config.statement_timeout_seconds,
    )


def _mssql_settings(config: TargetConfig, url: str | None) -> MssqlSettings:
    block = config.database
    if block is None:
        assert url is not None
        try:
            settings = parse_mssql_url(
                url,
                connect_timeout=config.connect_timeout_seconds,
                query_timeout=config.statement_timeout_seconds,
            )
        except InvalidMssqlUrl as error:
            raise StartupError(
                f"invalid SQL Server URL: {error}\n(--target or target.url in "
                "config/warroom.yaml)"
            ) from None
        if settings.password is None:
            raise StartupError(
                f"no password for {settings.describe()}: set WARROOM_MSSQL_PASSWORD "
                "or put it in the URL"
            )
        return settings

    password = os.environ.get(block.password_env)
    if not password:
        raise StartupError(
            f"environment variable {block.password_env} is not set; it must "
            f"contain the password for {block.user}@{block.host} "
            "(target.database.password_env in config/warroom.yaml)"
        )
    return MssqlSettings(
        host=block.host,
        port=block.port,
        database=block.database,
        user=block.user,
        password=password,
        encrypt=block.encrypt,
        trust_server_certificate=block.trust_server_certificate,
        driver=block.driver,
        connect_timeout=block.connect_timeout_seconds or config.connect_timeout_seconds,
        query_timeout=block.query_timeout_seconds or config.statement_timeout_seconds,
        connect_timeout_setting=(
            "target.database.connect_timeout_seconds"
            if block.connect_timeout_seconds
            else "target.connect_timeout_seconds"
        ),
        query_timeout_setting=(
            "target.database.query_timeout_seconds"
            if block.query_timeout_seconds
            else "target.statement_timeout_seconds"
        ),
        password_source=block.password_env,
    )


def _describe(target: Target) -> str:
    if isinstance(target, MssqlTarget):
        return target.settings.describe()
    assert isinstance(target, PostgresTarget)
    return redact_url(target.url)


def _name_from_url(url: str) -> str:
    """Name a target given on the command line after its host and database."""
    from psycopg.conninfo import conninfo_to_dict

    if is_mssql_url(url):
        try:
            settings = parse_mssql_url(url, environ={})
        except InvalidMssqlUrl:
            return "target"
        return f"{settings.host}/{settings.database}"

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # psycopg raises several types for a malformed URL
        return "target"
    host = str(parts.get("host") or "local")
    if host.startswith("/"):
        host = "local"
    return f"{host}/{parts.get('dbname') or parts.get('user') or 'postgres'}"


async def _preflight(target: Target) -> None:
    # A user who names a target wants to hear now that it is wrong, not find
    # an "unreachable" incident in the war room.
    from engine.targets.base import TargetError

    try:
        await target.connect()
    except TargetError as error:
        raise StartupError(
            f"{error}\nCheck the host, port, user and password in the URL "
            "(--target, or target.url or target.database in config/warroom.yaml)."
        ) from None
    finally:
        await target.close()


async def _start_embedded(
    home: Path, scale: int, progress: Progress
) -> tuple[EmbeddedServer, str]:
    from engine.seed.loader import load_demo_data, loaded_scale

    server = EmbeddedServer(home / "pgdata")
    progress(f"starting embedded PostgreSQL in {server.pgdata}")
    await asyncio.to_thread(server.start)
    try:
        await asyncio.to_thread(server.ensure_database, DEMO_DATABASE)
        url = server.url(DEMO_DATABASE)
        existing = await asyncio.to_thread(loaded_scale, url)
        if existing is None:
            progress(f"loading demo data at scale {scale}")

            def report(table: str, done: int, total: int) -> None:
                progress(f"  {table}: {done:,}/{total:,} rows")

            await asyncio.to_thread(load_demo_data, url, scale, report)
        elif existing != scale:
            progress(
                f"reusing demo data loaded at scale {existing}; run `warroom reset` "
                f"first to load scale {scale}"
            )
        else:
            progress(f"reusing demo data (scale {existing})")
    except BaseException:
        await asyncio.to_thread(server.stop)
        raise
    return server, url


def configure_logging(home: Path | None = None, to_file: bool = True) -> Path | None:
    """Send logs to ``<home>/logs/warroom.log`` (TUI) or to stderr."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if to_file:
        path = (home or data_home()) / "logs" / "warroom.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    else:
        path = None
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
    handler.setFormatter(fmt)
    root.addHandler(handler)
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    return path
