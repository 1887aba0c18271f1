-- Monitoring queries for SQL Server 2016 and newer (DATEDIFF_BIG is new in
-- 2016). The login needs VIEW SERVER STATE to read the DMVs.
--
-- The adapter sends server, sessions, waiting_tasks, tempdb_usage and
-- wait_stats as one batch, so one poll is one round trip that returns five
-- result sets in that order. Every time is measured on the server's clock.

-- name: server
-- One row of server-wide figures. The scheduler-monitor record is returned
-- as its XML text and parsed in Python. A record of an unexpected shape then
-- becomes an n/a CPU figure with the reason instead of failing the whole
-- snapshot, and the parser is tested on recorded records. The performance
-- counters named "/sec" are cumulative totals, so the adapter takes deltas.
SELECT
    SYSUTCDATETIME() AS taken_at,
    DB_NAME() AS database_name,
    @@SPID AS own_session_id,
    info.sqlserver_start_time,
    (SELECT COUNT(*) FROM sys.dm_exec_connections) AS connections,
    (
        SELECT COUNT(*)
        FROM sys.dm_exec_requests AS r
        INNER JOIN sys.dm_exec_sessions AS s ON r.session_id = s.session_id
        WHERE s.is_user_process = 1 AND r.session_id <> @@SPID
    ) AS active_requests,
    (
        SELECT CAST(c.value_in_use AS INT)
        FROM sys.configurations AS c
        WHERE c.name = N'user connections'
    ) AS user_connections,
    @@MAX_CONNECTIONS AS max_connections,
    sm.total_physical_memory_kb,
    sm.available_physical_memory_kb,
    pm.physical_memory_in_use_kb,
    (
        SELECT TOP (1) rb.record
        FROM sys.dm_os_ring_buffers AS rb
        WHERE
            rb.ring_buffer_type = N'RING_BUFFER_SCHEDULER_MONITOR'
            AND rb.record LIKE N'%<SystemHealth>%'
        ORDER BY rb.[timestamp] DESC
    ) AS scheduler_monitor_record,
    (
        SELECT pc.cntr_value
        FROM sys.dm_os_performance_counters AS pc
        WHERE
            RTRIM(pc.object_name) LIKE N'%:Locks'
            AND pc.counter_name = N'Number of Deadlocks/sec'
            AND pc.instance_name = N'_Total'
    ) AS deadlocks,
    (
        SELECT pc.cntr_value
        FROM sys.dm_os_performance_counters AS pc
        WHERE
            RTRIM(pc.object_name) LIKE N'%:Databases'
            AND pc.counter_name = N'Transactions/sec'
            AND pc.instance_name = DB_NAME()
    ) AS transactions,
    (
        SELECT pc.cntr_value
        FROM sys.dm_os_performance_counters AS pc
        WHERE
            RTRIM(pc.object_name) LIKE N'%:Buffer Manager'
            AND pc.counter_name = N'Buffer cache hit ratio'
    ) AS buffer_cache_hit_ratio,
    (
        SELECT pc.cntr_value
        FROM sys.dm_os_performance_counters AS pc
        WHERE
            RTRIM(pc.object_name) LIKE N'%:Buffer Manager'
            AND pc.counter_name = N'Buffer cache hit ratio base'
    ) AS buffer_cache_hit_ratio_base,
    -- sys.database_files.size counts 8 KB pages.
    (
        SELECT CAST(SUM(CAST(df.size AS BIGINT)) * 8 / 1024.0 AS FLOAT)
        FROM sys.database_files AS df
    ) AS database_size_mb
FROM sys.dm_os_sys_info AS info
CROSS JOIN sys.dm_os_sys_memory AS sm
CROSS JOIN sys.dm_os_process_memory AS pm;

-- name: sessions
-- Every session, with its request when it runs one. A sleeping session has
-- no request, so its SQL text is the last batch it sent (most_recent_sql_handle
-- of its connection). Under MARS a session can run several requests and then
-- has one row per request.
SELECT
    s.session_id,
    s.login_name,
    s.host_name,
    s.program_name,
    DB_NAME(COALESCE(r.database_id, s.database_id)) AS database_name,
    s.status,
    s.is_user_process,
    s.open_transaction_count,
    s.login_time,
    s.last_request_start_time,
    s.last_request_end_time,
    DATEDIFF_BIG(MILLISECOND, s.last_request_end_time, SYSDATETIME()) AS idle_ms,
    tran_age.transaction_elapsed_ms,
    r.request_id,
    r.status AS request_status,
    r.command,
    r.wait_type,
    r.wait_time,
    r.blocking_session_id,
    r.open_transaction_count AS request_open_transaction_count,
    r.total_elapsed_time AS request_total_elapsed_time,
    CASE
        WHEN r.sql_handle IS NULL THEN LEFT(recent.text, 4000)
        -- The offsets count bytes of UTF-16 text, from 0; -1 means the end.
        ELSE SUBSTRING(
            statement.text,
            COALESCE(r.statement_start_offset, 0) / 2 + 1,
            CASE
                WHEN COALESCE(r.statement_end_offset, -1) = -1 THEN 4000
                ELSE
                    (r.statement_end_offset - COALESCE(r.statement_start_offset, 0))
                    / 2 + 1
            END
        )
    END AS sql_text
