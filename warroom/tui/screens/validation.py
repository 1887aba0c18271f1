"""Every validation rule's outcome in the last run, and the highlighted
rule's detail with up to max_samples keys of violating rows. It redraws on
every data check cycle, and a key runs the rules now."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from warroom.tui.keys import VALIDATION_BINDINGS
from warroom.tui.messages import ValidationUpdated
from warroom.tui.screens.base import SubScreen
from warroom.tui.views import ValidationView
from warroom.tui.widgets.rule_results import (
    RuleResultDetail,
    RuleResultTable,
    ordered,
    summary_text,
)
from warroom.tui.widgets.validation import themed_text


class ValidationScreen(SubScreen):
    BINDINGS = VALIDATION_BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.view: ValidationView | None = None

    def compose(self) -> ComposeResult:
        yield Static(summary_text(None), id="validation-summary")
        yield RuleResultTable(id="rule-results")
        yield RuleResultDetail(id="rule-result-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(RuleResultTable)
        table.border_title = "rules of the last run, failures first"
        table.focus()
        self._show_detail()

    def on_validation_updated(self, message: ValidationUpdated) -> None:
        self.view = message.view
        summary = self.query_one("#validation-summary", Static)
        summary.update(themed_text(summary, summary_text(message.view)))
        table = self.query_one(RuleResultTable)
        table.show(ordered(message.view.scorecard))
        table.border_subtitle = f"{table.row_count} rule(s)"
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        view = self.view
        if view is None or view.scorecard is None:
            empty = "the rules have not run yet"
        else:
            empty = "no rule is highlighted"
        result = self.query_one(RuleResultTable).selected
        self.query_one(RuleResultDetail).show(result, empty)

    def action_run_checks(self) -> None:
        self.request(self.commands.run_checks(), "run the validation rules")
