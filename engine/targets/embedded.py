"""The embedded demo target: a PostgreSQL server from the ``pgserver`` wheel.

The server lives in ``<data home>/pgdata`` and listens on a Unix socket only,
so nothing outside this machine can reach it.
"""

from __future__ import annotations

import logging
import warnings
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEMO_DATABASE = "warroom_demo"

# Appended to postgresql.conf once, right after initdb. The demo and the
# benchmarks open a few hundred sessions, more than the default 100.
_SETTINGS = """
# warroom embedded demo settings
max_connections = 300
shared_buffers = 128MB
track_io_timing = on
log_lock_waits = on
"""
_MARKER = "# warroom embedded demo settings"


@cache
def _server_class() -> type:
    # pgserver warns at import time when XDG_RUNTIME_DIR is unset (as over
    # SSH as root); the fallback it picks is fine, so the warning is noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import PostgresServer

    class ConfiguredServer(PostgresServer):
        def ensure_pgdata_inited(self) -> None:
            super().ensure_pgdata_inited()
            conf = self.pgdata / "postgresql.conf"
            text = conf.read_text(encoding="utf-8")
            if _MARKER not in text:
                conf.write_text(text + _SETTINGS, encoding="utf-8")

    return ConfiguredServer


class EmbeddedServer:
    """Start, reuse and stop the demo PostgreSQL server in ``pgdata``."""

    def __init__(self, pgdata: Path):
        self.pgdata = pgdata
        self._server: Any = None

    def start(self) -> None:
        """Initialise the data directory if needed and start the server.

        Blocking: call it from a worker thread in async code.
        """
        server_class = _server_class()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(exist_ok=True)
        resolved = self.pgdata.resolve()
        existing = server_class._instances.get(resolved)
        self._server = existing or server_class(resolved, cleanup_mode="stop")
        log.info("embedded PostgreSQL running in %s", resolved)

    def url(self, database: str = DEMO_DATABASE) -> str:
        if self._server is None:
            raise RuntimeError("embedded server is not started")
        return self._server.get_uri(database)

    def ensure_database(self, database: str = DEMO_DATABASE) -> bool:
        """Create ``database`` if missing; return True when it was created."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
            ).fetchone()
            if exists:
                return False
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
            )
            return True

    def stop(self) -> None:
        """Stop the server, even one a killed warroom left running.

        pgserver stops the server only when the last process that opened it
        exits, and counts a process killed with SIGKILL as still open. The
        caller holds the data directory lock, so no other warroom uses it.
        """
        if self._server is None:
            return
        server, self._server = self._server, None
        server.cleanup()
        if _postmaster_running(server.pgdata):
            from pgserver._commands import pg_ctl

            log.warning("embedded PostgreSQL still running; stopping it")
            pg_ctl(
                ["-w", "-m", "fast", "stop"],
                pgdata=server.pgdata,
                user=server.system_user,
            )
        log.info("embedded PostgreSQL stopped")


def _postmaster_running(pgdata: Path) -> bool:
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()
