"""The chaos engine: scenarios with their cooldowns, and the running drill
with its phase, time to detect and time to resolve."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from engine.chaos.drills import ScenarioState
from engine.store.drills import DrillRecord
from warroom.tui.messages import ClockTicked, DrillUpdated
from warroom.tui.views import DrillView, duration


class ChaosPanel(Static):
    """Renders the scenarios and drills a ``DrillUpdated`` carries."""

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("waiting for the engine", style="italic"), **kwargs)
        self.border_title = "chaos engine"
        self._view: DrillView | None = None

    def on_drill_updated(self, message: DrillUpdated) -> None:
        self._view = message.view
        self._show(message.view.now)

    def on_clock_ticked(self, message: ClockTicked) -> None:
        if self._view is not None:
            self._show(message.now)

    def _show(self, now: datetime) -> None:
        view = self._view
        assert view is not None
        # Cooldowns were read at view.now; count them down without a query.
        elapsed = max(0.0, (now - view.now).total_seconds())
        text = Text()
        for scenario in view.scenarios:
            text.append_text(_scenario_line(scenario, elapsed))
            text.append("\n")
        text.append_text(_drill_line(view))
        self.set_class(view.current is not None, "-running")
        self.update(text)


def _scenario_line(scenario: ScenarioState, elapsed: float) -> Text:
    remaining = scenario.cooldown_remaining - elapsed
    if scenario.running:
        state = ("running", "bold")
    elif not scenario.enabled:
        state = ("disabled", "dim")
    elif remaining > 0:
        state = (f"cooldown {remaining:.0f}s", "italic")
    elif scenario.blocked_by:
        state = ("blocked", "dim")
    else:
        state = ("ready", "")
    return Text.assemble(f"{scenario.name:<19}", state)


def _drill_line(view: DrillView) -> Text:
    drill = view.current
    if drill is not None:
        phase = view.phase or drill.status
        return Text.assemble(
            ("▶ ", "bold"),
            f"drill {drill.id} {drill.scenario}: {phase}\n",
            _timings(drill),
        )
    if view.last is not None:
        last = view.last
        return Text.assemble(
            f"last drill {last.id} {last.scenario}: {last.status}\n", _timings(last)
        )
    return Text("no drill run yet; c injects one", style="italic")


def _timings(drill: DrillRecord) -> str:
    return (
        f"detect {duration(drill.seconds_to_detect)}"
        f" · resolve {duration(drill.seconds_to_resolve)}"
    )
