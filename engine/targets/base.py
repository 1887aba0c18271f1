"""The database seam: what the engine needs from a monitored database."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from engine.targets.models import HealthSnapshot


class TargetError(Exception):
    """A target operation failed; the message names the operation and the reason.

    ``sqlstate`` is the SQLSTATE of the server error behind it where the
    target records one (PostgresTarget.fetch and execute do), and None
    otherwise.
    """

    def __init__(self, message: str, *, sqlstate: str | None = None):
        super().__init__(message)
        self.sqlstate = sqlstate


class TargetUnreachable(TargetError):
    """The target cannot be reached or rejected the login."""


class TargetDataError(TargetError):
    """The target returned a value the driver cannot convert to Python, such
    as a date past year 9999. The message leaves the value out, since it can
    be PHI."""


@runtime_checkable
class Dialect(Protocol):
    name: str

    def quote_identifier(self, identifier: str) -> str: ...


@runtime_checkable
class DedicatedSession(Protocol):
    """A connection of its own, apart from the engine's monitor and admin
    sessions: a chaos scenario's, a pipeline's or the validation's."""

    session_id: int

    @property
    def broken(self) -> bool:
        """Whether the connection is closed or lost, so it needs replacing."""
        ...

    async def execute(self, sql: str, params: dict[str, Any] | None = None) -> None: ...

    async def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]: ...

    async def close(self) -> None: ...


@runtime_checkable
class Target(Protocol):
    """One monitored database. Every method is async."""

    name: str
    dialect: Dialect
    database: str | None
    is_local: bool

    @property
    def identity(self) -> str:
        """The server and database this target connects to, without the
        password: two targets with one identity are one database."""
        ...

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def snapshot(self, *, advance_counters: bool = True) -> HealthSnapshot:
        """Read the sessions and the counters in one round trip.

        The counters that count events (deadlocks, transactions) are deltas
        since the last snapshot that advanced them, and the poll advances
        them. A one-off read, such as a remediation's check of a session,
        passes ``advance_counters=False``. Otherwise it would become the
        baseline, and the next poll would miss a deadlock counted in between.
        """
        ...

    async def kill_session(self, session_id: int) -> bool: ...

    async def cancel_request(self, session_id: int) -> bool: ...

    async def own_session_ids(self) -> frozenset[int]: ...

    async def open_chaos_session(self, application_name: str) -> DedicatedSession: ...

    async def open_own_session(
        self, application_name: str, statement_timeout: float, timeout_setting: str
    ) -> DedicatedSession:
        """Open a session for the engine's own long reads, with a statement
        timeout of its own that a timeout error names as ``timeout_setting``.
        Until closed, the session counts among own_session_ids."""
        ...

    async def run_script(self, file_name: str) -> None: ...

    async def fetch(
        self, sql: str, params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]: ...

    async def execute(self, sql: str, params: dict[str, Any] | None = None) -> None: ...


def first_line(error: Exception) -> str:
    """Return the error's first line: PostgreSQL adds CONTEXT lines that would
    spread one error over several lines of a message."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
