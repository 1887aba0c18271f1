"""The ETL pipelines: stored procedures in sql/<dialect>/etl.sql, installed
and run by scheduled jobs, each writing a lineage row per run."""
