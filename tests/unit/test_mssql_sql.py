"""The T-SQL files under sql/mssql/ match the PostgreSQL files statement for
statement. tests/unit/test_sql_files.py parses every file of both dialects."""

from __future__ import annotations

import re
from datetime import date

import pytest

from engine.etl.warehouse import LOAD_STEPS
from engine.paths import SQL_DIR
from engine.targets.sqlfiles import load_file

MSSQL_DIR = SQL_DIR / "mssql"
MSSQL_FILES = sorted(MSSQL_DIR.glob("*.sql"))
# Files both folders have. The adapter's own tests check monitor.sql.
SHARED_FILES = ("schema", "chaos", "traffic")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# SET inside a parameterized call is undone when the call returns, so the
# T-SQL statement takes none of the PostgreSQL statement's parameters.
PARAMETERS_DROPPED = {("chaos", "set_deadlock_timeout")}


def test_mssql_files_found():
    names = {path.stem for path in MSSQL_FILES}

    assert set(SHARED_FILES) <= names
    assert "seed" in names


@pytest.mark.parametrize("file_name", ["chaos", "traffic", "warehouse_runs"])
def test_statement_names_match_postgres(file_name: str):
    postgres = load_file("postgres", file_name)
    mssql = load_file("mssql", file_name)

    assert sorted(mssql) == sorted(postgres)


@pytest.mark.parametrize("file_name", ["chaos", "traffic", "warehouse_runs"])
def test_placeholders_match_postgres(file_name: str):
    postgres = load_file("postgres", file_name)
    mssql = load_file("mssql", file_name)

    for name, statement in mssql.items():
        expected = set(PLACEHOLDER.findall(postgres[name]))
        if (file_name, name) in PARAMETERS_DROPPED:
            expected = set()
        assert set(PLACEHOLDER.findall(statement)) == expected, name


def test_chaos_pick_skips_locked_rows():
    pick = load_file("mssql", "chaos")["pick_claims"]

    assert "UPDLOCK" in pick
    assert "READPAST" in pick
    assert "TOP (%(count)s)" in pick


def test_schema_has_every_postgres_table():
    create = re.compile(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)\.(\w+)", re.I)
    postgres = (SQL_DIR / "postgres" / "schema.sql").read_text()
    mssql = (MSSQL_DIR / "schema.sql").read_text()
    # PostgreSQL's partitions are tables of their own, SQL Server's are not.
    expected = {
        ("dbo" if schema == "public" else schema, table)
        for schema, table in create.findall(postgres)
        if "_default" not in table
    }

    assert set(create.findall(mssql)) == expected


def test_warehouse_has_every_postgres_table():
    create = re.compile(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)\.(\w+)", re.I)
    postgres = (SQL_DIR / "postgres" / "warehouse.sql").read_text()
    mssql = (MSSQL_DIR / "warehouse.sql").read_text()
    expected = {
        (schema, table)
        for schema, table in create.findall(postgres)
        if not table.endswith("_default")
    }

    assert set(create.findall(mssql)) == expected
    assert ("healthcare", "fact_pharmacy_claims") in expected


def test_warehouse_analytic_indexes():
    warehouse = (MSSQL_DIR / "warehouse.sql").read_text()
    view = re.search(
        r"CREATE OR ALTER VIEW healthcare\.claims_by_drug_class\s+"
        r"WITH SCHEMABINDING\s+AS\s+(.*?)\nGO",
        warehouse,
        re.S,
    )

    assert "CREATE NONCLUSTERED COLUMNSTORE INDEX ncci_fact_pharmacy_claims" in (
        warehouse
    )
    assert ") ON ps_claims_service_month (service_date);" in warehouse
    assert view is not None
    assert "COUNT_BIG(*)" in view[1]
    assert not re.search(r"\b(AVG|MIN|MAX|COUNT)\(", view[1])
    assert re.search(
        r"CREATE UNIQUE CLUSTERED INDEX \w+\s+ON healthcare\.claims_by_drug_class",
        warehouse,
    )


# A lineage call's pipeline name and its arguments, up to the end of the
# call: "CALL healthcare.etl_record_lineage('name', ...);" in PostgreSQL and
# "EXEC healthcare.etl_record_lineage N'name', ...;" in T-SQL.
LINEAGE_CALL = re.compile(r"etl_record_lineage\(?\s*N?'(\w+)'([^;]*);")


@pytest.mark.parametrize("file_name", ["etl", "warehouse"])
def test_lineage_calls_match_postgres(file_name: str):
    postgres = LINEAGE_CALL.findall(
        (SQL_DIR / "postgres" / f"{file_name}.sql").read_text()
    )
    mssql = LINEAGE_CALL.findall((MSSQL_DIR / f"{file_name}.sql").read_text())

    # The same lineage rows, and each passes rows_rejected (a 7th argument
    # after the start time) in both dialects or in neither.
    assert [name for name, _ in mssql] == [name for name, _ in postgres]
    for (name, mssql_arguments), (_, postgres_arguments) in zip(
        mssql, postgres, strict=True
    ):
        assert argument_count(mssql_arguments) == argument_count(postgres_arguments), (
            name
        )


def argument_count(arguments: str) -> int:
    """Count the arguments after the first, ignoring commas in string literals."""
    return re.sub(r"'[^']*'", "''", arguments).count(",")


def test_warehouse_lineage_matches_load_steps():
    warehouse = (MSSQL_DIR / "warehouse.sql").read_text()
    steps = [name for name, _ in LINEAGE_CALL.findall(warehouse)]

    # dim_patient comes from etl_dim_patient in etl.sql.
    assert ["dim_patient", *steps] == list(LOAD_STEPS)


def test_claims_partitioned_monthly():
    schema = (MSSQL_DIR / "schema.sql").read_text()
    function = re.search(
        r"CREATE PARTITION FUNCTION \w+ \(date\)\s+AS RANGE RIGHT FOR VALUES "
        r"\(([^)]*)\)",
        schema,
    )
    assert function is not None
    boundaries = [date.fromisoformat(d) for d in re.findall(r"'([\d-]+)'", function[1])]
    months = [date(2025 + m // 12, m % 12 + 1, 1) for m in range(25)]

    # Every month of 2025 and 2026 gets a partition, and 2027-01-01 ends the last.
    assert boundaries == months
    assert "ON ps_claims_service_month (service_date)" in schema
    assert "PRIMARY KEY CLUSTERED (service_date, claim_id)" in schema


def test_seed_marks_its_load():
    seed = (MSSQL_DIR / "seed.sql").read_text()

    # The guard comes first, and the marker is written in the same transaction.
    guard = seed.index("IF EXISTS (SELECT 1 FROM dbo.warroom_meta")
    assert guard < seed.index("BEGIN TRANSACTION")
    assert "(N'seed_version', N'4')" in seed
    assert "\nGO" not in seed
