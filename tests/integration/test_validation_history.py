"""Each data check cycle stores its scorecard, and the Engine returns a rule's
trend from the stored runs."""

from __future__ import annotations

import psycopg
import pytest

from engine.service import UnknownRule


@pytest.fixture
def engine(unpolled_engine):
    """Each test runs the checks itself, with no poll loop beside it."""
    return unpolled_engine


async def test_each_cycle_adds_a_trend_point(engine, database_url):
    await engine.run_checks()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE healthcare.pharmacy_claims SET quantity = 5000 "
            "WHERE claim_id IN (1, 2)"
        )
    await engine.run_checks()

    trend = engine.validation_trend("claims_quantity_range")

    assert [point.outcome for point in trend] == ["pass", "fail"]
    assert [point.violations for point in trend] == [0, 2]
    assert trend[0].run_at < trend[1].run_at


async def test_stored_run_has_every_rule(engine):
    completed = await engine.run_checks()

    [run] = engine.validation_runs.recent_runs(engine.target_name, 10)
    assert run.evaluated == completed.scorecard.evaluated
    assert run.passed == completed.scorecard.passed
    assert len(engine.validation_runs.results(run.id)) == 24


async def test_trend_of_unknown_rule_raises(engine):
    with pytest.raises(UnknownRule, match="'no_such_rule' not found"):
        engine.validation_trend("no_such_rule")


async def test_trend_before_any_run_is_empty(engine):
    assert engine.validation_trend("claims_quantity_range") == []
