"""Every rule type against the real embedded PostgreSQL, with the NULL cases:
NULLs are not duplicates, a NULL foreign key is not an orphan, range checks
count the NULLs they skip, a custom query returning NULL or no row is "not
evaluated", and freshness reads a column without a zone as the stated zone."""

from __future__ import annotations

import psycopg
import pytest

from engine.config.models import ValidationConfig, ValidationRuleConfig
from engine.targets.postgres import PostgresTarget
from engine.validation.catalog import RuleCatalogError
from engine.validation.runner import VALIDATION_APPLICATION, Validator

SETUP = """
CREATE SCHEMA vt;
CREATE TABLE vt.parent (id int PRIMARY KEY);
CREATE TABLE vt.child (
    id int PRIMARY KEY,
    parent_id int,
    code text,
    amount numeric,
    seen_at timestamptz,
    seen_local timestamp
);
INSERT INTO vt.parent VALUES (1), (2);
INSERT INTO vt.child VALUES
    (1, 1, 'a', 5, now() - interval '10 minutes', now() AT TIME ZONE 'UTC'),
    (2, NULL, NULL, NULL, now() - interval '20 minutes', NULL),
    (3, 9, NULL, 500, now() - interval '30 minutes', NULL),
    (4, 2, 'a', -1, now() - interval '40 minutes', NULL),
    (5, NULL, 'b', 7, now() - interval '50 minutes', NULL);
"""


def rule(name, kind, column=None, **params) -> ValidationRuleConfig:
    return ValidationRuleConfig(
        name=name, table="vt.child", type=kind, column=column, params=params
    )


@pytest.fixture
async def target(database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(SETUP)
    instance = PostgresTarget(database_url, name="test", is_local=True)
    await instance.connect()
    yield instance
    await instance.close()


def parent_rule(name: str) -> ValidationRuleConfig:
    return ValidationRuleConfig(
        name=name, table="vt.parent", type="null_check", column="id"
    )


async def run(target, *rules):
    validator = Validator(target, ValidationConfig(rules=list(rules)))
    card = await validator.run()
    return {result.rule: result for result in card.results}, card


async def test_null_check_counts_nulls(target):
    results, _ = await run(target, rule("code", "null_check", "code"))

    assert results["code"].outcome == "fail"
    assert results["code"].violations == 2
    assert results["code"].samples == ({"id": 2}, {"id": 3})


def fix_rows_before_samples(monkeypatch, database_url):
    """Commit a fix of the code column's NULLs between the scan and the
    sample statement."""
    from engine.validation import runner

    plan_samples = runner.sample_statement

    def fix_then_plan(*args, **kwargs):
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute("UPDATE vt.child SET code = 'z' WHERE code IS NULL")
        return plan_samples(*args, **kwargs)

    monkeypatch.setattr(runner, "sample_statement", fix_then_plan)


async def test_samples_read_from_scan_snapshot(target, database_url, monkeypatch):
    fix_rows_before_samples(monkeypatch, database_url)

    results, _ = await run(target, rule("code", "null_check", "code"))

    assert results["code"].violations == 2
    assert results["code"].samples == ({"id": 2}, {"id": 3})
    assert results["code"].detail == "2 of 5 row(s) violate it"


async def test_samples_without_snapshot_say_rows_gone(
    target, database_url, monkeypatch
):
    # SQL Server reads the samples in a statement of their own.
    from engine.validation import snapshot

    monkeypatch.setattr(snapshot, "BEGIN_SNAPSHOT", {})
    fix_rows_before_samples(monkeypatch, database_url)

    results, _ = await run(target, rule("code", "null_check", "code"))

    assert results["code"].violations == 2
    assert results["code"].samples == ()
    assert results["code"].detail == (
        "2 of 5 row(s) violate it; no such row was left when the samples were read"
    )


async def test_failed_samples_spare_next_rule(target, monkeypatch):
    from engine.validation import runner

    plan_samples = runner.sample_statement

    def break_code_rule(rule, *args, **kwargs):
        if rule.name == "code":
            return "SELECT id FROM vt.missing_table"
        return plan_samples(rule, *args, **kwargs)

    monkeypatch.setattr(runner, "sample_statement", break_code_rule)

    results, _ = await run(
        target,
        rule("code", "null_check", "code"),
        rule("amount", "range_check", "amount", min=0, max=100),
    )

    assert results["code"].samples == ()
    assert results["code"].detail.endswith("samples not read (see logs/warroom.log)")
    assert results["amount"].samples == ({"id": 3}, {"id": 4})


async def test_snapshot_ends_with_run(target, database_url):
    validator = Validator(
        target,
        ValidationConfig(
            rules=[rule("code", "null_check", "code"), parent_rule("parent_id")]
        ),
    )
    await validator.run()

    with psycopg.connect(database_url, autocommit=True) as connection:
        states = connection.execute(
            "SELECT state FROM pg_stat_activity WHERE application_name = %s",
            (VALIDATION_APPLICATION,),
        ).fetchall()
    await validator.close()

    assert states == [("idle",)]


async def test_range_check_skips_and_counts_nulls(target):
    results, _ = await run(
        target, rule("amount", "range_check", "amount", min=0, max=100)
    )

    amount = results["amount"]
    assert (amount.outcome, amount.violations, amount.nulls_skipped) == ("fail", 2, 1)
    assert amount.samples == ({"id": 3}, {"id": 4})


async def test_null_foreign_key_is_not_an_orphan(target):
    results, _ = await run(
        target, rule("parent", "referential", "parent_id", references="vt.parent.id")
    )

    assert results["parent"].violations == 1
    assert results["parent"].samples == ({"id": 3},)


async def test_nulls_are_not_duplicates(target):
    results, _ = await run(target, rule("code_unique", "duplicate", "code"))

    # Two 'a' rows are duplicates; the two NULL codes are not.
    assert results["code_unique"].violations == 2
    assert results["code_unique"].samples == ({"id": 1}, {"id": 4})


async def test_where_rule_runs_in_the_scan(target):
    results, _ = await run(target, rule("big", "custom_sql", where="t.amount > 100"))

    assert (results["big"].outcome, results["big"].violations) == ("fail", 1)


async def test_missing_dialect_sql_not_evaluated(target):
    results, card = await run(
        target,
        rule("late", "custom_sql", where={"mssql": "t.amount > 100"}),
        rule("counted", "custom_sql", query={"mssql": "SELECT 1"}),
        rule("big", "custom_sql", where={"postgres": "t.amount > 100"}),
    )

    for name in ("late", "counted"):
        assert results[name].outcome == "not evaluated"
        assert results[name].detail == "no SQL for the postgres dialect"
    assert (results["big"].outcome, results["big"].violations) == ("fail", 1)
    assert card.evaluated == 1


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("SELECT NULL::int", "no row or NULL"),
        ("SELECT 1 WHERE false", "no row or NULL"),
    ],
)
async def test_custom_query_without_answer_is_not_evaluated(target, query, detail):
    results, card = await run(target, rule("custom", "custom_sql", query=query))

    assert results["custom"].outcome == "not evaluated"
    assert detail in results["custom"].detail
    assert card.evaluated == 0
    assert card.pass_percent is None


