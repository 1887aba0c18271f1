"""PostgreSQL target over psycopg 3 (async)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg
from psycopg import sql as pgsql

from engine.targets.base import TargetDataError, TargetError, TargetUnreachable
from engine.targets.models import Counters, Figure, HealthSnapshot, Session
from engine.targets.sqlfiles import load_statement, script_path

log = logging.getLogger(__name__)

MONITOR_APPLICATION = "warroom-monitor"
ADMIN_APPLICATION = "warroom-admin"
# A snapshot waits this much longer than the statement timeout for a response
# before it calls the server unreachable.
RESPONSE_MARGIN_SECONDS = 5.0
# The wait for a response when the target has no statement timeout.
NO_TIMEOUT_RESPONSE_SECONDS = 30.0
MIN_SERVER_VERSION = 140000
_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


class PostgresDialect:
    name = "postgres"

    def quote_identifier(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'


def redact_url(url: str) -> str:
    """Return the URL with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[-1]}"))


@dataclass
class _Totals:
    at: datetime
    transactions: int
    deadlocks: int
    blks_hit: int
    blks_read: int


class PostgresDedicatedSession:
    """An autocommit connection of its own: a chaos scenario's, a pipeline's
    or the validation's."""

    def __init__(
        self,
        connection: psycopg.AsyncConnection,
        session_id: int,
        on_close: Callable[[int], None] | None = None,
        timeout_setting: str | None = None,
    ):
        self._connection = connection
        self.session_id = session_id
        self._on_close = on_close
        self._timeout_setting = timeout_setting

    @property
    def broken(self) -> bool:
        return self._connection.closed or self._connection.broken

    async def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        try:
            await self._connection.execute(sql, params)
        except psycopg.Error as error:
            raise self._error(error) from error

    async def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        try:
            cursor = await self._connection.execute(sql, params)
            return await cursor.fetchall()
        except psycopg.Error as error:
            raise self._error(error) from error

    def _error(self, error: psycopg.Error) -> TargetError:
        """Return the TargetError for ``error``; after a cancel or timeout it
        names the timeout setting to raise."""
        if not isinstance(error, psycopg.errors.QueryCanceled):
            return _target_error(error)
        message = _cancelled(error)
        if self._timeout_setting:
            message += f"; raise {self._timeout_setting} if the server is just slow"
        return TargetError(message)

    async def close(self) -> None:
        if self._on_close is not None:
            self._on_close(self.session_id)
        if not self._connection.closed:
            await self._connection.close()


