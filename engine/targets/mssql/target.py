"""SQL Server target: the Target protocol over pyodbc and the DMVs."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC
from typing import Any

from engine.targets.base import TargetError, TargetUnreachable
from engine.targets.models import HealthSnapshot
from engine.targets.mssql.connection import MssqlConnection, ResultSet
from engine.targets.mssql.counters import Totals, counters_from
from engine.targets.mssql.errors import NOT_AN_ACTIVE_PROCESS
from engine.targets.mssql.sessions import sessions_from_rows, tempdb_megabytes
from engine.targets.mssql.url import MssqlSettings
from engine.targets.sqlfiles import load_statement, script_path

log = logging.getLogger(__name__)

MONITOR_APPLICATION = "warroom-monitor"
ADMIN_APPLICATION = "warroom-admin"
# The statements of one snapshot, sent as one batch in this order.
SNAPSHOT_STATEMENTS = (
    "server",
    "sessions",
    "waiting_tasks",
    "tempdb_usage",
    "wait_stats",
)
# A line with only GO ends a batch in sqlcmd scripts. The server does not
# accept GO, so run_script sends each batch on its own.
_GO_LINE = re.compile(r"^\s*GO\s*(?:--.*)?$", re.IGNORECASE | re.MULTILINE)


class MssqlDialect:
    name = "mssql"

    def quote_identifier(self, identifier: str) -> str:
        return "[" + identifier.replace("]", "]]") + "]"


class MssqlDedicatedSession:
    """A connection of its own: a chaos scenario's or a pipeline's (no query
    timeout) or the validation's."""

    def __init__(
        self,
        connection: MssqlConnection,
        on_close: Callable[[int], None] | None = None,
    ):
        self._connection = connection
        self.session_id = connection.session_id
        self._on_close = on_close

    @property
    def broken(self) -> bool:
        return self._connection.closed

    async def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        try:
            await self._connection.execute(sql, params)
        except TargetUnreachable:
            await self._connection.close()
            raise

    async def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        try:
            return await self._connection.fetch(sql, params)
        except TargetUnreachable:
            # The connection is lost: closing it marks the session broken.
            await self._connection.close()
            raise

    async def close(self) -> None:
        if self._on_close is not None:
            self._on_close(self.session_id)
        await self._connection.close()


def validate_session_id(session_id: Any) -> int:
    """Return ``session_id`` if KILL may be formatted with it, else raise.

    KILL takes no parameter marker, so the id is formatted into the SQL text
    and nothing but a positive int may get there. Negative blocker ids are
    special owners (an orphaned distributed transaction, deferred recovery,
    a latch), not sessions.
    """
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        raise TargetError(
            f"session id {session_id!r} is not an integer; KILL needs a session id"
        )
    if session_id <= 0:
        raise TargetError(
            f"{session_id} is not a session: SQL Server uses blocker ids of 0 "
            "and below for special owners (such as an orphaned distributed "
            "transaction or a latch), and KILL cannot end them"
        )
    return session_id