async def test_custom_query_count(target):
    results, _ = await run(
        target,
        rule("zero", "custom_sql", query="SELECT count(*) FROM vt.child WHERE id > 9"),
        rule("two", "custom_sql", query="SELECT 2"),
    )

    assert results["zero"].outcome == "pass"
    assert (results["two"].outcome, results["two"].violations) == ("fail", 2)


async def test_freshness_with_a_zone(target):
    results, _ = await run(
        target,
        rule("recent", "freshness", "seen_at", max_age_minutes=15),
        rule("stale", "freshness", "seen_at", max_age_minutes=5),
    )

    assert results["recent"].outcome == "pass"
    assert results["stale"].outcome == "fail"
    assert "has no time zone" not in results["recent"].detail


async def test_freshness_without_a_zone_says_what_it_assumed(target):
    results, _ = await run(
        target,
        rule("utc", "freshness", "seen_local", max_age_minutes=5),
        rule(
            "tokyo",
            "freshness",
            "seen_local",
            max_age_minutes=5,
            assume_timezone="Asia/Tokyo",
        ),
    )

    # The column contains UTC wall time: read as UTC it is fresh, read as Tokyo
    # time it lies nine hours in the past.
    assert results["utc"].outcome == "pass"
    assert "has no time zone, read as UTC" in results["utc"].detail
    assert results["tokyo"].outcome == "fail"


async def test_rules_on_one_table_share_one_scan(target):
    results, card = await run(
        target,
        rule("code", "null_check", "code"),
        rule("amount", "range_check", "amount", min=0, max=100),
        rule("recent", "freshness", "seen_at", max_age_minutes=60),
    )

    assert [result.outcome for result in card.results] == ["fail", "fail", "pass"]
    assert all(result.rows_checked == 5 for result in results.values())
    assert card.pass_percent == pytest.approx(100 / 3)


async def test_unknown_table_or_column_stops_the_run(target):
    validator = Validator(
        target,
        ValidationConfig(
            rules=[
                rule("ok", "null_check", "code"),
                rule("typo", "null_check", "cod"),
                ValidationRuleConfig(
                    name="gone", table="vt.nothing", type="null_check", column="x"
                ),
            ]
        ),
    )

    with pytest.raises(RuleCatalogError) as raised:
        await validator.run()

    assert raised.value.problems == [
        "rules[1] (typo): table vt.child has no column 'cod'",
        "rules[2] (gone): table vt.nothing does not exist",
    ]


