"""Wait types of sys.dm_os_wait_stats grouped into classes, and the deltas
of their wait time between two polls."""

from __future__ import annotations

from collections.abc import Mapping

# Waits of idle background tasks and of sessions waiting for work. They grow
# all the time on a quiet server and tell nothing about load. WAITFOR is a
# session that requested a sleep.
BENIGN_WAITS = frozenset(
    {
        "BROKER_EVENTHANDLER",
        "BROKER_RECEIVE_WAITFOR",
        "BROKER_TASK_STOP",
        "BROKER_TO_FLUSH",
        "BROKER_TRANSMITTER",
        "CHECKPOINT_QUEUE",
        "CHKPT",
        "CLR_AUTO_EVENT",
        "CLR_MANUAL_EVENT",
        "CLR_SEMAPHORE",
        "DIRTY_PAGE_POLL",
        "DISPATCHER_QUEUE_SEMAPHORE",
        "FSAGENT",
        "FT_IFTS_SCHEDULER_IDLE_WAIT",
        "FT_IFTSHC_MUTEX",
        "HADR_CLUSAPI_CALL",
        "HADR_FILESTREAM_IOMGR_IOCOMPLETION",
        "HADR_LOGCAPTURE_WAIT",
        "HADR_NOTIFICATION_DEQUEUE",
        "HADR_TIMER_TASK",
        "HADR_WORK_QUEUE",
        "KSOURCE_WAKEUP",
        "LAZYWRITER_SLEEP",
        "LOGMGR_QUEUE",
        "MEMORY_ALLOCATION_EXT",
        "ONDEMAND_TASK_QUEUE",
        "PARALLEL_REDO_DRAIN_WORKER",
        "PARALLEL_REDO_LOG_CACHE",
        "PARALLEL_REDO_TRAN_LIST",
        "PARALLEL_REDO_WORKER_SYNC",
        "PARALLEL_REDO_WORKER_WAIT_WORK",
        "PREEMPTIVE_XE_GETTARGETSTATE",
        "PWAIT_ALL_COMPONENTS_INITIALIZED",
        "PWAIT_DIRECTLOGCONSUMER_GETNEXT",
        "PWAIT_EXTENSIBILITY_CLEANUP_TASK",
        "QDS_ASYNC_QUEUE",
        "QDS_CLEANUP_STALE_QUERIES_TASK_MAIN_LOOP_SLEEP",
        "QDS_PERSIST_TASK_MAIN_LOOP_SLEEP",
        "QDS_SHUTDOWN_QUEUE",
        "REDO_THREAD_PENDING_WORK",
        "REQUEST_FOR_DEADLOCK_SEARCH",
        "RESOURCE_QUEUE",
        "SERVER_IDLE_CHECK",
        "SLEEP_BPOOL_FLUSH",
        "SLEEP_DBSTARTUP",
        "SLEEP_DCOMSTARTUP",
        "SLEEP_MASTERDBREADY",
        "SLEEP_MASTERMDREADY",
        "SLEEP_MASTERUPGRADED",
        "SLEEP_MSDBSTARTUP",
        "SLEEP_SYSTEMTASK",
        "SLEEP_TASK",
        "SLEEP_TEMPDBSTARTUP",
        "SNI_HTTP_ACCEPT",
        "SOS_WORK_DISPATCHER",
        "SP_SERVER_DIAGNOSTICS_SLEEP",
        "SQLTRACE_BUFFER_FLUSH",
        "SQLTRACE_INCREMENTAL_FLUSH_SLEEP",
        "SQLTRACE_WAIT_ENTRIES",
        "WAIT_FOR_RESULTS",
        "WAITFOR",
        "WAITFOR_TASKSHUTDOWN",
        "WAIT_XTP_CKPT_CLOSE",
        "WAIT_XTP_HOST_WAIT",
        "WAIT_XTP_OFFLINE_CKPT_NEW_LOG",
        "WAIT_XTP_RECOVERY",
        "XE_DISPATCHER_JOIN",
        "XE_DISPATCHER_WAIT",
        "XE_LIVE_TARGET_TVF",
        "XE_TIMER_EVENT",
    }
)

# The exchange waits of a parallel query: its tasks wait on each other.
EXCHANGE_WAITS = frozenset({"CXPACKET", "CXCONSUMER", "CXSYNC_PORT", "CXSYNC_CONSUMER"})

# Class names follow the wait categories of Query Store
# (sys.query_store_wait_stats.wait_category_desc). Checked in order, so the
# longer prefix PAGEIOLATCH_ comes before PAGELATCH_ and LATCH_.
_PREFIX_CLASSES = (
    ("LCK_M_", "Lock"),
    ("PAGEIOLATCH_", "Buffer IO"),
    ("PAGELATCH_", "Buffer Latch"),
    ("LATCH_", "Latch"),
    ("CX", "Parallelism"),
    ("HADR_SYNC_COMMIT", "Replication"),
    ("PREEMPTIVE_", "Preemptive"),
    ("BROKER_", "Service Broker"),
    ("FT_", "Full Text Search"),
    ("CLR_", "SQL CLR"),
    ("SQLCLR", "SQL CLR"),
    ("XACT", "Transaction"),
    ("DTC", "Transaction"),
)
_EXACT_CLASSES = {
    "SOS_SCHEDULER_YIELD": "CPU",
    "THREADPOOL": "Worker Thread",
    "RESOURCE_SEMAPHORE": "Memory",
    "RESOURCE_SEMAPHORE_QUERY_COMPILE": "Compilation",
    "CMEMTHREAD": "Memory",
    "WRITELOG": "Tran Log IO",
    "LOGBUFFER": "Tran Log IO",
    "LOG_RATE_GOVERNOR": "Log Rate Governor",
    "ASYNC_NETWORK_IO": "Network IO",
    "IO_COMPLETION": "Other Disk IO",
    "ASYNC_IO_COMPLETION": "Other Disk IO",
    "BACKUPIO": "Other Disk IO",
    "WRITE_COMPLETION": "Other Disk IO",
}


def wait_class(wait_type: str) -> str | None:
    """Return the class of ``wait_type``, or None for a benign idle wait."""
    name = wait_type.strip().upper()
    if name in BENIGN_WAITS:
        return None
    if name in _EXACT_CLASSES:
        return _EXACT_CLASSES[name]
    for prefix, name_of_class in _PREFIX_CLASSES:
        if name.startswith(prefix):
            return name_of_class
    return "Other"


def wait_deltas(
    previous: Mapping[str, int] | None,
    current: Mapping[str, int],
    restarted: bool = False,
) -> tuple[dict[str, float], bool]:
    """Return milliseconds waited per class since the previous poll, and
    whether the counters were reset in between.

    ``previous`` and ``current`` map wait_type to the cumulative wait_time_ms.
    A server restart or ``DBCC SQLPERF('sys.dm_os_wait_stats', CLEAR)`` sets
    every counter back to zero, so when any counter went down (or the caller
    saw a new sqlserver_start_time) the current totals are the waits since
    the reset and count whole. The first poll has no baseline and returns
    no classes.
    """
    if previous is None:
        return {}, False
    reset = restarted or any(
        current.get(name, 0) < total for name, total in previous.items()
    )
    by_class: dict[str, float] = {}
    for name, total in current.items():
        name_of_class = wait_class(name)
        if name_of_class is None:
            continue
        before = 0 if reset else previous.get(name, 0)
        waited = total - before
        if waited > 0:
            by_class[name_of_class] = by_class.get(name_of_class, 0.0) + waited
    return by_class, reset
