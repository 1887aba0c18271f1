-- Statements the scheduled jobs run.

-- name: statistics_commands
-- One UPDATE STATISTICS per table of the listed schemas (a comma-separated
-- list). QUOTENAME quotes the names.
SELECT
    s.name AS schema_name,
    t.name AS table_name,
    N'UPDATE STATISTICS ' + QUOTENAME(s.name) + N'.' + QUOTENAME(t.name)
    AS command
FROM sys.tables AS t
INNER JOIN sys.schemas AS s ON t.schema_id = s.schema_id
WHERE s.name IN (SELECT value FROM STRING_SPLIT(%(schemas)s, N','))
ORDER BY s.name, t.name;

-- name: catalog_counts
-- Tables and rows per schema from sys.partitions (heap or clustered index
-- rows, summed over partitions).
SELECT
    s.name AS schema_name,
    COUNT(DISTINCT t.object_id) AS tables,
    COALESCE(SUM(p.rows), 0) AS estimated_rows
FROM sys.tables AS t
INNER JOIN sys.schemas AS s ON t.schema_id = s.schema_id
LEFT JOIN sys.partitions AS p
    ON t.object_id = p.object_id AND p.index_id IN (0, 1)
WHERE t.is_ms_shipped = 0
GROUP BY s.name
ORDER BY s.name;
