"""The validation scorecard: the last run of the rules in
config/validation_rules.yaml."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from engine.service import Engine
from engine.validation.models import RuleResult


class RuleResultOut(msgspec.Struct):
    """One rule's outcome in the last run."""

    rule: str
    table: str
    type: str
    severity: str
    outcome: Literal["pass", "fail", "not evaluated", "error"]
    """``not evaluated``: a custom query returned NULL or no row, or a
    freshness column had no value; it counts neither as a pass nor a fail."""
    violations: int
    rows_checked: int | None
    nulls_skipped: int | None
    """Range checks: rows whose value is NULL, which are neither in nor out."""
    samples: list[dict[str, Any]]
    """Up to max_samples primary keys of violating rows."""
    detail: str


class ScorecardOut(msgspec.Struct):
    """The last validation run, or why there is none."""

    configured: bool
    rules: int
    interval_seconds: float
    run_at: datetime | None
    """When the last run started; null before the first run."""
    seconds: float | None
    passed: int
    evaluated: int
    pass_percent: float | None
    """Passed rules as a share of evaluated ones; null when none was evaluated."""
    errors: int
    """Rules that could not run in the last run (a timeout, a table gone).
    Their incidents stay as the run before left them."""
    error: str | None
    """The reason the last data check cycle was incomplete, or null."""
    results: list[RuleResultOut]


def scorecard_out(engine: Engine) -> ScorecardOut:
    config = engine.config.validation
    card = engine.checks.scorecard
    return ScorecardOut(
        configured=bool(config.rules),
        rules=len(config.rules),
        interval_seconds=config.interval_seconds,
        run_at=card.run_at if card else None,
        seconds=round(card.seconds, 3) if card else None,
        passed=card.passed if card else 0,
        evaluated=card.evaluated if card else 0,
        pass_percent=card.pass_percent if card else None,
        errors=card.errors if card else 0,
        error=engine.checks.error,
        results=[_result(result) for result in card.results] if card else [],
    )


def _result(result: RuleResult) -> RuleResultOut:
    return RuleResultOut(
        rule=result.rule,
        table=result.table,
        type=result.type,
        severity=result.severity,
        outcome=result.outcome,
        violations=result.violations,
        rows_checked=result.rows_checked,
        nulls_skipped=result.nulls_skipped,
        samples=[dict(sample) for sample in result.samples],
        detail=result.detail,
    )
