"""Every rule's outcome in the last validation run, and the full record of
the highlighted rule with its sample keys."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from engine.validation.models import RuleResult, Scorecard
from warroom.tui.views import ValidationView, clock_time, duration
from warroom.tui.widgets.keyed_table import KeyedTable, Row, plain, themed
from warroom.tui.widgets.validation import SEVERITY_STYLES, score_line

COLUMNS = (
    ("", 1),
    ("outcome", 13),
    ("severity", 8),
    ("rule", None),
    ("violations", 10),
    ("NULLs", 6),
)

OUTCOME_MARKS = {
    "fail": ("✗", "bold $error"),
    "error": ("!", "bold $error"),
    "not evaluated": ("?", "$warning"),
    "pass": ("✓", "$success"),
}
# Failures first, then the rules that could not run or were not evaluated.
_OUTCOME_ORDER = {"fail": 0, "error": 1, "not evaluated": 2, "pass": 3}
_SEVERITY_ORDER = {"critical": 0, "warning": 1}


def ordered(card: Scorecard | None) -> list[RuleResult]:
    """Return the results failures first, critical before warning, then by
    violation count and name."""
    if card is None:
        return []
    return sorted(
        card.results,
        key=lambda result: (
            _OUTCOME_ORDER.get(result.outcome, 4),
            _SEVERITY_ORDER.get(result.severity, 2),
            -result.violations,
            result.rule,
        ),
    )


class RuleResultTable(KeyedTable):
    """One row per rule, keyed by the rule's name."""

    def __init__(self, **kwargs) -> None:
        super().__init__(COLUMNS, **kwargs)
        self._results: dict[str, RuleResult] = {}

    @property
    def selected(self) -> RuleResult | None:
        key = self.selected_key
        return self._results.get(key) if key is not None else None

    def show(self, results: list[RuleResult]) -> None:
        self._results = {result.rule: result for result in results}
        self.replace_rows([self._row(result) for result in results])

    def _row(self, result: RuleResult) -> Row:
        mark, style = OUTCOME_MARKS.get(result.outcome, ("", ""))
        severity_style = SEVERITY_STYLES.get(result.severity, "")
        counted = result.outcome in ("pass", "fail")
        nulls = result.nulls_skipped
        return result.rule, (
            Text(mark, style=themed(self, style)),
            Text(result.outcome, style=themed(self, style)),
            Text(result.severity, style=themed(self, severity_style)),
            plain(result.rule),
            Text(f"{result.violations:,}" if counted else "-", justify="right"),
            Text(f"{nulls:,}" if nulls is not None else "-", justify="right"),
        )


class RuleResultDetail(Static):
    """Every field of one rule's result, and its sample keys one per line."""

    def show(self, result: RuleResult | None, empty: str) -> None:
        if result is None:
            self.update(Text(empty, style="italic"))
            return
        self.update(detail_text(result))


def detail_text(result: RuleResult) -> Text:
    text = Text.assemble(
        (result.rule, "bold"),
        f" on {result.table} ({result.type}, {result.severity}): ",
        (result.outcome, "bold"),
    )
    if result.detail:
        text.append(f"\n{result.detail}")
    counts = []
    # A rule that could not run or was not evaluated counted nothing.
    if result.outcome in ("pass", "fail"):
        counts.append(f"{result.violations:,} violation(s)")
    if result.rows_checked is not None:
        counts.append(f"{result.rows_checked:,} row(s) checked")
    if result.nulls_skipped is not None:
        counts.append(f"{result.nulls_skipped:,} NULL(s) skipped")
    if counts:
        text.append("\n" + " · ".join(counts), style="dim")
    if result.outcome in ("error", "not evaluated"):
        text.append(
            "\nits incident, if open, stays open until a run passes", style="dim"
        )
    if result.samples:
        text.append(f"\nsample keys ({len(result.samples)}):")
        for sample in result.samples:
            key = ", ".join(f"{column}={value}" for column, value in sample.items())
            text.append(f"\n  {key}")
    elif result.outcome == "fail":
        text.append("\nno sample keys were recorded for this rule", style="dim")
    return text


def summary_text(view: ValidationView | None) -> Text:
    """Return the score, the run's time and length, and any error."""
    if view is None:
        return Text("waiting for the engine", style="italic")
    if view.rules == 0:
        return Text("no rules configured in config/validation_rules.yaml")
    card = view.scorecard
    every = f"{view.rules} rules, run every {view.interval_seconds:g}s"
    if card is None:
        state = "first run in progress" if view.running else "no run yet"
        text = Text(f"{state} · {every}")
    else:
        text = score_line(card)
        text.append(
            f" · ran {clock_time(card.run_at)} UTC in {duration(card.seconds)}"
            f" · {every}",
            style="dim",
        )
        if view.running:
            text.append(" · running now", style="italic")
    if view.error:
        text.append(f"\nlast cycle incomplete: {view.error}", style="$error")
    return text
