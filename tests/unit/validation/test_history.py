"""Validation history in the engine's SQLite store: runs, per-rule results,
trends and pruning by age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.store.database import Store
from engine.store.validation import RuleOutcome, ValidationRunRepository

START = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def repository():
    store = Store(":memory:")
    yield ValidationRunRepository(store)
    store.close()


def add_run(repository, minutes, violations, target="demo"):
    outcomes = [
        RuleOutcome("qty", "fail" if violations else "pass", violations),
        RuleOutcome("dob", "pass", 0),
        RuleOutcome("custom", "not evaluated", 0),
    ]
    return repository.add(target, START + timedelta(minutes=minutes), 0.5, outcomes)


def test_run_stores_its_score(repository):
    add_run(repository, 0, 3)

    [run] = repository.recent_runs("demo", 10)
    assert run.run_at == START
    assert run.evaluated == 2
    assert run.passed == 1
    assert run.pass_percent == 50.0
    assert repository.results(run.id) == [
        RuleOutcome("custom", "not evaluated", 0),
        RuleOutcome("dob", "pass", 0),
        RuleOutcome("qty", "fail", 3),
    ]


def test_run_without_evaluated_rules_has_no_percent(repository):
    repository.add("demo", START, 0.1, [RuleOutcome("custom", "error", 0)])

    [run] = repository.recent_runs("demo", 10)
    assert run.evaluated == 0
    assert run.pass_percent is None


def test_trend_is_oldest_first_and_limited(repository):
    for minute, violations in enumerate([0, 2, 5, 0]):
        add_run(repository, minute, violations)

    trend = repository.trend("demo", "qty", 3)

    assert [point.violations for point in trend] == [2, 5, 0]
    assert [point.outcome for point in trend] == ["fail", "fail", "pass"]
    assert trend[0].run_at == START + timedelta(minutes=1)


def test_trend_keeps_targets_apart(repository):
    add_run(repository, 0, 1, target="demo")
    add_run(repository, 1, 7, target="other")

    assert [point.violations for point in repository.trend("demo", "qty", 10)] == [1]
    assert repository.trend("demo", "unknown", 10) == []


def test_prune_deletes_old_runs_and_results(repository):
    old = add_run(repository, 0, 1)
    add_run(repository, 120, 2)

    deleted = repository.prune(START + timedelta(minutes=150), retention_hours=1)

    assert deleted == 1
    assert [run.run_at for run in repository.recent_runs("demo", 10)] == [
        START + timedelta(minutes=120)
    ]
    assert repository.results(old) == []
    assert [point.violations for point in repository.trend("demo", "qty", 10)] == [2]


def test_last_passes_per_rule(repository):
    add_run(repository, 0, 0)
    add_run(repository, 5, 2)
    add_run(repository, 10, 0, target="other")

    passes = repository.last_passes("demo")

    # qty failed at minute 5, so its last pass is the first run.
    assert passes == {"qty": START, "dob": START + timedelta(minutes=5)}