class PostgresTarget:
    """A PostgreSQL database watched through ``pg_stat_activity`` and friends."""

    dialect = PostgresDialect()

    def __init__(
        self,
        url: str,
        *,
        name: str = "postgres",
        is_local: bool | None = None,
        connect_timeout: float = 5.0,
        statement_timeout: float = 5.0,
    ):
        self.url = url
        self.name = name
        self.database: str | None = None
        self.is_local = _is_local_url(url) if is_local is None else is_local
        self._connect_timeout = connect_timeout
        self._statement_timeout = statement_timeout
        self._monitor: psycopg.AsyncConnection | None = None
        self._admin: psycopg.AsyncConnection | None = None
        self._totals: _Totals | None = None
        self._lock = asyncio.Lock()
        self._own_sessions: set[int] = set()
        """Backend ids of the sessions open_own_session opened and not closed."""
        if self.is_local:
            psutil.cpu_percent(interval=None)  # starts the CPU interval

    def __repr__(self) -> str:
        return f"PostgresTarget({self.name!r}, {redact_url(self.url)!r})"

    @property
    def response_timeout(self) -> float:
        """Seconds a snapshot may wait for the server's response: the
        statement timeout and a margin, or NO_TIMEOUT_RESPONSE_SECONDS without
        one."""
        if self._statement_timeout > 0:
            return self._statement_timeout + RESPONSE_MARGIN_SECONDS
        return NO_TIMEOUT_RESPONSE_SECONDS

    async def _discard_monitor(self) -> None:
        """Close the monitor connection, so the next snapshot opens another."""
        connection, self._monitor = self._monitor, None
        if connection is not None and not connection.closed:
            with contextlib.suppress(psycopg.Error):
                await connection.close()

    @property
    def identity(self) -> str:
        return redact_url(self.url)

    async def connect(self) -> None:
        """Open the monitor and admin connections; raise TargetUnreachable."""
        self._monitor = await self._open(MONITOR_APPLICATION)
        version = self._monitor.info.server_version
        if version < MIN_SERVER_VERSION:
            await self._monitor.close()
            raise TargetError(
                f"{redact_url(self.url)} runs PostgreSQL {version // 10000}; "
                "warroom needs 14 or newer (it reads pg_locks.waitstart)"
            )
        self._admin = await self._open(ADMIN_APPLICATION)
        cursor = await self._monitor.execute("SELECT current_database()")
        row = await cursor.fetchone()
        self.database = row[0] if row else None
        log.info("connected to %s database=%s", redact_url(self.url), self.database)

    async def close(self) -> None:
        for connection in (self._monitor, self._admin):
            if connection is not None and not connection.closed:
                await connection.close()
        self._monitor = self._admin = None

    async def _open(
        self, application_name: str, statement_timeout: float | None = None
    ) -> psycopg.AsyncConnection:
        """Connect with ``statement_timeout`` seconds (default: the target's),
        or none at all for 0."""
        seconds = (
            self._statement_timeout if statement_timeout is None else statement_timeout
        )
        # 0 disables the timeout: chaos sessions hold locks and sleep on purpose.
        timeout_ms = max(1, round(seconds * 1000)) if seconds > 0 else 0
        try:
            return await psycopg.AsyncConnection.connect(
                self.url,
                autocommit=True,
                application_name=application_name,
                connect_timeout=max(1, int(self._connect_timeout)),
                options=f"-c statement_timeout={timeout_ms}",
            )
        except psycopg.OperationalError as error:
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            reason = "; ".join(lines) or type(error).__name__
            raise TargetUnreachable(
                f"cannot connect to {redact_url(self.url)}: {reason}"
            ) from error

    async def _connection(self, kind: str) -> psycopg.AsyncConnection:
        connection = self._monitor if kind == "monitor" else self._admin
        if connection is None or connection.closed or connection.broken:
            connection = await self._open(
                MONITOR_APPLICATION if kind == "monitor" else ADMIN_APPLICATION
            )
            if kind == "monitor":
                self._monitor = connection
            else:
                self._admin = connection
            log.info("reconnected %s connection to %s", kind, redact_url(self.url))
        return connection

    async def snapshot(self, *, advance_counters: bool = True) -> HealthSnapshot:
        """Take one snapshot in one round trip. Target.snapshot describes
        ``advance_counters``."""
        started = asyncio.get_running_loop().time()
        query = load_statement("postgres", "monitor", "snapshot")
        async with self._lock:
            connection = await self._connection("monitor")
            try:
                # A server that is stopped or hung never responds, and its own
                # statement_timeout never fires, so the wait is bounded here.
                async with asyncio.timeout(self.response_timeout):
                    cursor = await connection.execute(query)
                    row = await cursor.fetchone()
                columns = [column.name for column in cursor.description or ()]
            except TimeoutError as error:
                await self._discard_monitor()
                raise TargetUnreachable(
                    f"{redact_url(self.url)} did not respond to the snapshot query "
                    f"within {self.response_timeout:g} s (statement timeout plus "
                    f"{RESPONSE_MARGIN_SECONDS:g} s): the server is stopped, hung or "
                    "overloaded"
                ) from error
            except psycopg.errors.QueryCanceled as error:
                raise TargetError(f"snapshot query timed out: {error}") from error
            except psycopg.OperationalError as error:
                raise TargetUnreachable(
                    f"snapshot of {redact_url(self.url)} failed: {error}"
                ) from error
            except psycopg.Error as error:
                raise TargetError(f"snapshot query failed: {error}") from error
        if row is None:
            raise TargetError(
                "snapshot query returned no row: pg_stat_database has no entry "
                "for the current database"
            )
        record = dict(zip(columns, row, strict=True))
        own = frozenset({record["own_pid"], *self._engine_pids()})
        sessions = tuple(_session(item) for item in record["sessions"])
        counters = self._counters(record, sessions, advance_counters)
        elapsed_ms = (asyncio.get_running_loop().time() - started) * 1000
        return HealthSnapshot(
            taken_at=record["taken_at"],
            target=self.name,
            database=record["database"],
            sessions=sessions,
            counters=counters,
            own_session_ids=own,
            duration_ms=elapsed_ms,
        )

    def _engine_pids(self) -> set[int]:
        """Return the admin session's and the open own sessions' backend ids."""
        pids = set(self._own_sessions)
        if self._admin is not None and not self._admin.closed:
            pids.add(self._admin.info.backend_pid)
        return pids

    def _counters(
        self, record: dict[str, Any], sessions: tuple[Session, ...], advance: bool
    ) -> Counters:
        totals = _Totals(
            at=record["taken_at"],
            transactions=record["transactions"],
            deadlocks=record["deadlocks"],
            blks_hit=record["blks_hit"],
            blks_read=record["blks_read"],
        )
        previous = self._totals
        if advance:
            self._totals = totals
        tps, deadlocks, hit_ratio = _deltas(previous, totals)

        waits: dict[str, float] = {}
        for session in sessions:
            if session.wait_type and session.state == "active":
                wait_class = session.wait_type.split(":", 1)[0]
                waits[wait_class] = waits.get(wait_class, 0) + 1

        temp = record["temp_bytes"]
        return Counters(
            connections=Figure(record["connections"]),
            max_connections=Figure(record["max_connections"]),
            active_requests=Figure(record["active_requests"]),
            cpu_percent=self._host_figure("cpu"),
            memory_percent=self._host_figure("memory"),
            temp_space_mb=(
                Figure(temp / 1048576)
                if temp is not None
                else Figure.unavailable("needs the pg_monitor role")
            ),
            transactions_per_second=tps,
            deadlocks=deadlocks,
            cache_hit_ratio=hit_ratio,
            database_size_mb=Figure(record["database_bytes"] / 1048576),
            waits_by_class=waits,
        )

    def _host_figure(self, which: str) -> Figure:
        if not self.is_local:
            return Figure.unavailable("server runs on another host")
        if which == "cpu":
            return Figure(psutil.cpu_percent(interval=None))
        return Figure(psutil.virtual_memory().percent)

    async def kill_session(self, session_id: int) -> bool:
        return await self._signal("kill_session", session_id)

    async def cancel_request(self, session_id: int) -> bool:
        return await self._signal("cancel_request", session_id)

    async def _signal(self, statement: str, session_id: int) -> bool:
        query = load_statement("postgres", "monitor", statement)
        rows = await self._admin_fetch(query, {"session_id": session_id})
        return bool(rows and rows[0][0])

    async def own_session_ids(self) -> frozenset[int]:
        pids = set(self._engine_pids())
        if self._monitor is not None and not self._monitor.closed:
            pids.add(self._monitor.info.backend_pid)
        return frozenset(pids)

    async def open_chaos_session(
        self, application_name: str
    ) -> PostgresDedicatedSession:
        connection = await self._open(application_name, statement_timeout=0)
        return PostgresDedicatedSession(connection, connection.info.backend_pid)

    async def open_own_session(
        self, application_name: str, statement_timeout: float, timeout_setting: str
    ) -> PostgresDedicatedSession:
        connection = await self._open(application_name, statement_timeout)
        pid = connection.info.backend_pid
        self._own_sessions.add(pid)
        return PostgresDedicatedSession(
            connection, pid, self._own_sessions.discard, timeout_setting
        )

    async def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        return await self._admin_fetch(sql, params)

    async def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        await self._admin_fetch(sql, params, fetch=False)

    async def _admin_fetch(
        self, sql: str, params: dict[str, Any] | None, fetch: bool = True
    ) -> list[tuple[Any, ...]]:
        connection = await self._connection("admin")
        try:
            cursor = await connection.execute(sql, params)
            if fetch and cursor.description is not None:
                return await cursor.fetchall()
            return []
        except psycopg.errors.QueryCanceled as error:
            raise TargetError(_cancelled(error)) from error
        except psycopg.OperationalError as error:
            if connection.broken or _server_gone(error.sqlstate):
                raise TargetUnreachable(
                    f"{redact_url(self.url)}: {error}", sqlstate=error.sqlstate
                ) from error
            # psycopg raises OperationalError for SQLSTATE classes of one
            # statement too, such as a deadlock victim (40P01), a lock
            # timeout (55P03) or an unpopulated materialized view (55000).
            raise _target_error(error) from error
        except psycopg.Error as error:
            raise _target_error(error) from error

    async def run_script(self, file_name: str) -> None:
        """Run ``sql/postgres/<file_name>.sql`` in one transaction."""
        text = script_path("postgres", file_name).read_text(encoding="utf-8")
        connection = await self._open(ADMIN_APPLICATION)
        try:
            async with connection.transaction():
                await connection.execute(pgsql.SQL(text))  # type: ignore[arg-type]
        except psycopg.Error as error:
            raise TargetError(
                f"sql/postgres/{file_name}.sql failed: {error}"
            ) from error
        finally:
            await connection.close()


