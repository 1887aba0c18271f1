-- Statements the scheduled jobs run.

-- name: statistics_commands
-- One ANALYZE per table of the listed schemas (a comma-separated list). A
-- partitioned table's ANALYZE also samples its partitions, so partitions are
-- not listed on their own. format() quotes the names.
SELECT
    n.nspname AS schema_name,
    c.relname AS table_name,
    format('ANALYZE %%I.%%I', n.nspname, c.relname) AS command
FROM pg_class AS c
INNER JOIN pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    c.relkind IN ('r', 'p')
    AND NOT c.relispartition
    AND n.nspname = ANY(string_to_array(%(schemas)s, ','))
ORDER BY n.nspname, c.relname;

-- name: catalog_counts
-- Tables and estimated rows per user schema, from the planner's statistics.
-- reltuples is -1 for a table never analyzed or vacuumed, which counts as 0.
SELECT
    n.nspname AS schema_name,
    count(*) FILTER (WHERE NOT c.relispartition) AS tables,
    coalesce(
        sum(greatest(c.reltuples, 0)) FILTER (WHERE c.relkind = 'r'), 0
    )::bigint AS estimated_rows
FROM pg_class AS c
INNER JOIN pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_%%'
GROUP BY n.nspname
ORDER BY n.nspname;
