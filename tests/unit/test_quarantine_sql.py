"""The statements that move rows to the quarantine and back, and the journal's
generic row statements, parse in both dialects."""

from __future__ import annotations

import pytest

from engine.chaos import rows_sql
from engine.remediation import quarantine_sql
from engine.targets.postgres import PostgresDialect
from tests.unit.test_sql_files import linter

DIALECTS = {"postgres": "postgres", "mssql": "tsql"}
QUOTE = PostgresDialect().quote_identifier
RELATION = '"healthcare"."formulary"'
WHERE = 't."tier" >= 3'


def assert_parses(sql: str, dialect: str) -> None:
    parsed = linter(DIALECTS[dialect]).parse_string(sql.rstrip(";") + ";\n")
    assert [violation.desc() for violation in parsed.violations] == [], sql


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_quarantine_statements_parse(dialect):
    statements = [
        quarantine_sql.count_rows(RELATION, WHERE),
        quarantine_sql.count_children(
            '"healthcare"."claims"', '"ndc"', RELATION, '"ndc"', WHERE
        ),
        quarantine_sql.move_rows(dialect, RELATION, ['"ndc"'], WHERE),
        quarantine_sql.release_rows(dialect, RELATION, ['"ndc"', '"tier"']),
        quarantine_sql.discard_rows(dialect, [{"ndc": "00001000101"}])[0],
    ]
    for statement in statements:
        assert_parses(statement, dialect)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_journal_statements_parse(dialect):
    key = ["claim_id", "service_date"]
    columns = key + ["claim_status"]
    table = "healthcare.pharmacy_claims"
    for statement in (
        rows_sql.delete_row(table, key, QUOTE),
        rows_sql.upsert_row(dialect, table, key, columns, QUOTE),
        rows_sql.select_row(table, key, ["claim_status"], QUOTE),
        rows_sql.fingerprint(dialect, table, QUOTE),
    ):
        assert_parses(statement, dialect)


def test_discard_matches_each_key_on_every_column():
    statement, params = quarantine_sql.discard_rows(
        "postgres",
        [
            {"claim_id": 7, "service_date": "2026-12-01"},
            {"claim_id": 8, "service_date": None},
        ],
    )

    assert "(row_key ->> 'claim_id' = %(k0_claim_id)s AND " in statement
    assert params == {
        "k0_claim_id": "7",
        "k0_service_date": "2026-12-01",
        "k1_claim_id": "8",
        "k1_service_date": None,
    }