def _target_error(error: psycopg.Error) -> TargetError:
    """Return the TargetError for ``error``. A value psycopg could not convert
    (it raises DataError with no SQLSTATE, and quotes the value) is left out
    of the message."""
    text = str(error).strip()
    if isinstance(error, psycopg.DataError) and error.sqlstate is None:
        reason = re.sub(r":\s*'.*'\s*$", "", text, flags=re.DOTALL)
        return TargetDataError(
            f"a value on the target cannot be read: {reason} (the value is "
            "left out of this message)"
        )
    return TargetError(text, sqlstate=error.sqlstate)


# The SQLSTATEs that mean the server, not one statement, is unavailable:
# the operator or a crash shut it down, it is starting, or it has no
# connection slot left. Class 08 is the connection exceptions.
_SERVER_GONE = frozenset({"57P01", "57P02", "57P03", "53300"})


def _server_gone(sqlstate: str | None) -> bool:
    """Tell whether an OperationalError's SQLSTATE means the server, rather
    than one statement, failed. None (no response from the server) counts as
    gone."""
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _SERVER_GONE


def _cancelled(error: psycopg.errors.QueryCanceled) -> str:
    return f"statement timed out or was cancelled: {str(error).strip()}"


def _is_local_url(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return host in _LOCAL_HOSTS or host.startswith("/") or "host=/" in url


def _deltas(previous: _Totals | None, current: _Totals) -> tuple[Figure, ...]:
    if previous is None:
        reason = "first poll: no baseline yet"
        return (
            Figure.unavailable(reason),
            Figure.unavailable(reason),
            Figure.unavailable(reason),
        )
    seconds = (current.at - previous.at).total_seconds()
    tps = (
        Figure((current.transactions - previous.transactions) / seconds)
        if seconds > 0
        else Figure.unavailable("polls too close together")
    )
    # A statistics reset makes a counter go backwards; report zero, not a
    # negative count.
    deadlocks = Figure(max(0, current.deadlocks - previous.deadlocks))
    hits = current.blks_hit - previous.blks_hit
    reads = current.blks_read - previous.blks_read
    hit_ratio = (
        Figure(100.0 * hits / (hits + reads))
        if hits + reads > 0
        else Figure.unavailable("no block reads since the last poll")
    )
    return tps, deadlocks, hit_ratio


def _session(item: dict[str, Any]) -> Session:
    backend_type = item.get("backend_type") or "client backend"
    wait_type = None
    if item.get("wait_event_type"):
        wait_type = f"{item['wait_event_type']}:{item.get('wait_event') or ''}"
    state = item.get("state") or ""
    leader = item.get("leader_pid")
    is_system = backend_type not in ("client backend", "parallel worker")
    blocked_by = tuple(item.get("blocked_by") or ())
    return Session(
        session_id=item["pid"],
        login=item.get("usename"),
        host=item.get("host"),
        program=item.get("application_name") or None,
        database=item.get("datname"),
        state=state or _blank_state(is_system),
        command=_command(item.get("query"), state),
        wait_type=wait_type,
        wait_seconds=item.get("lock_wait_seconds"),
        elapsed_seconds=item.get("elapsed_seconds"),
        open_transactions=1 if item.get("transaction_seconds") is not None else 0,
        blocked_by=blocked_by,
        sql_text=item.get("query") or None,
        login_time=_parse_time(item.get("backend_start")),
        transaction_seconds=item.get("transaction_seconds"),
        state_seconds=item.get("state_seconds"),
        backend_type=backend_type,
        is_system=is_system,
        leader_id=leader if leader and leader != item["pid"] else None,
    )


def _blank_state(is_system: bool) -> str:
    # Background processes report no state; a client backend only while it
    # starts up.
    return "background" if is_system else "unknown"


def _command(query: str | None, state: str) -> str | None:
    if not query or state != "active":
        return None
    words = query.lstrip().split(None, 1)
    return words[0].upper() if words else None


def _parse_time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
