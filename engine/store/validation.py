"""Validation history: each run's scorecard, per rule its outcome and
violation count, kept for trends and pruned by age."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.store.database import Store, from_text, to_text


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's result in a stored run."""

    rule: str
    outcome: str
    """pass, fail, not evaluated or error."""
    violations: int


@dataclass(frozen=True)
class ValidationRun:
    """A stored run of the rules, without its per-rule results."""

    id: int
    target: str
    run_at: datetime
    seconds: float
    evaluated: int
    passed: int
    pass_percent: float | None


@dataclass(frozen=True)
class RuleTrendPoint:
    """A rule's outcome in one stored run."""

    run_id: int
    run_at: datetime
    outcome: str
    violations: int


class ValidationRunRepository:
    def __init__(self, store: Store):
        self.store = store

    def add(
        self,
        target: str,
        run_at: datetime,
        seconds: float,
        results: Iterable[RuleOutcome],
    ) -> int:
        """Store one run and its per-rule results, and return the run's id.

        ``evaluated`` counts the rules that passed or failed, and
        ``pass_percent`` is None when none did, as on the scorecard.
        """
        results = list(results)
        evaluated = sum(result.outcome in ("pass", "fail") for result in results)
        passed = sum(result.outcome == "pass" for result in results)
        percent = 100.0 * passed / evaluated if evaluated else None
        with self.store.transaction() as store:
            run_id = store.execute(
                "INSERT INTO validation_runs (target, run_at, seconds, evaluated, "
                "passed, pass_percent) VALUES (?, ?, ?, ?, ?, ?)",
                (target, to_text(run_at), seconds, evaluated, passed, percent),
            )
            for result in results:
                store.execute(
                    "INSERT INTO validation_results (run_id, rule, outcome, "
                    "violations) VALUES (?, ?, ?, ?)",
                    (run_id, result.rule, result.outcome, result.violations),
                )
        return run_id

    def prune(self, now: datetime, retention_hours: float) -> int:
        """Delete runs older than the retention, with their results; return how
        many runs."""
        cutoff = now - timedelta(hours=retention_hours)
        with self.store.transaction() as store:
            store.execute(
                "DELETE FROM validation_runs WHERE run_at < ?", (to_text(cutoff),)
            )
            row = store.query_one("SELECT changes()")
        return int(row[0]) if row else 0

    def recent_runs(self, target: str, limit: int) -> list[ValidationRun]:
        """Return the last ``limit`` runs on ``target``, oldest first."""
        rows = self.store.query(
            "SELECT * FROM validation_runs WHERE target = ? ORDER BY id DESC LIMIT ?",
            (target, limit),
        )
        return [
            ValidationRun(
                id=row["id"],
                target=row["target"],
                run_at=_moment(row["run_at"]),
                seconds=row["seconds"],
                evaluated=row["evaluated"],
                passed=row["passed"],
                pass_percent=row["pass_percent"],
            )
            for row in reversed(rows)
        ]

    def results(self, run_id: int) -> list[RuleOutcome]:
        """Return the per-rule results of one run, in rule name order."""
        rows = self.store.query(
            "SELECT rule, outcome, violations FROM validation_results "
            "WHERE run_id = ? ORDER BY rule",
            (run_id,),
        )
        return [
            RuleOutcome(row["rule"], row["outcome"], row["violations"]) for row in rows
        ]

    def last_passes(self, target: str) -> dict[str, datetime]:
        """Return, by rule, the time of the newest stored run on ``target``
        in which the rule passed."""
        rows = self.store.query(
            "SELECT v.rule, max(r.run_at) AS run_at "
            "FROM validation_results AS v "
            "INNER JOIN validation_runs AS r ON r.id = v.run_id "
            "WHERE r.target = ? AND v.outcome = 'pass' GROUP BY v.rule",
            (target,),
        )
        return {row["rule"]: _moment(row["run_at"]) for row in rows}

    def trend(self, target: str, rule: str, limit: int) -> list[RuleTrendPoint]:
        """Return ``rule``'s outcome in the last ``limit`` runs on ``target``
        that ran it, oldest first."""
        rows = self.store.query(
            "SELECT r.id, r.run_at, v.outcome, v.violations "
            "FROM validation_results AS v "
            "INNER JOIN validation_runs AS r ON r.id = v.run_id "
            "WHERE v.rule = ? AND r.target = ? ORDER BY r.id DESC LIMIT ?",
            (rule, target, limit),
        )
        return [
            RuleTrendPoint(
                run_id=row["id"],
                run_at=_moment(row["run_at"]),
                outcome=row["outcome"],
                violations=row["violations"],
            )
            for row in reversed(rows)
        ]


def _moment(text: str) -> datetime:
    moment = from_text(text)
    assert moment is not None, "run_at is NOT NULL"
    return moment
