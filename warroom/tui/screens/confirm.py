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


class ConfirmRunJob(ModalScreen[bool]):
    """The confirmation before a manual job run; Cancel has the focus."""

    BINDINGS = [
        Binding("y", "answer(True)", "run", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "cancel", id="confirm_no"),
    ]

    def __init__(self, job: str, action: str, target: str) -> None:
        super().__init__()
        self.job = job
        self.action_name = action
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Text(f"Run job {self.job} now?"), classes="dialog-title")
            yield Static(
                Text(
                    f"This runs {self.action_name} on target {self.target} "
                    "outside its schedule. Its run is recorded under your name."
                ),
                classes="dialog-body",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Run (y)", variant="warning", id="yes")
                yield Button("Cancel (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, run: bool) -> None:
        self.dismiss(run)
