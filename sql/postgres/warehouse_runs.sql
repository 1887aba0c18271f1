-- Statements that run the star schema's procedures of warehouse.sql.

-- name: run_warehouse_load
CALL healthcare.etl_warehouse();

-- name: update_statistics
-- ANALYZE the star tables, and return each table with its row estimate.
SELECT table_name, row_estimate
FROM healthcare.warehouse_analyze();

-- name: partition_info
-- One row per partition of healthcare.fact_pharmacy_claims.
SELECT partition_name, bounds, range_from, range_to, row_estimate, size_bytes
FROM healthcare.warehouse_partitions();