FROM sys.dm_exec_sessions AS s
LEFT JOIN sys.dm_exec_requests AS r ON s.session_id = r.session_id
OUTER APPLY sys.dm_exec_sql_text(r.sql_handle) AS statement
OUTER APPLY (
    SELECT TOP (1) c.most_recent_sql_handle
    FROM sys.dm_exec_connections AS c
    WHERE c.session_id = s.session_id AND c.parent_connection_id IS NULL
) AS conn
OUTER APPLY sys.dm_exec_sql_text(conn.most_recent_sql_handle) AS recent
OUTER APPLY (
    SELECT
        DATEDIFF_BIG(
            MILLISECOND, MIN(at.transaction_begin_time), SYSDATETIME()
        ) AS transaction_elapsed_ms
    FROM sys.dm_tran_session_transactions AS st
    INNER JOIN sys.dm_tran_active_transactions AS at
        ON st.transaction_id = at.transaction_id
    WHERE st.session_id = s.session_id
) AS tran_age;

-- name: waiting_tasks
-- Tasks that wait on something with an owner. A parallel query has one row
-- per waiting task (exec_context_id); its exchange waits name its own
-- session as the blocker. Negative blocking_session_id values are special
-- owners: -2 an orphaned distributed transaction, -3 a deferred recovery
-- transaction, -4 and -5 latches whose owner is not known.
SELECT
    wt.session_id,
    wt.exec_context_id,
    wt.wait_type,
    wt.wait_duration_ms,
    wt.blocking_session_id,
    wt.blocking_exec_context_id,
    wt.resource_description
FROM sys.dm_os_waiting_tasks AS wt
WHERE wt.session_id IS NOT NULL AND wt.blocking_session_id IS NOT NULL;

-- name: tempdb_usage
-- tempdb pages per session: sys.dm_db_session_space_usage counts the tasks
-- that have finished, sys.dm_db_task_space_usage the ones still running.
SELECT
    su.session_id,
    su.user_objects_alloc_page_count
    + COALESCE(tu.user_objects_alloc_page_count, 0)
        AS user_objects_alloc_page_count,
    su.user_objects_dealloc_page_count
    + COALESCE(tu.user_objects_dealloc_page_count, 0)
        AS user_objects_dealloc_page_count,
    su.internal_objects_alloc_page_count
    + COALESCE(tu.internal_objects_alloc_page_count, 0)
        AS internal_objects_alloc_page_count,
    su.internal_objects_dealloc_page_count
    + COALESCE(tu.internal_objects_dealloc_page_count, 0)
        AS internal_objects_dealloc_page_count
FROM sys.dm_db_session_space_usage AS su
LEFT JOIN (
    SELECT
        t.session_id,
        SUM(t.user_objects_alloc_page_count) AS user_objects_alloc_page_count,
        SUM(t.user_objects_dealloc_page_count) AS user_objects_dealloc_page_count,
        SUM(t.internal_objects_alloc_page_count)
            AS internal_objects_alloc_page_count,
        SUM(t.internal_objects_dealloc_page_count)
            AS internal_objects_dealloc_page_count
    FROM sys.dm_db_task_space_usage AS t
    WHERE t.database_id = DB_ID(N'tempdb')
    GROUP BY t.session_id
) AS tu ON su.session_id = tu.session_id
WHERE
    su.database_id = DB_ID(N'tempdb')
    AND (
        su.user_objects_alloc_page_count > 0
        OR su.internal_objects_alloc_page_count > 0
        OR tu.session_id IS NOT NULL
    );

-- name: wait_stats
-- Cumulative since the server started or since
-- DBCC SQLPERF('sys.dm_os_wait_stats', CLEAR).
SELECT
    ws.wait_type,
    ws.waiting_tasks_count,
    ws.wait_time_ms
FROM sys.dm_os_wait_stats AS ws
WHERE ws.waiting_tasks_count > 0;

-- name: session_kind
-- What kill_session checks before it sends KILL.
SELECT
    s.session_id,
    s.is_user_process,
    DB_NAME(s.database_id) AS database_name
FROM sys.dm_exec_sessions AS s
WHERE s.session_id = %(session_id)s;

-- name: own_session_id
SELECT @@SPID AS own_session_id;