class MssqlTarget:
    """A SQL Server database watched through the DMVs."""

    dialect = MssqlDialect()

    def __init__(
        self,
        settings: MssqlSettings,
        *,
        name: str = "mssql",
        is_local: bool | None = None,
    ):
        self.settings = settings
        self.name = name
        self.database: str | None = None
        self.is_local = settings.is_local if is_local is None else is_local
        self._monitor: MssqlConnection | None = None
        self._admin: MssqlConnection | None = None
        self._totals: Totals | None = None
        self._lock = asyncio.Lock()
        self._own_sessions: set[int] = set()
        """Session ids of the sessions open_own_session opened and not closed."""

    def __repr__(self) -> str:
        return f"MssqlTarget({self.name!r}, {self.settings.describe()!r})"

    @property
    def identity(self) -> str:
        return self.settings.describe()

    async def connect(self) -> None:
        """Open the monitor and admin connections."""
        self._monitor = await MssqlConnection.open(self.settings, MONITOR_APPLICATION)
        self._admin = await MssqlConnection.open(self.settings, ADMIN_APPLICATION)
        rows = await self._monitor.fetch("SELECT DB_NAME()", operation="DB_NAME()")
        self.database = rows[0][0] if rows else None
        log.info("connected to %s database=%s", self.settings.describe(), self.database)

    async def close(self) -> None:
        for connection in (self._monitor, self._admin):
            if connection is not None:
                await connection.close()
        self._monitor = self._admin = None

    async def _connection(self, kind: str) -> MssqlConnection:
        connection = self._monitor if kind == "monitor" else self._admin
        if connection is None or connection.closed:
            application = (
                MONITOR_APPLICATION if kind == "monitor" else ADMIN_APPLICATION
            )
            connection = await MssqlConnection.open(self.settings, application)
            if kind == "monitor":
                self._monitor = connection
            else:
                self._admin = connection
            log.info("reconnected %s connection to %s", kind, self.settings.describe())
        return connection

    async def snapshot(self, *, advance_counters: bool = True) -> HealthSnapshot:
        """Take one snapshot: one batch, five result sets. Target.snapshot
        describes ``advance_counters``."""
        started = time.perf_counter()
        batch = ";\n".join(
            load_statement("mssql", "monitor", name).rstrip().rstrip(";")
            for name in SNAPSHOT_STATEMENTS
        )
        async with self._lock:
            connection = await self._connection("monitor")
            try:
                sets = await connection.result_sets(
                    "SET NOCOUNT ON;\n" + batch, "snapshot"
                )
            except TargetError:
                # The connection may be broken; the next poll opens a new one.
                await connection.close()
                raise
        snapshot = self._build(sets, advance_counters)
        elapsed_ms = (time.perf_counter() - started) * 1000
        return HealthSnapshot(
            taken_at=snapshot.taken_at,
            target=snapshot.target,
            database=snapshot.database,
            sessions=snapshot.sessions,
            counters=snapshot.counters,
            own_session_ids=snapshot.own_session_ids,
            duration_ms=elapsed_ms,
        )

    def _build(self, sets: list[ResultSet], advance: bool) -> HealthSnapshot:
        if len(sets) != len(SNAPSHOT_STATEMENTS):
            raise TargetError(
                f"snapshot returned {len(sets)} result set(s), expected "
                f"{len(SNAPSHOT_STATEMENTS)} ({', '.join(SNAPSHOT_STATEMENTS)})"
            )
        by_name = dict(zip(SNAPSHOT_STATEMENTS, sets, strict=True))
        servers = by_name["server"].records()
        if not servers:
            raise TargetError("snapshot's server query returned no row")
        server = servers[0]
        return build_snapshot(
            self.name,
            server,
            by_name["sessions"].records(),
            by_name["waiting_tasks"].records(),
            by_name["tempdb_usage"].records(),
            {row[0]: int(row[2]) for row in by_name["wait_stats"].rows},
            previous=self._remember if advance else self._last_totals,
            own=self._own_ids(server.get("own_session_id")),
        )

    def _remember(self, totals: Totals) -> Totals | None:
        previous, self._totals = self._totals, totals
        return previous

    def _last_totals(self, totals: Totals) -> Totals | None:
        """Return the Totals of the last snapshot that advanced the counters.
        ``totals`` is not kept, so those stay the baseline."""
        return self._totals

    def _own_ids(self, monitor_id: Any) -> frozenset[int]:
        own = {int(monitor_id)} if monitor_id is not None else set()
        own.update(self._own_sessions)
        for connection in (self._monitor, self._admin):
            if connection is not None and not connection.closed:
                own.add(connection.session_id)
        return frozenset(own)

    async def own_session_ids(self) -> frozenset[int]:
        return self._own_ids(None)

    async def kill_session(self, session_id: int) -> bool:
        """Send ``KILL n`` for a user session; return False if it has ended.

        Raises TargetError for an id that is not a positive int, for one of
        the engine's own sessions and for a system session
        (is_user_process = 0). Which database a session may be in is the
        remediation guards' decision.
        """
        session_id = validate_session_id(session_id)
        if session_id in self._own_ids(None):
            raise TargetError(
                f"session {session_id} is one of the engine's own sessions"
            )
        rows = await self._admin_fetch(
            load_statement("mssql", "monitor", "session_kind"),
            {"session_id": session_id},
        )
        if not rows:
            return False
        if not rows[0][1]:
            raise TargetError(
                f"session {session_id} is a system session (is_user_process = 0); "
                "warroom never kills those"
            )
        try:
            await self._admin_execute(f"KILL {session_id}")
        except TargetError as error:
            if getattr(error, "native_error", None) == NOT_AN_ACTIVE_PROCESS:
                return False
            raise
        log.warning("sent KILL %d on %s", session_id, self.settings.describe())
        return True

    async def cancel_request(self, session_id: int) -> bool:
        """Raise TargetError: SQL Server cannot cancel another session's request.

        A cancel in SQL Server is an attention signal that only the client
        owning the connection can send; T-SQL has KILL, which ends the whole
        session and rolls back its transaction. Raising, rather than
        returning False, puts the reason in the remediation record.
        """
        session_id = validate_session_id(session_id)
        log.warning(
            "cancel_request(%d) on %s: SQL Server cannot cancel another "
            "session's request; not sent",
            session_id,
            self.settings.describe(),
        )
        raise TargetError(
            f"SQL Server cannot cancel session {session_id}'s request from "
            "another session (only its own client can send the attention "
            "signal); end the session with KILL if it must stop"
        )

    async def open_chaos_session(self, application_name: str) -> MssqlDedicatedSession:
        connection = await MssqlConnection.open(
            self.settings, application_name, query_timeout=0
        )
        return MssqlDedicatedSession(connection)

    async def open_own_session(
        self, application_name: str, statement_timeout: float, timeout_setting: str
    ) -> MssqlDedicatedSession:
        settings = replace(
            self.settings,
            query_timeout=statement_timeout,
            query_timeout_setting=timeout_setting,
        )
        connection = await MssqlConnection.open(settings, application_name)
        self._own_sessions.add(connection.session_id)
        return MssqlDedicatedSession(connection, self._own_sessions.discard)

    async def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        return await self._admin_fetch(sql, params)

    async def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        await self._admin_execute(sql, params)

    async def _admin_fetch(
        self, sql: str, params: Mapping[str, Any] | None
    ) -> list[tuple[Any, ...]]:
        connection = await self._connection("admin")
        return await connection.fetch(sql, params)

    async def _admin_execute(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> None:
        connection = await self._connection("admin")
        await connection.execute(sql, params)

    async def run_script(self, file_name: str) -> None:
        """Run ``sql/mssql/<file_name>.sql`` batch by batch, split at GO lines."""
        text = script_path("mssql", file_name).read_text(encoding="utf-8")
        connection = await MssqlConnection.open(self.settings, ADMIN_APPLICATION)
        try:
            for number, batch in enumerate(_GO_LINE.split(text), start=1):
                if batch.strip():
                    await connection.execute(
                        batch, operation=f"sql/mssql/{file_name}.sql batch {number}"
                    )
        finally:
            await connection.close()


def build_snapshot(
    target_name: str,
    server: Mapping[str, Any],
    session_rows: list[dict[str, Any]],
    task_rows: list[dict[str, Any]],
    space_rows: list[dict[str, Any]],
    waits: Mapping[str, int],
    *,
    previous: Any,
    own: frozenset[int],
) -> HealthSnapshot:
    """Build a HealthSnapshot from the rows of one snapshot batch.

    ``previous`` receives this poll's Totals and returns the last poll's, so
    the caller keeps the state between polls.
    """
    sessions = sessions_from_rows(session_rows, task_rows, space_rows)
    tempdb = tempdb_megabytes(space_rows)
    # SYSUTCDATETIME() is naive; the engine compares times in UTC.
    taken_at = server["taken_at"]
    if taken_at.tzinfo is None:
        taken_at = taken_at.replace(tzinfo=UTC)
    totals = Totals(
        taken_at=taken_at,
        server_start=server.get("sqlserver_start_time"),
        transactions=server.get("transactions"),
        deadlocks=server.get("deadlocks"),
        waits=dict(waits),
    )
    counters = counters_from(server, previous(totals), totals, sum(tempdb.values()))
    return HealthSnapshot(
        taken_at=taken_at,
        target=target_name,
        database=server.get("database_name"),
        sessions=sessions,
        counters=counters,
        own_session_ids=own,
    )
