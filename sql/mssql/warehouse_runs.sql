-- Statements that run the star schema's procedures of warehouse.sql.

-- name: run_warehouse_load
EXEC healthcare.etl_warehouse;

-- name: update_statistics
-- UPDATE STATISTICS on the star tables, and return each table with its row
-- count.
EXEC healthcare.warehouse_update_statistics;

-- name: partition_info
-- One row per partition of healthcare.fact_pharmacy_claims.
EXEC healthcare.warehouse_partitions;
