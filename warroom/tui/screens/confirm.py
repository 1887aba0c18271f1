"""The confirmation before every chaos inject; Cancel has the focus."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmInject(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "inject", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "cancel", id="confirm_no"),
    ]

    def __init__(self, scenario: str, target: str) -> None:
        super().__init__()
        self.scenario = scenario
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Text(f"Inject {self.scenario}?"), classes="dialog-title")
            yield Static(
                Text(
                    f"This runs a real fault on target {self.target}. The drill "
                    "rolls back on its own when it ends or hits its time limit."
                ),
                classes="dialog-body",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Inject (y)", variant="error", id="yes")
                yield Button("Cancel (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, inject: bool) -> None:
        self.dismiss(inject)
