"""Recorded DMV rows, shaped like the result sets of sql/mssql/monitor.sql.

Each row has the columns its statement returns, named after the DMV columns
they come from (sys.dm_exec_sessions, sys.dm_exec_requests,
sys.dm_os_waiting_tasks, sys.dm_db_session_space_usage). The values have the
documented types as pyodbc returns them: smallint and int as int, bit as
bool, datetime as a naive datetime.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

LOGIN_TIME = datetime(2025, 3, 14, 8, 55, 2, 130000)


def session_row(session_id: int, **request: Any) -> dict[str, Any]:
    """One row of the sessions statement: a sleeping user session, with a
    request when ``request`` sets request_id."""
    row: dict[str, Any] = {
        "session_id": session_id,
        "login_name": "claims_app",
        "host_name": "app-01",
        "program_name": "claims-api",
        "database_name": "warroom",
        "status": "sleeping",
        "is_user_process": True,
        "open_transaction_count": 0,
        "login_time": LOGIN_TIME,
        "last_request_start_time": datetime(2025, 3, 14, 9, 1, 40, 17000),
        "last_request_end_time": datetime(2025, 3, 14, 9, 1, 40, 20000),
        "idle_ms": 95_310,
        "transaction_elapsed_ms": None,
        "request_id": None,
        "request_status": None,
        "command": None,
        "wait_type": None,
        "wait_time": None,
        "blocking_session_id": None,
        "request_open_transaction_count": None,
        "request_total_elapsed_time": None,
        "sql_text": "SELECT 1",
    }
    if request.get("request_id") is not None:
        row["status"] = "running"
    row.update(request)
    return row


def running(session_id: int, **columns: Any) -> dict[str, Any]:
    """A session running a request (request_id 0, the first on the session)."""
    defaults: dict[str, Any] = {
        "request_id": 0,
        "request_status": "running",
        "command": "SELECT",
        "wait_type": None,
        "wait_time": 0,
        "blocking_session_id": 0,
        "request_open_transaction_count": 0,
        "request_total_elapsed_time": 1_200,
    }
    defaults.update(columns)
    return session_row(session_id, **defaults)


def lock_waiter(session_id: int, blocker: int, wait_ms: int) -> dict[str, Any]:
    """A session whose UPDATE waits for an exclusive key lock."""
    return running(
        session_id,
        request_status="suspended",
        command="UPDATE",
        wait_type="LCK_M_X",
        wait_time=wait_ms,
        blocking_session_id=blocker,
        request_open_transaction_count=1,
        request_total_elapsed_time=wait_ms + 3,
        sql_text="UPDATE healthcare.pharmacy_claims SET updated_at = SYSDATETIME() "
        "WHERE claim_id = @P1",
    )


def task_row(
    session_id: int,
    wait_type: str,
    wait_ms: int,
    blocker: int | None,
    *,
    exec_context_id: int = 0,
    blocking_exec_context_id: int | None = None,
    resource: str | None = None,
) -> dict[str, Any]:
    """One row of the waiting_tasks statement."""
    return {
        "session_id": session_id,
        "exec_context_id": exec_context_id,
        "wait_type": wait_type,
        "wait_duration_ms": wait_ms,
        "blocking_session_id": blocker,
        "blocking_exec_context_id": blocking_exec_context_id,
        "resource_description": resource
        or "keylock hobtid=72057594047758336 dbid=5 id=lock1f2a8c3e380 mode=X "
        "associatedObjectId=72057594047758336",
    }


def lock_task(session_id: int, blocker: int, wait_ms: int) -> dict[str, Any]:
    return task_row(session_id, "LCK_M_X", wait_ms, blocker)


# One RING_BUFFER_SCHEDULER_MONITOR record as sys.dm_os_ring_buffers.record
# stores it: 12% of the machine's CPU in SQL Server, 81% idle, so 19% in use.
SCHEDULER_MONITOR_RECORD = (
    '<Record id = "9716" type ="RING_BUFFER_SCHEDULER_MONITOR" '
    'time ="2307812946"><SchedulerMonitorEvent><SystemHealth>'
    "<ProcessUtilization>12</ProcessUtilization>"
    "<SystemIdle>81</SystemIdle>"
    "<UserModeTime>1718750</UserModeTime>"
    "<KernelModeTime>312500</KernelModeTime>"
    "<PageFaults>1437</PageFaults>"
    "<WorkingSetDelta>-4096</WorkingSetDelta>"
    "<MemoryUtilization>100</MemoryUtilization>"
    "</SystemHealth></SchedulerMonitorEvent></Record>"
)


def server_row(**overrides: Any) -> dict[str, Any]:
    """The one row of the server statement."""
    row: dict[str, Any] = {
        "taken_at": datetime(2025, 3, 14, 9, 3, 15, 500000),
        "database_name": "warroom",
        "own_session_id": 57,
        "sqlserver_start_time": datetime(2025, 3, 10, 6, 0, 11, 387000),
        "connections": 14,
        "active_requests": 3,
        "user_connections": 0,
        "max_connections": 32767,
        "total_physical_memory_kb": 8_152_836,
        "available_physical_memory_kb": 2_038_209,
        "physical_memory_in_use_kb": 3_145_728,
        "scheduler_monitor_record": SCHEDULER_MONITOR_RECORD,
        "deadlocks": 7,
        "transactions": 1_204_553,
        "buffer_cache_hit_ratio": 9_871,
        "buffer_cache_hit_ratio_base": 10_000,
        "database_size_mb": 840.0,
    }
    row.update(overrides)
    return row
