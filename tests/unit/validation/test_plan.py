"""The SQL a validation run sends: one scan per table, and statements that
parse in both dialects."""

from __future__ import annotations

import pytest

from engine.targets.postgres import PostgresDialect
from engine.validation.plan import predicate, sample_statement, table_scan
from engine.validation.rules import parse_rule
from tests.unit.test_sql_files import linter

QUOTE = PostgresDialect().quote_identifier
DIALECTS = {"postgres": "postgres", "mssql": "tsql"}


def rule(name, kind, column=None, **params):
    return parse_rule(
        name, "healthcare.pharmacy_claims", kind, column, params, "warning"
    )


RULES = [
    rule("qty", "range_check", "quantity", min=1, max=1000),
    rule(
        "patient",
        "referential",
        "patient_id",
        references="healthcare.patients.patient_id",
    ),
    rule("dup", "duplicate", columns=["prescription_id", "fill_number"]),
    rule("fresh", "freshness", "submitted_at", max_age_minutes=60),
    rule("status", "null_check", "claim_status"),
    rule("custom", "custom_sql", where="t.copay > t.ingredient_cost"),
]


def assert_parses(sql: str, dialect: str) -> None:
    parsed = linter(DIALECTS[dialect]).parse_string(sql + ";\n")
    assert [violation.desc() for violation in parsed.violations] == [], sql


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_one_scan_covers_every_rule_of_a_table(dialect):
    scan = table_scan("healthcare.pharmacy_claims", RULES, QUOTE, dialect)

    assert scan.sql.count('FROM "healthcare"."pharmacy_claims" AS w') == 1
    assert scan.fields == {
        "qty": ("violations", "nulls"),
        "patient": ("violations",),
        "dup": ("violations",),
        "fresh": ("newest", "now"),
        "status": ("violations",),
        "custom": ("violations",),
    }
    assert_parses(scan.sql, dialect)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize(
    ("keys", "join"),
    [
        (
            {"healthcare.patients": ("patient_id",)},
            'LEFT JOIN "healthcare"."patients" AS r0 '
            'ON r0."patient_id" = t."patient_id"',
        ),
        (
            {},
            'LEFT JOIN (SELECT DISTINCT "patient_id" AS warroom_key '
            'FROM "healthcare"."patients") AS r0',
        ),
    ],
)
def test_table_scan_joins_parent_once(dialect, keys, join):
    # Straight to the parent when the column is its primary key, to its
    # distinct values otherwise: neither join multiplies the scanned rows.
    scan = table_scan("healthcare.pharmacy_claims", RULES, QUOTE, dialect, keys)

    assert join in scan.sql
    assert "EXISTS" not in scan.sql
    assert_parses(scan.sql, dialect)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize("index", [0, 1, 2, 4, 5])
def test_sample_statement_parses(dialect, index):
    sql = sample_statement(
        RULES[index], ["claim_id", "service_date"], QUOTE, dialect, 10
    )

    assert_parses(sql, dialect)
    assert ("TOP (10)" in sql) == (dialect == "mssql")


def test_predicates_keep_null_semantics():
    # A NULL foreign key is not an orphan, and a NULL in a duplicate key is
    # not a duplicate. A range check does not count NULL as out of range.
    assert predicate(RULES[1], QUOTE, "postgres").startswith(
        '(t."patient_id" IS NOT NULL AND'
    )
    assert 't."prescription_id" IS NOT NULL AND t."fill_number" IS NOT NULL' in (
        predicate(RULES[2], QUOTE, "postgres")
    )
    assert "NULL" not in predicate(RULES[0], QUOTE, "postgres")
