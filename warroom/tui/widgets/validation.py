"""Data validation score. The validation engine does not exist yet, so the
panel shows "not configured yet" and counts the rules in
``config/validation_rules.yaml``."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from engine.config.models import ValidationRuleConfig


class ValidationPanel(Static):
    def __init__(self, rules: list[ValidationRuleConfig], **kwargs) -> None:
        super().__init__(_describe(rules), **kwargs)
        self.border_title = "validation"
        self.tooltip = "rules are listed in config/validation_rules.yaml"


def _describe(rules: list[ValidationRuleConfig]) -> Text:
    # TODO: show the score and failing rules once validation runs exist.
    waiting = f"{len(rules)} rule(s) waiting" if rules else "no rules yet"
    return Text.assemble(("not configured yet", "italic"), f"\n{waiting}")
