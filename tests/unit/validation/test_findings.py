"""Findings of a validation run: failed rules, rules that keep erring, and
the last passing run each failed rule carries."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.monitor.findings import FindingKind
from engine.validation.findings import error_findings, findings_of, next_error_runs
from engine.validation.models import RuleResult, Scorecard

RUN_AT = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def card(**outcomes: str) -> Scorecard:
    results = tuple(
        RuleResult(
            rule=name,
            table="healthcare.patients",
            type="null_check",
            severity="warning",
            outcome=outcome,  # type: ignore[arg-type]
            violations=1 if outcome == "fail" else 0,
            detail=f"{name} {outcome}",
        )
        for name, outcome in outcomes.items()
    )
    return Scorecard(RUN_AT, 0.1, results)


def test_error_runs_count_and_reset():
    counts = next_error_runs({}, card(a="error", b="error", c="pass"))
    counts = next_error_runs(counts, card(a="error", b="pass", c="error"))
    counts = next_error_runs(counts, card(a="not evaluated", b="fail", c="error"))

    # "not evaluated" neither counts nor resets; pass and fail reset.
    assert counts == {"a": 2, "c": 2}


def test_error_finding_at_limit():
    scorecard = card(a="error", b="error")

    findings = error_findings(scorecard, {"a": 3, "b": 2}, limit=3)

    (finding,) = findings
    assert finding.kind is FindingKind.VALIDATION_ERROR
    assert finding.dedup_key == "validation_error:a"
    assert finding.metrics["error_runs"] == 3
    assert "a error" in finding.root_cause


def test_failed_rule_carries_last_pass():
    earlier = datetime(2026, 12, 5, 2, 59, 30, tzinfo=UTC)

    findings = findings_of(card(a="fail", b="fail"), passed_at={"a": earlier})

    by_rule = {finding.metrics["rule"]: finding for finding in findings}
    assert by_rule["a"].metrics["passed_at"] == earlier.isoformat()
    assert "passed_at" not in by_rule["b"].metrics
