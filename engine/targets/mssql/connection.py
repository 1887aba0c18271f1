"""One pyodbc connection driven from asyncio.

pyodbc blocks, and one connection must not be used from two threads at
once. So each connection gets its own single-worker executor, and every call
on it runs in that one thread, in the order it was made, never on the event
loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from engine.targets.base import TargetError
from engine.targets.mssql.errors import check_driver, load_pyodbc, translate
from engine.targets.mssql.params import ParameterError, to_qmark
from engine.targets.mssql.url import MssqlSettings, connection_string

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class ResultSet:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class MssqlConnection:
    """An autocommit pyodbc connection and the one thread that uses it."""

    def __init__(
        self,
        raw: Any,
        executor: ThreadPoolExecutor,
        settings: MssqlSettings,
        application_name: str,
        session_id: int,
    ):
        self._raw = raw
        self._executor = executor
        self._settings = settings
        self.application_name = application_name
        self.session_id = session_id
        self.closed = False

    @classmethod
    async def open(
        cls,
        settings: MssqlSettings,
        application_name: str,
        *,
        query_timeout: float | None = None,
    ) -> MssqlConnection:
        """Connect and read the session id (@@SPID).

        ``query_timeout`` is in seconds (default: the settings'). 0 leaves
        statements without a timeout, for chaos sessions that hold locks and
        sleep on purpose. Raises
        OdbcDriverMissing, LoginFailed, TargetTimeout or TargetUnreachable.
        """
        pyodbc = load_pyodbc()
        executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"mssql-{application_name}"
        )

        # TODO: not yet run against a live SQL Server; this path is tested on
        # a fake pyodbc module only, until tests/integration/mssql runs.
        def connect() -> tuple[Any, int]:
            check_driver(pyodbc.drivers(), settings)
            try:
                raw = pyodbc.connect(
                    connection_string(settings, application_name),
                    autocommit=True,
                    timeout=max(1, round(settings.connect_timeout)),
                )
            except pyodbc.Error as error:
                raise translate(error, settings, "connect") from None
            # 0 means no timeout; ODBC counts whole seconds.
            seconds = settings.query_timeout if query_timeout is None else query_timeout
            raw.timeout = max(1, round(seconds)) if seconds > 0 else 0
            try:
                row = raw.cursor().execute("SELECT @@SPID").fetchone()
            except pyodbc.Error as error:
                raw.close()
                raise translate(error, settings, "SELECT @@SPID") from None
            return raw, int(row[0])

        loop = asyncio.get_running_loop()
        try:
            raw, session_id = await loop.run_in_executor(executor, connect)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        log.info(
            "connected %s to %s as session %s",
            application_name,
            settings.describe(),
            session_id,
        )
        return cls(raw, executor, settings, application_name, session_id)

    async def _call(self, work: Callable[[], T]) -> T:
        if self.closed:
            raise TargetError(
                f"connection {self.application_name} to "
                f"{self._settings.describe()} is closed"
            )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, work)

    async def execute(
        self, sql: str, params: Mapping[str, Any] | None = None, operation: str = ""
    ) -> None:
        await self.fetch(sql, params, operation, fetch=False)

    async def fetch(
        self,
        sql: str,
        params: Mapping[str, Any] | None = None,
        operation: str = "",
        *,
        fetch: bool = True,
    ) -> list[tuple[Any, ...]]:
        """Run one statement; return its first result set's rows."""
        text, values = _bind(sql, params)
        label = operation or _first_words(sql)

        def run() -> list[tuple[Any, ...]]:
            pyodbc = load_pyodbc()
            try:
                cursor = self._raw.cursor()
                cursor.execute(text, *values)
                rows = _first_rows(cursor) if fetch else []
                cursor.close()
                return rows
            except pyodbc.Error as error:
                raise translate(error, self._settings, label) from None

        return await self._call(run)

    async def result_sets(self, sql: str, operation: str) -> list[ResultSet]:
        """Run a batch without parameters and return every result set."""

        def run() -> list[ResultSet]:
            pyodbc = load_pyodbc()
            try:
                cursor = self._raw.cursor()
                cursor.execute(sql)
                sets = []
                while True:
                    if cursor.description is not None:
                        columns = tuple(column[0] for column in cursor.description)
                        sets.append(ResultSet(columns, list(map(tuple, cursor))))
                    if not cursor.nextset():
                        break
                cursor.close()
                return sets
            except pyodbc.Error as error:
                raise translate(error, self._settings, operation) from None

        return await self._call(run)

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True

        def close_raw() -> None:
            try:
                self._raw.close()
            except Exception as error:  # a broken connection may fail to close
                log.info("closing %s: %s", self.application_name, error)

        # A statement still running in the worker (a chaos WAITFOR) occupies
        # the thread. The close then runs when it ends, and nothing waits.
        future = asyncio.get_running_loop().run_in_executor(self._executor, close_raw)
        self._executor.shutdown(wait=False)
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout=1.0)
        except TimeoutError:
            log.info("%s still busy; it closes when its statement ends", self.label)

    @property
    def label(self) -> str:
        return f"{self.application_name} (session {self.session_id})"


def _bind(sql: str, params: Mapping[str, Any] | None) -> tuple[str, Sequence[Any]]:
    # Like psycopg, a statement given no parameters is sent as written, so
    # its % signs need no doubling.
    if params is None:
        return sql, ()
    try:
        return to_qmark(sql, params)
    except ParameterError as error:
        raise TargetError(f"{_first_words(sql)}: {error}") from None


def _first_rows(cursor: Any) -> list[tuple[Any, ...]]:
    # A batch may start with statements that return no rows (SET, UPDATE);
    # the rows are in the first result set that has columns.
    while cursor.description is None:
        if not cursor.nextset():
            return []
    return [tuple(row) for row in cursor.fetchall()]


def _first_words(sql: str) -> str:
    words = " ".join(
        line for line in sql.splitlines() if not line.lstrip().startswith("--")
    ).split()
    return " ".join(words[:3]) or "statement"
