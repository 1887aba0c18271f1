"""Pick the classification of one catalog column: the classifier's suggested
PHI category first, then the other categories the engine accepts, then
``none`` for a column that contains no PHI."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from engine.governance.monitor import CATEGORIES
from engine.store.governance import NO_PHI, CatalogEntry
from warroom.tui.screens.option_dialog import OptionDialog


def category_choices(entry: CatalogEntry) -> list[str]:
    """Return the categories to offer for ``entry``: the classifier's
    suggestion first (if any), the other PHI categories in the engine's
    order, and ``none`` last."""
    phi = [category for category in CATEGORIES if category != NO_PHI]
    suggested = entry.column.category
    if suggested in phi:
        phi.remove(suggested)
        phi.insert(0, suggested)
    return [*phi, NO_PHI]


class ClassifyColumn(OptionDialog):
    """A dialog that returns the chosen category, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "cancel", id="classify_cancel")]

    def __init__(self, entry: CatalogEntry, column_name: str) -> None:
        super().__init__()
        self.entry = entry
        self.column_name = column_name

    def compose(self) -> ComposeResult:
        with Vertical(id="classify", classes="dialog"):
            yield Static(Text(f"Classify {self.column_name}"), classes="dialog-title")
            yield Static(Text(self._state()), classes="dialog-body")
            yield OptionList(
                *[self._option(category) for category in category_choices(self.entry)]
            )
            yield Static(
                "enter records it under your name · esc cancels",
                classes="dialog-hint",
            )

    def _state(self) -> str:
        column = self.entry.column
        if column.category is None:
            detected = "the classifier found no PHI"
        else:
            confidence = column.confidence or 0.0
            detected = f"detected {column.category}, confidence {confidence:.2f}"
        current = self.entry.classification
        if current is None:
            return f"{detected}; not classified yet"
        return f"{detected}; now classified as {current}"

    def _option(self, category: str) -> Option:
        if category == NO_PHI:
            note = "contains no PHI"
        elif category == self.entry.column.category:
            note = "suggested by the classifier"
        else:
            note = ""
        if category == self.entry.classification:
            note = f"{note}, current" if note else "current"
        prompt = Text(category, style="bold")
        if note:
            prompt.append(f"  ({note})", style="dim")
        return Option(prompt, id=category)
