"""The result of a validation run: per rule, and the scorecard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Outcome = Literal["pass", "fail", "not evaluated", "error"]


class UnknownRule(LookupError):
    """No rule of config/validation_rules.yaml has this name."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(
            f"validation rule {name!r} not found in config/validation_rules.yaml"
        )


@dataclass(frozen=True)
class RuleResult:
    rule: str
    table: str
    type: str
    severity: str
    outcome: Outcome
    violations: int = 0
    rows_checked: int | None = None
    nulls_skipped: int | None = None
    """Range checks: rows whose value is NULL, which are neither in nor out."""
    samples: tuple[dict[str, Any], ...] = ()
    """Up to max_samples keys of violating rows (row-level rules only)."""
    detail: str = ""


@dataclass(frozen=True)
class Scorecard:
    run_at: datetime
    seconds: float
    results: tuple[RuleResult, ...] = field(default_factory=tuple)

    @property
    def evaluated(self) -> int:
        return sum(result.outcome in ("pass", "fail") for result in self.results)

    @property
    def passed(self) -> int:
        return sum(result.outcome == "pass" for result in self.results)

    @property
    def pass_percent(self) -> float | None:
        """Passed rules as a share of evaluated ones; None when none ran."""
        if not self.evaluated:
            return None
        return 100.0 * self.passed / self.evaluated

    @property
    def errors(self) -> int:
        """Rules that could not run (a timeout, a table gone)."""
        return sum(result.outcome == "error" for result in self.results)

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(result for result in self.results if result.outcome == "fail")
