"""The 24 rules of config/validation_rules.yaml: their types, and SQL that
parses in both dialects."""

from __future__ import annotations

from itertools import groupby

import pytest

from engine.config import load_config
from engine.paths import CONFIG_DIR
from engine.targets.mssql.target import MssqlDialect
from engine.targets.postgres import PostgresDialect
from engine.validation.plan import table_scan
from engine.validation.rules import (
    CustomSql,
    Duplicate,
    Freshness,
    NullCheck,
    RangeCheck,
    Referential,
)
from tests.unit.test_sql_files import linter

QUOTES = {
    "postgres": PostgresDialect().quote_identifier,
    "mssql": MssqlDialect().quote_identifier,
}
SQLFLUFF_DIALECTS = {"postgres": "postgres", "mssql": "tsql"}
# Rules that chaos drills and config/playbook.yaml name.
DRILL_RULES = {
    "customers_email_present": NullCheck,
    "orders_total_range": RangeCheck,
    "orders_customer_exists": Referential,
    "prescriptions_patient_exists": Referential,
    "claims_quantity_range": RangeCheck,
    "claims_days_supply_range": RangeCheck,
    "formulary_generics_preferred": CustomSql,
}
# The fourteen healthcare rules on patients, prescriptions, claims and
# adherence. The other ten are operational.
HEALTHCARE_RULES = {
    "patients_member_id_present",
    "patients_member_id_unique",
    "patients_date_of_birth_present",
    "medications_ndc_11_digits",
    "providers_npi_valid",
    "prescriptions_patient_exists",
    "prescriptions_provider_exists",
    "prescriptions_controlled_need_dea",
    "claims_patient_exists",
    "claims_quantity_range",
    "claims_days_supply_range",
    "claims_cost_range",
    "claims_submitted_within_48h",
    "adherence_pdc_range",
}


@pytest.fixture(scope="module")
def rules():
    config = load_config(CONFIG_DIR, environ={})
    return [rule.typed() for rule in config.validation.rules]


def by_name(rules):
    return {rule.name: rule for rule in rules}


def assert_parses(sql: str, dialect: str) -> None:
    parsed = linter(SQLFLUFF_DIALECTS[dialect]).parse_string(sql + ";\n")
    assert [violation.desc() for violation in parsed.violations] == [], sql


def test_ten_operational_and_fourteen_healthcare(rules):
    names = {rule.name for rule in rules}

    assert names >= HEALTHCARE_RULES
    assert len(names - HEALTHCARE_RULES) == 10
    assert len(rules) == 24


def test_drill_rules_keep_their_types(rules):
    named = by_name(rules)

    for name, kind in DRILL_RULES.items():
        assert isinstance(named[name], kind), name


def test_healthcare_rule_types(rules):
    named = by_name(rules)

    assert isinstance(named["patients_member_id_present"], NullCheck)
    assert isinstance(named["patients_member_id_unique"], Duplicate)
    assert named["patients_member_id_unique"].key == ("member_id",)
    assert isinstance(named["claims_cost_range"], RangeCheck)
    assert (named["claims_cost_range"].minimum, named["claims_cost_range"].maximum) == (
        0.0,
        100_000.0,
    )
    for name in (
        "medications_ndc_11_digits",
        "providers_npi_valid",
        "prescriptions_controlled_need_dea",
    ):
        assert isinstance(named[name], CustomSql), name
        assert named[name].row_level, name


def test_per_dialect_query_covers_both(rules):
    rule = by_name(rules)["quarantine_source_table_exists"]

    assert isinstance(rule, CustomSql)
    assert not rule.row_level
    assert sorted(rule.queries) == ["mssql", "postgres"]
    assert rule.queries["mssql"] != rule.queries["postgres"]


def test_per_dialect_predicate_runs_in_the_claims_scan(rules):
    rule = by_name(rules)["claims_submitted_within_48h"]

    assert isinstance(rule, CustomSql)
    assert rule.row_level
    assert sorted(rule.where) == ["mssql", "postgres"]
    assert rule.where["mssql"] != rule.where["postgres"]


@pytest.mark.parametrize("dialect", sorted(QUOTES))
def test_table_scans_parse(rules, dialect):
    scanned = sorted(
        (rule for rule in rules if rule.row_level or isinstance(rule, Freshness)),
        key=lambda rule: rule.table,
    )

    for table, group in groupby(scanned, key=lambda rule: rule.table):
        scan = table_scan(table, list(group), QUOTES[dialect], dialect)
        assert_parses(scan.sql, dialect)


@pytest.mark.parametrize("dialect", sorted(QUOTES))
def test_custom_queries_parse(rules, dialect):
    for rule in rules:
        if isinstance(rule, CustomSql) and not rule.row_level:
            assert_parses(rule.queries[dialect], dialect)
