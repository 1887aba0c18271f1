"""A finding for each rule that failed, so its incident opens and clears with
the rule. Only a pass clears it: a rule that errs or is not evaluated keeps
the finding of its last run."""

from __future__ import annotations

from datetime import datetime

from engine.monitor.findings import Finding, FindingKind, Severity
from engine.validation.models import Scorecard


def dedup_key(rule: str) -> str:
    return f"validation:{rule}"


def next_error_runs(error_runs: dict[str, int], scorecard: Scorecard) -> dict[str, int]:
    """Return, by rule, how many runs in a row up to ``scorecard`` the rule
    erred in. A rule that passes or fails starts again from zero, and one
    that is not evaluated (no SQL for the dialect, a NULL result) keeps its
    count."""
    counts = dict(error_runs)
    for result in scorecard.results:
        if result.outcome == "error":
            counts[result.rule] = counts.get(result.rule, 0) + 1
        elif result.outcome in ("pass", "fail"):
            counts.pop(result.rule, None)
    return counts


def error_findings(
    scorecard: Scorecard,
    error_runs: dict[str, int],
    limit: int,
    erring_since: dict[str, datetime] | None = None,
) -> tuple[Finding, ...]:
    """Return a validation_error finding per rule that erred in ``limit`` or
    more runs in a row (``error_runs``, this run included).

    ``erring_since`` gives, by rule, the first run of the streak, where the
    condition starts. A rule missing from it started erring in this run.
    """
    erring_since = erring_since or {}
    findings = []
    for result in scorecard.results:
        runs = error_runs.get(result.rule, 0)
        if result.outcome != "error" or runs < limit:
            continue
        findings.append(
            Finding(
                kind=FindingKind.VALIDATION_ERROR,
                dedup_key=f"validation_error:{result.rule}",
                severity=Severity.WARNING,
                title=f"validation rule {result.rule} could not run in {runs} "
                f"run(s) in a row",
                root_cause=(
                    f"rule {result.rule} ({result.type}) on {result.table}: "
                    f"{result.detail}. Until it runs, nobody knows whether its "
                    "rows are right. Put the table or column back, or fix the "
                    "rule in config/validation_rules.yaml and restart"
                ),
                metrics={
                    "rule": result.rule,
                    "table": result.table,
                    "error_runs": runs,
                    "since": erring_since.get(
                        result.rule, scorecard.run_at
                    ).isoformat(),
                },
            )
        )
    return tuple(findings)


def findings_of(
    scorecard: Scorecard,
    previous: tuple[Finding, ...] = (),
    passed_at: dict[str, datetime] | None = None,
) -> tuple[Finding, ...]:
    """Return a finding per failed rule, and the ``previous`` finding of each
    rule that could not run or was not evaluated, since nothing shows it
    clear.

    ``passed_at`` gives, by rule, the last run in which the rule passed. A
    finding carries it as the ``passed_at`` metric: the condition began after
    that run.
    """
    passed_at = passed_at or {}
    earlier = {finding.dedup_key: finding for finding in previous}
    findings = [
        earlier[dedup_key(result.rule)]
        for result in scorecard.results
        if result.outcome in ("error", "not evaluated")
        and dedup_key(result.rule) in earlier
    ]
    for result in scorecard.failed:
        keys = ", ".join(
            "/".join(str(value) for value in sample.values())
            for sample in result.samples[:3]
        )
        cause = f"rule {result.rule} ({result.type}) on {result.table}: {result.detail}"
        if keys:
            cause += f"; first keys: {keys}"
        metrics = {
            "rule": result.rule,
            "table": result.table,
            "violations": result.violations,
            "samples": [dict(sample) for sample in result.samples],
        }
        if result.rule in passed_at:
            metrics["passed_at"] = passed_at[result.rule].isoformat()
        findings.append(
            Finding(
                kind=FindingKind.VALIDATION,
                dedup_key=dedup_key(result.rule),
                severity=Severity(result.severity),
                title=f"validation {result.rule}: {result.violations} violation(s) "
                f"in {result.table}",
                root_cause=cause,
                metrics=metrics,
            )
        )
    return tuple(findings)
