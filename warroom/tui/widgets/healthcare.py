"""A row of compact healthcare cards: claims today, rejection rate, generic
dispensing rate and patients below the PDC threshold."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from engine.healthcare.figures import FIGURE_KEYS, HealthcareFigure
from engine.healthcare.monitor import HealthcareReading
from warroom.tui.messages import HealthcareUpdated
from warroom.tui.views import UNKNOWN, clock_time

_STATE_CLASSES = ("-ok", "-warn", "-critical", "-na")


class HealthcareCard(Static):
    """One figure: value and label on the first line, the detail (or the
    reason for n/a) on the second, which only a tall screen shows."""

    def __init__(self, key: str) -> None:
        super().__init__(Text(key.replace("_", " "), style="italic"), classes="-na")
        self.key = key
        self.id = f"healthcare-{key}"

    def show(self, figure: HealthcareFigure, reading: HealthcareReading) -> None:
        self.remove_class(*_STATE_CLASSES)
        self.add_class("-na" if figure.state == UNKNOWN else f"-{figure.state}")
        self.update(card_text(figure, reading))
        read = f"read {clock_time(reading.read_at)} UTC" if reading.read_at else ""
        failed = f"; last read failed: {reading.error}" if reading.error else ""
        self.tooltip = f"{figure.label}: {figure.detail} {read}{failed}".strip()


def card_text(figure: HealthcareFigure, reading: HealthcareReading) -> Text:
    """Return the card's two lines: value and label, then detail or reason."""
    if figure.value is None:
        value = Text("n/a", style="bold")
    else:
        unit = "%" if figure.unit == "%" else ""
        number = f"{figure.value:.1f}" if unit else f"{figure.value:.0f}"
        value = Text(f"{number}{unit}", style="bold")
    detail = figure.detail
    if reading.error:
        # The figures are from the last good read, so show the error instead.
        detail = f"stale: {reading.error}"
    # The value comes first, so a narrow card cuts the end of the label.
    return Text.assemble(value, " ", (figure.label, "dim"), "\n", (detail, "dim"))


class HealthcareCards(Horizontal):
    """Renders the reading a ``HealthcareUpdated`` carries."""

    def compose(self) -> ComposeResult:
        for key in FIGURE_KEYS:
            yield HealthcareCard(key)

    def on_healthcare_updated(self, message: HealthcareUpdated) -> None:
        figures = {figure.key: figure for figure in message.reading.figures}
        self.set_class(message.reading.error is not None, "-stale")
        for card in self.query(HealthcareCard):
            if card.key in figures:
                card.show(figures[card.key], message.reading)
