-- Monitoring queries for PostgreSQL 14 and newer (pg_locks.waitstart is new
-- in 14). While waitstart is still null, in the first moments of a lock wait,
-- the wait is timed from the session's last state change.

-- name: snapshot
-- One round trip: every session with its blockers, and the counters.
-- pg_blocking_pids() is only called for sessions waiting on a lock, because it
-- takes the lock manager's partition locks and is not free.
WITH lock_waits AS (
    SELECT pid, min(waitstart) AS wait_started
    FROM pg_locks
    WHERE NOT granted
    GROUP BY pid
),
sessions AS (
    SELECT
        a.pid,
        a.usename,
        coalesce(host(a.client_addr), CASE WHEN a.client_port = -1 THEN 'local' END)
            AS host,
        a.application_name,
        a.datname,
        coalesce(a.state, '') AS state,
        a.backend_type,
        left(a.query, 4000) AS query,
        a.wait_event_type,
        a.wait_event,
        CASE
            WHEN a.wait_event_type = 'Lock'
                THEN extract(epoch FROM now() - coalesce(w.wait_started, a.state_change))
        END AS lock_wait_seconds,
        -- now() is this snapshot's own start, a moment before clock time, so
        -- a statement that began since then would read as negative.
        CASE
            WHEN a.state = 'active'
                THEN greatest(0, extract(epoch FROM clock_timestamp() - a.query_start))
        END AS elapsed_seconds,
        extract(epoch FROM now() - a.xact_start) AS transaction_seconds,
        extract(epoch FROM now() - a.state_change) AS state_seconds,
        a.backend_start,
        a.leader_pid,
        CASE
            WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid)
            ELSE '{}'::int[]
        END AS blocked_by
    FROM pg_stat_activity AS a
    LEFT JOIN lock_waits AS w ON w.pid = a.pid
),
this_database AS (
    SELECT
        xact_commit + xact_rollback AS transactions,
        deadlocks,
        blks_hit,
        blks_read
    FROM pg_stat_database
    WHERE datname = current_database()
)
SELECT
    statement_timestamp() AS taken_at,
    current_database() AS database,
    pg_backend_pid() AS own_pid,
    (SELECT coalesce(json_agg(row_to_json(s)), '[]'::json) FROM sessions AS s)
        AS sessions,
    (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')
        AS connections,
    current_setting('max_connections')::int AS max_connections,
    (
        SELECT count(*) FROM pg_stat_activity
        WHERE state = 'active' AND backend_type = 'client backend'
            AND pid <> pg_backend_pid()
    ) AS active_requests,
    d.transactions,
    d.deadlocks,
    d.blks_hit,
    d.blks_read,
    pg_database_size(current_database()) AS database_bytes,
    -- pg_ls_tmpdir() needs pg_monitor; the CASE leaves the subquery unevaluated
    -- for other roles, and the figure becomes n/a with that reason.
    CASE
        WHEN pg_has_role(current_user, 'pg_monitor', 'USAGE')
            THEN (SELECT coalesce(sum(size), 0) FROM pg_ls_tmpdir())
    END AS temp_bytes
FROM this_database AS d;

-- name: kill_session
SELECT pg_terminate_backend(%(session_id)s);

-- name: cancel_request
SELECT pg_cancel_backend(%(session_id)s);

-- name: own_pid
SELECT pg_backend_pid();
