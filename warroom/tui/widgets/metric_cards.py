"""The row of metric cards: value, threshold state and a sparkline each."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from warroom.tui.messages import PollUpdated
from warroom.tui.views import UNKNOWN, CardView
from warroom.tui.widgets.sparkline import ZeroSparkline

CARD_KEYS = ("cpu", "memory", "connections", "blocking", "long_queries")
_STATE_CLASSES = ("-ok", "-warn", "-critical", "-na")


class MetricCard(Vertical):
    def __init__(self, key: str) -> None:
        super().__init__(id=f"card-{key}", classes="card -na")
        self.key = key
        self._card: CardView | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="card-label")
        yield Static(classes="card-value")
        yield ZeroSparkline(classes="card-spark")

    def show(self, card: CardView) -> None:
        self.remove_class(*_STATE_CLASSES)
        self.add_class("-na" if card.state == UNKNOWN else f"-{card.state}")
        self.query_one(".card-label", Static).update(Text(card.label))
        missing = card.state == UNKNOWN
        if missing:
            # No figure: show the reason instead of a line of invented zeros.
            value = Text.assemble(("n/a", "bold"), f" ({card.detail})")
        else:
            value = self._value_line(card)
        self._card = card
        self.query_one(".card-value", Static).update(value)
        sparkline = self.query_one(ZeroSparkline)
        sparkline.ceiling = card.ceiling
        sparkline.data = card.series
        self.set_class(missing, "-missing")
        self.tooltip = f"{card.label}: {card.value} ({card.state}); {card.detail}"

    def on_resize(self) -> None:
        if self._card is not None:
            self.show(self._card)

    def _value_line(self, card: CardView) -> Text:
        """Return the value, the state and the detail, with the brief detail
        or none when the card is too narrow for it."""
        head = Text.assemble((card.value, "bold"), " ", (card.state, "italic"))
        width = self.content_size.width
        for detail in (f"  {card.detail}", f" {card.brief}" if card.brief else ""):
            line = head + detail
            if not width or line.cell_len <= width:
                return line
        return head


class MetricCards(Horizontal):
    """Renders the cards a ``PollUpdated`` carries."""

    def compose(self) -> ComposeResult:
        for key in CARD_KEYS:
            yield MetricCard(key)

    def on_poll_updated(self, message: PollUpdated) -> None:
        cards = {card.key: card for card in message.view.cards}
        for card in self.query(MetricCard):
            if card.key in cards:
                card.show(cards[card.key])
