"""Sessions and their blockers from the rows of sys.dm_exec_sessions,
sys.dm_exec_requests, sys.dm_os_waiting_tasks and tempdb's space usage.

SQL Server reports blocking per task, not per session: a parallel query runs
several tasks (execution contexts) in one session, and
sys.dm_exec_requests.blocking_session_id only shows the first task's blocker.
So a session's blockers are the union of its request's blocker and the
blockers of all its waiting tasks, minus its own session id. The exchange
waits (CXPACKET, CXCONSUMER, CXSYNC_PORT, CXSYNC_CONSUMER) of one parallel
query name that same session and are not blocking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.targets.models import Session

Row = Mapping[str, Any]

# One tempdb page is 8 KB.
PAGE_MB = 8 / 1024


@dataclass(frozen=True)
class TaskWait:
    """One row of sys.dm_os_waiting_tasks that another session causes."""

    session_id: int
    exec_context_id: int
    wait_type: str
    wait_ms: int
    blocker: int


def blocking_waits(task_rows: Iterable[Row]) -> dict[int, list[TaskWait]]:
    """Return each session's task waits on something other than itself.

    A row without a blocker, or whose blocker is its own session, is not
    blocking. A negative blocker (-1 to -5) is kept: it is a special owner,
    not a session, and the blocking graph shows it as a virtual node.
    """
    by_session: dict[int, list[TaskWait]] = {}
    for row in task_rows:
        session_id = row.get("session_id")
        blocker = row.get("blocking_session_id")
        if session_id is None or blocker is None:
            continue
        if blocker in (0, session_id):
            continue
        wait = TaskWait(
            session_id=int(session_id),
            exec_context_id=int(row.get("exec_context_id") or 0),
            wait_type=str(row.get("wait_type") or ""),
            wait_ms=int(row.get("wait_duration_ms") or 0),
            blocker=int(blocker),
        )
        by_session.setdefault(wait.session_id, []).append(wait)
    return by_session


def tempdb_megabytes(space_rows: Iterable[Row]) -> dict[int, float]:
    """Return the tempdb space each session has allocated now, in MB.

    Each row is one session's pages from sys.dm_db_session_space_usage
    (finished tasks) plus sys.dm_db_task_space_usage (running tasks), under
    the views' own column names.
    """
    megabytes: dict[int, float] = {}
    for row in space_rows:
        user = _int(row, "user_objects_alloc_page_count") - _int(
            row, "user_objects_dealloc_page_count"
        )
        internal = _int(row, "internal_objects_alloc_page_count") - _int(
            row, "internal_objects_dealloc_page_count"
        )
        pages = max(0, user) + max(0, internal)
        megabytes[int(row["session_id"])] = pages * PAGE_MB
    return megabytes


def sessions_from_rows(
    session_rows: Iterable[Row],
    task_rows: Iterable[Row],
    space_rows: Iterable[Row] = (),
) -> tuple[Session, ...]:
    """Build every Session of one snapshot, one per session id."""
    waits = blocking_waits(task_rows)
    tempdb = tempdb_megabytes(space_rows)
    sessions = []
    for rows in _by_session(session_rows).values():
        session_id = int(rows[0]["session_id"])
        sessions.append(session_from_rows(rows, waits.get(session_id, []), tempdb))
    return tuple(sessions)


def _by_session(session_rows: Iterable[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in session_rows:
        grouped.setdefault(int(row["session_id"]), []).append(row)
    return grouped


def session_from_rows(
    rows: list[Row], task_waits: list[TaskWait], tempdb: Mapping[int, float]
) -> Session:
    """Build one Session from its rows: one per request it runs under MARS.

    The longest-running request describes the session; the blockers of all
    its requests count.
    """
    row = max(rows, key=lambda item: item.get("request_total_elapsed_time") or -1)
    session_id = int(row["session_id"])
    is_system = not bool(row.get("is_user_process"))
    has_request = row.get("request_id") is not None
    open_transactions = max(
        int(row.get("open_transaction_count") or 0),
        int(row.get("request_open_transaction_count") or 0),
    )
    wait_type, wait_seconds = _wait(row, task_waits)
    elapsed = _seconds(row.get("request_total_elapsed_time")) if has_request else None
    return Session(
        session_id=session_id,
        login=row.get("login_name"),
        host=row.get("host_name"),
        program=row.get("program_name") or None,
        database=row.get("database_name"),
        state=_state(is_system, has_request, open_transactions),
        command=row.get("command") if has_request else None,
        wait_type=wait_type,
        wait_seconds=wait_seconds,
        elapsed_seconds=elapsed,
        open_transactions=open_transactions,
        blocked_by=_blockers(
            session_id, [item.get("blocking_session_id") for item in rows], task_waits
        ),
        sql_text=row.get("sql_text") or None,
        login_time=_datetime(row.get("login_time")),
        transaction_seconds=_seconds(row.get("transaction_elapsed_ms")),
        state_seconds=elapsed if has_request else _seconds(row.get("idle_ms")),
        backend_type="system session" if is_system else "user session",
        is_system=is_system,
        temp_space_mb=tempdb.get(session_id),
    )


def _state(is_system: bool, has_request: bool, open_transactions: int) -> str:
    # The engine's state words are PostgreSQL's. A session with no request is
    # "sleeping" in sys.dm_exec_sessions; with an open transaction it holds
    # its locks while it sleeps, which is PostgreSQL's "idle in transaction".
    if is_system:
        return "background"
    if has_request:
        return "active"
    if open_transactions > 0:
        return "idle in transaction"
    return "idle"


def _blockers(
    session_id: int, request_blockers: list[Any], task_waits: list[TaskWait]
) -> tuple[int, ...]:
    blockers: list[int] = []
    candidates = [*request_blockers, *(wait.blocker for wait in task_waits)]
    for blocker in candidates:
        if blocker is None or blocker in (0, session_id):
            continue
        if int(blocker) not in blockers:
            blockers.append(int(blocker))
    return tuple(blockers)


def _wait(row: Row, task_waits: list[TaskWait]) -> tuple[str | None, float | None]:
    # A parallel query's first task often waits on its own workers (an
    # exchange wait) while one worker waits on another session's lock. The
    # war room shows the wait on another session, because that is the cause.
    if task_waits:
        longest = max(task_waits, key=lambda wait: wait.wait_ms)
        return longest.wait_type, longest.wait_ms / 1000
    wait_type = row.get("wait_type")
    if row.get("request_id") is None or not wait_type:
        return None, None
    return str(wait_type), _seconds(row.get("wait_time"))


def _seconds(milliseconds: Any) -> float | None:
    if milliseconds is None:
        return None
    return max(0.0, float(milliseconds) / 1000)


def _int(row: Row, column: str) -> int:
    return int(row.get(column) or 0)


def _datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
