"""Rules parse into typed objects, and a wrong one is a config error that
names its file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import load_config
from engine.config.loader import ConfigError
from engine.paths import CONFIG_DIR
from engine.validation.rules import (
    CustomSql,
    Duplicate,
    Freshness,
    RangeCheck,
    Referential,
    RuleError,
    parse_rule,
)


def parse(kind, column=None, **params):
    return parse_rule("rule_a", "healthcare.claims", kind, column, params, "warning")


def test_range_check_parses():
    rule = parse("range_check", "quantity", min=1, max=1000)

    assert isinstance(rule, RangeCheck)
    assert (rule.minimum, rule.maximum) == (1.0, 1000.0)
    assert rule.row_level


def test_referential_splits_the_parent():
    rule = parse(
        "referential", "patient_id", references="healthcare.patients.patient_id"
    )

    assert isinstance(rule, Referential)
    assert (rule.parent_table, rule.parent_column) == (
        "healthcare.patients",
        "patient_id",
    )


def test_duplicate_takes_a_column_or_a_list():
    assert parse("duplicate", "member_id").key == ("member_id",)
    rule = parse("duplicate", columns=["ndc", "tier"])
    assert isinstance(rule, Duplicate) and rule.key == ("ndc", "tier")


def test_freshness_defaults_to_utc():
    rule = parse("freshness", "submitted_at", max_age_minutes=60)

    assert isinstance(rule, Freshness)
    assert rule.assume_timezone == "UTC"
    assert not rule.row_level


def test_custom_query_applies_to_both_dialects():
    rule = parse("custom_sql", query="SELECT 0")

    assert isinstance(rule, CustomSql)
    assert rule.queries == {"postgres": "SELECT 0", "mssql": "SELECT 0"}
    assert not rule.row_level


def test_custom_predicate_may_differ_per_dialect():
    rule = parse("custom_sql", where={"postgres": "t.a > now()"})

    assert isinstance(rule, CustomSql)
    assert rule.where == {"postgres": "t.a > now()"}
    assert rule.row_level
    assert rule.runs_on("postgres")
    assert not rule.runs_on("mssql")


def test_custom_predicate_text_applies_to_both_dialects():
    rule = parse("custom_sql", where=" t.a > 1 ")

    assert rule.where == {"postgres": "t.a > 1", "mssql": "t.a > 1"}
    assert rule.runs_on("mssql")


@pytest.mark.parametrize(
    ("kind", "column", "params", "message"),
    [
        ("nul_check", "a", {}, "unknown rule type 'nul_check'"),
        ("null_check", None, {}, "null_check needs a column"),
        ("range_check", "a", {}, "needs params.min, params.max or both"),
        ("range_check", "a", {"min": 5, "max": 1}, "above params.max"),
        ("range_check", "a", {"min": "one"}, "params.min must be a number"),
        ("referential", "a", {"references": "patients"}, "schema.table.column"),
        ("freshness", "a", {"max_age_minutes": 0}, "above 0"),
        (
            "freshness",
            "a",
            {"max_age_minutes": 5, "assume_timezone": "Mars/Base"},
            "not an IANA zone",
        ),
        ("custom_sql", None, {}, "exactly one of params.where"),
        ("custom_sql", None, {"query": {"oracle": "SELECT 1"}}, "unknown dialect"),
        ("custom_sql", None, {"where": {"sqlite": "t.a"}}, "unknown dialect"),
        ("custom_sql", None, {"where": {"mssql": " "}}, "for mssql must be non-empty"),
        ("custom_sql", None, {"where": ""}, "must be non-empty"),
        ("custom_sql", None, {"where": []}, "SQL text or a map"),
        ("null_check", "a", {"max": 3}, "unknown params for null_check: max"),
        ("null_check", "a b", {}, "not a plain column name"),
    ],
)
def test_wrong_rules_say_why(kind, column, params, message):
    with pytest.raises(RuleError, match=message):
        parse(kind, column, **params)


def test_table_must_be_schema_qualified():
    with pytest.raises(RuleError, match="must be schema.table"):
        parse_rule("rule_a", "claims", "null_check", "a", {}, "warning")


def test_shipped_rules_parse():
    config = load_config(CONFIG_DIR, environ={})

    assert [rule.typed().name for rule in config.validation.rules]


def test_bad_rule_in_file_names_line_and_key(tmp_path: Path):
    (tmp_path / "validation_rules.yaml").write_text(
        "rules:\n"
        "  - name: fine\n"
        "    table: commerce.orders\n"
        "    type: null_check\n"
        "    column: status\n"
        "  - name: typo\n"
        "    table: commerce.orders\n"
        "    type: rnage_check\n"
        "    column: total_amount\n"
    )

    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path, environ={})

    text = str(raised.value)
    assert "validation_rules.yaml:6" in text
    assert "rules[1]" in text
    assert "unknown rule type 'rnage_check'" in text


def test_rule_names_are_unique(tmp_path: Path):
    rule = (
        "  - {name: twice, table: commerce.orders, type: null_check, column: status}\n"
    )
    (tmp_path / "validation_rules.yaml").write_text("rules:\n" + rule + rule)

    with pytest.raises(ConfigError, match="rule name\\(s\\) used twice: twice"):
        load_config(tmp_path, environ={})
