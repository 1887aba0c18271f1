"""The confirmations before a chaos inject and a manual job run; Cancel has
the focus, so a stray enter changes nothing."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class _Confirm(ModalScreen[bool]):
    """A yes-or-no dialog: a title, one paragraph and two buttons."""

    YES_LABEL: ClassVar[str]
    YES_VARIANT: ClassVar[str]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Text(self._title), classes="dialog-title")
            yield Static(Text(self._body), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.YES_LABEL, variant=self.YES_VARIANT, id="yes")
                yield Button("Cancel (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, confirmed: bool) -> None:
        self.dismiss(confirmed)


class ConfirmInject(_Confirm):
    BINDINGS = [
        Binding("y", "answer(True)", "inject", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "cancel", id="confirm_no"),
    ]
    YES_LABEL = "Inject (y)"
    YES_VARIANT = "error"

    def __init__(self, scenario: str, target: str) -> None:
        super().__init__(
            f"Inject {scenario}?",
            f"This runs a real fault on target {target}. The drill rolls back "
            "on its own when it ends or hits its time limit.",
        )
        self.scenario = scenario
        self.target = target


class ConfirmRunJob(_Confirm):
    """The confirmation before a manual job run."""

    BINDINGS = [
        Binding("y", "answer(True)", "run", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "cancel", id="confirm_no"),
    ]
    YES_LABEL = "Run (y)"
    YES_VARIANT = "warning"

    def __init__(self, job: str, action: str, target: str) -> None:
        super().__init__(
            f"Run job {job} now?",
            f"This runs {action} on target {target} outside its schedule. "
            "Its run is recorded under your name.",
        )
        self.job = job
        self.action_name = action
        self.target = target