async def test_table_dropped_later_errs_its_rules(target, database_url):
    validator = Validator(
        target,
        ValidationConfig(
            rules=[rule("code", "null_check", "code"), parent_rule("id_present")]
        ),
    )
    await validator.run()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE vt.child RENAME TO child_away")

    # The first run after the rename errs on the cached catalog, reads the
    # catalog again and names the missing table, as every later run does.
    first = await validator.run()
    second = await validator.run()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE vt.child_away RENAME TO child")
    back = await validator.run()
    await validator.close()

    assert [result.outcome for result in first.results] == ["error", "pass"]
    assert first.results[0].detail == (
        "rules[0] (code): table vt.child does not exist (checked again each run)"
    )
    assert [result.outcome for result in second.results] == ["error", "pass"]
    assert second.results[0].detail == (
        "rules[0] (code): table vt.child does not exist (checked again each run)"
    )
    assert second.errors == 1
    assert [result.outcome for result in back.results] == ["fail", "pass"]


async def test_run_reads_on_own_session(target):
    # The query counts a violation unless it runs on the validation session
    # with validation.statement_timeout_seconds (1.5 s) as its timeout.
    query = (
        "SELECT CASE WHEN current_setting('application_name') = "
        "'warroom-validation' AND current_setting('statement_timeout') = "
        "'1500ms' THEN 0 ELSE 1 END"
    )
    config = ValidationConfig(
        statement_timeout_seconds=1.5,
        rules=[rule("own", "custom_sql", query=query)],
    )

    before = await target.own_session_ids()
    validator = Validator(target, config)
    first = await validator.run()
    during = await target.own_session_ids()
    second = await validator.run()
    await validator.close()

    assert first.results[0].outcome == "pass"
    assert second.results[0].outcome == "pass"
    assert len(during - before) == 1
    assert await target.own_session_ids() == before


async def test_broken_session_is_replaced(target):
    validator = Validator(
        target, ValidationConfig(rules=[rule("code", "null_check", "code")])
    )
    before = await target.own_session_ids()
    await validator.run()
    (old,) = await target.own_session_ids() - before
    await target.fetch("SELECT pg_terminate_backend(%(pid)s)", {"pid": old})

    card = await validator.run()
    (new,) = await target.own_session_ids() - before
    await validator.close()

    assert card.results[0].outcome == "fail"
    assert card.results[0].violations == 2
    assert new != old


async def test_slow_scan_times_out_with_setting(target):
    config = ValidationConfig(
        statement_timeout_seconds=0.2,
        rules=[
            rule("slow", "custom_sql", query="SELECT count(*) FROM pg_sleep(2)"),
            rule("code", "null_check", "code"),
        ],
    )

    results = {
        result.rule: result
        for result in (await Validator(target, config).run()).results
    }

    assert results["slow"].outcome == "error"
    assert "statement timed out" in results["slow"].detail
    assert "raise validation.statement_timeout_seconds" in results["slow"].detail
    assert results["code"].outcome == "fail"


async def test_own_session_counts_as_own(target):
    session = await target.open_own_session(
        "warroom-validation", 5.0, "validation.statement_timeout_seconds"
    )

    during = await target.own_session_ids()
    snapshot = await target.snapshot()
    await session.close()

    assert session.session_id in during
    assert session.session_id in snapshot.own_session_ids
    assert session.session_id not in await target.own_session_ids()


async def test_missing_parent_spares_neighbour_rules(target, database_url):
    validator = Validator(
        target,
        ValidationConfig(
            rules=[
                rule("parent", "referential", "parent_id", references="vt.parent.id"),
                rule("code", "null_check", "code"),
            ]
        ),
    )
    await validator.run()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE vt.parent RENAME TO parent_away")

    # The two rules share the child table's scan, which fails on the join.
    card = await validator.run()
    await validator.close()

    results = {result.rule: result for result in card.results}
    assert results["parent"].outcome == "error"
    assert "table vt.parent does not exist" in results["parent"].detail
    assert results["code"].outcome == "fail"
    assert results["code"].violations == 2


async def test_lock_wait_ends_at_lock_timeout(target, database_url):
    config = ValidationConfig(
        lock_timeout_seconds=0.5, rules=[rule("code", "null_check", "code")]
    )
    validator = Validator(target, config)
    await validator.run()
    locker = await psycopg.AsyncConnection.connect(database_url)
    try:
        await locker.execute("LOCK TABLE vt.child IN ACCESS EXCLUSIVE MODE")
        card = await validator.run()
    finally:
        await locker.rollback()
        await locker.close()
        await validator.close()

    (result,) = card.results
    assert result.outcome == "error"
    assert result.detail.startswith("waited 0.5 s for a lock on vt.child")
    assert "validation.lock_timeout_seconds" in result.detail
    assert card.seconds < 5
