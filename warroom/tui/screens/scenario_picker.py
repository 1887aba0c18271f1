"""Pick a chaos scenario; its cooldown and state are shown beside it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from engine.chaos.drills import ScenarioState
from warroom.tui.screens.option_dialog import OptionDialog


class ScenarioPicker(OptionDialog):
    BINDINGS = [Binding("escape", "cancel", "cancel", id="picker_cancel")]

    def __init__(self, scenarios: list[ScenarioState]) -> None:
        super().__init__()
        self.scenarios = scenarios

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="dialog"):
            yield Static("Inject which scenario?", classes="dialog-title")
            yield OptionList(*[_option(state) for state in self.scenarios])
            yield Static(
                "enter picks, then asks to confirm · esc cancels",
                classes="dialog-hint",
            )


def _option(state: ScenarioState) -> Option:
    if state.running:
        note = "running now"
    elif not state.enabled:
        note = "disabled in config"
    elif state.blocked_by:
        # Checked before the cooldown, because a block can outlast it and
        # names its cause.
        note = f"blocked: {state.blocked_by}"
    elif state.cooldown_remaining > 0:
        note = f"cooling down {state.cooldown_remaining:.0f}s"
    else:
        note = "ready"
    prompt = Text.assemble(
        (state.name, "bold"), f"  ({note})\n", (state.description, "dim")
    )
    return Option(prompt, id=state.name)
