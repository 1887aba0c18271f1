"""A stand-in for the pyodbc module, so the adapter's connection code runs
without unixODBC or a server. It records every statement it is sent."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any


class Error(Exception):
    """pyodbc.Error: args are (sqlstate, message)."""


class FakeCursor:
    def __init__(self, connection: FakeConnection):
        self._connection = connection
        self._sets: list[tuple[tuple[str, ...] | None, list[tuple]]] = []
        self.description: list[tuple] | None = None
        self._rows: list[tuple] = []

    def execute(self, sql: str, *values: Any) -> FakeCursor:
        self._connection.statements.append((sql, values))
        self._sets = list(self._connection.respond(sql, values))
        self._load()
        return self

    def _load(self) -> None:
        columns, rows = self._sets.pop(0) if self._sets else (None, [])
        self.description = [(name,) for name in columns] if columns else None
        self._rows = list(rows)

    def nextset(self) -> bool:
        if not self._sets:
            return False
        self._load()
        return True

    def fetchone(self) -> tuple | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self):
        return iter(self.fetchall())

    def close(self) -> None:
        pass


Responder = Callable[[str, tuple], list[tuple[tuple[str, ...] | None, list[tuple]]]]


class FakeConnection:
    def __init__(self, respond: Responder, spid: int):
        self.statements: list[tuple[str, tuple]] = []
        self.timeout = 0
        self.closed = False
        self._respond = respond
        self._spid = spid

    def respond(self, sql: str, values: tuple):
        if sql == "SELECT @@SPID":
            return [(("spid",), [(self._spid,)])]
        return self._respond(sql, values)

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def close(self) -> None:
        self.closed = True


def module(
    *,
    drivers: list[str] | None = None,
    connect_error: Error | None = None,
    respond: Responder = lambda sql, values: [],
) -> types.ModuleType:
    """Build a fake pyodbc module; ``fake.connections`` lists what it opened."""
    fake = types.ModuleType("pyodbc")
    fake.Error = Error
    fake.connections = []
    fake.connect_calls = []
    next_spid = iter(range(51, 200))

    def connect(connection_string: str, **kwargs: Any) -> FakeConnection:
        fake.connect_calls.append((connection_string, kwargs))
        if connect_error is not None:
            raise connect_error
        connection = FakeConnection(respond, next(next_spid))
        fake.connections.append(connection)
        return connection

    fake.connect = connect
    fake.drivers = lambda: list(
        ["ODBC Driver 18 for SQL Server"] if drivers is None else drivers
    )
    return fake
