"""The chaos engine: every scenario with its state, and the running drill
with its phase, time to detect and time to resolve.

The panel sits in the war room's lower row, which has a fixed height (5 or
8 lines inside the border), so nine scenarios and the drill do not fit one
per line. Each redraw picks the roomiest layout that fits the panel's size.
It chooses one to three columns of scenarios, full or short scenario names,
and full or short states (``cool 42s`` for ``cooldown 42s``, ``off`` for
``disabled``). The drill's two lines go below the scenarios, or into the
panel's top and bottom borders when no line is left. Only when nothing fits
is a long name cut with an ellipsis, so every state stays in sight.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from engine.chaos.drills import ScenarioState
from engine.store.drills import DrillRecord
from warroom.tui.messages import DrillUpdated
from warroom.tui.views import DrillView, duration
from warroom.tui.widgets.live_panel import LivePanel

TITLE = "chaos engine"
COLUMN_GAP = 2
DRILL_LINES = 2

# Short names of the known scenarios, at most 10 characters, for panels too
# narrow for the full names. Other scenarios show their name with spaces.
SHORT_NAMES = {
    "long_running_query": "long query",
    "connection_flood": "conn flood",
    "deadlock": "deadlock",
    "data_corruption": "corruption",
    "orphaned_records": "orphans",
    "job_failure": "job fail",
    "claim_volume_spike": "claim spike",
    "phi_exposure": "PHI reads",
    "formulary_change": "formulary",
}

_STATE_STYLES = {
    "running": "bold",
    "disabled": "dim",
    "blocked": "dim",
    "cooldown": "italic",
    "ready": "",
}


@dataclass(frozen=True)
class Layout:
    """The arrangement of the scenarios and the drill in the panel."""

    columns: int
    cell_width: int
    short_names: bool
    short_states: bool
    drill_inline: bool
    """True: the drill's lines follow the scenarios. False: they go in the
    borders."""


class ChaosPanel(LivePanel):
    """Renders the scenarios and drills a ``DrillUpdated`` carries."""

    _view: DrillView | None

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("waiting for the engine", style="italic"), **kwargs)
        self.border_title = TITLE
        self.layout_in_use: Layout | None = None

    def on_drill_updated(self, message: DrillUpdated) -> None:
        self._take(message.view)

    def _show(self, now: datetime) -> None:
        view = self._view
        assert view is not None
        self._now = now
        # Cooldowns were read at view.now; count them down without a query.
        elapsed = max(0.0, (now - view.now).total_seconds())
        size = self.content_size
        layout = choose_layout(view.scenarios, size.width, size.height)
        self.layout_in_use = layout
        text = _scenario_grid(view.scenarios, layout, elapsed)
        drill = _drill_lines(view, layout.short_names)
        if layout.drill_inline:
            for line in drill:
                text.append("\n" if text else "")
                text.append_text(line)
            self.border_title = TITLE
            self.border_subtitle = ""
        else:
            self.border_title = Text(drill[0].plain) if len(drill) > 1 else TITLE
            self.border_subtitle = Text(drill[-1].plain)
        text.no_wrap = True
        text.overflow = "ellipsis"
        self.set_class(view.current is not None, "-running")
        self.update(text)


def choose_layout(
    scenarios: Sequence[ScenarioState], width: int, height: int
) -> Layout:
    """Return the roomiest layout of ``scenarios`` in ``width`` by ``height``
    characters: the drill inline before the drill in the borders, then fewer
    columns, then full names and states before short ones."""
    count = max(1, len(scenarios))
    for drill_inline in (True, False):
        room = height - (DRILL_LINES if drill_inline else 0)
        for columns in (1, 2, 3):
            if math.ceil(count / columns) > room:
                continue
            cell = (width - COLUMN_GAP * (columns - 1)) // columns
            for short_names, short_states in (
                (False, False),
                (True, False),
                (True, True),
            ):
                needed = max(
                    (_widest(item, short_names, short_states) for item in scenarios),
                    default=0,
                )
                if needed <= cell:
                    # States line up just after the longest name, not at the
                    # panel's far edge.
                    return Layout(
                        columns, needed, short_names, short_states, drill_inline
                    )
    # Nothing fits whole: use as few columns as the height allows and let
    # long names be cut, never the states.
    columns = min(3, math.ceil(count / max(1, height)))
    cell = max(1, (width - COLUMN_GAP * (columns - 1)) // columns)
    return Layout(columns, cell, True, True, False)


def display_name(scenario: ScenarioState, short: bool) -> str:
    if not short:
        return scenario.name
    return SHORT_NAMES.get(scenario.name, scenario.name.replace("_", " "))


def state_of(scenario: ScenarioState, elapsed: float, short: bool) -> tuple[str, str]:
    """Return the scenario's state as words and its kind (a key of the styles)."""
    remaining = scenario.cooldown_remaining - elapsed
    if scenario.running:
        return "running", "running"
    if not scenario.enabled:
        return ("off" if short else "disabled"), "disabled"
    if scenario.blocked_by:
        # Checked before the cooldown, because a block can outlast it and
        # names its cause.
        return "blocked", "blocked"
    if remaining > 0:
        seconds = math.ceil(remaining)
        return (f"cool {seconds}s" if short else f"cooldown {seconds}s"), "cooldown"
    return "ready", "ready"


def _widest(scenario: ScenarioState, short_names: bool, short_states: bool) -> int:
    # The widest cooldown state is the full cooldown, so the layout does not
    # change while a cooldown counts down.
    longest = max(scenario.cooldown_seconds, scenario.cooldown_remaining)
    cooldown = f"{'cool' if short_states else 'cooldown'} {math.ceil(longest)}s"
    states = ("running", "blocked", "ready", "off" if short_states else "disabled")
    widest_state = max(len(cooldown), *(len(state) for state in states))
    return len(display_name(scenario, short_names)) + 1 + widest_state


def _scenario_grid(
    scenarios: Sequence[ScenarioState], layout: Layout, elapsed: float
) -> Text:
    """Return the scenarios column by column, top to bottom, as text lines."""
    rows = math.ceil(len(scenarios) / layout.columns) if scenarios else 0
    text = Text()
    for row in range(rows):
        if row:
            text.append("\n")
        for column in range(layout.columns):
            index = column * rows + row
            if index >= len(scenarios):
                break
            if column:
                text.append(" " * COLUMN_GAP)
            last = column == layout.columns - 1 or index + rows >= len(scenarios)
            text.append_text(_cell(scenarios[index], layout, elapsed, pad=not last))
    return text


def _cell(scenario: ScenarioState, layout: Layout, elapsed: float, pad: bool) -> Text:
    state, kind = state_of(scenario, elapsed, layout.short_states)
    name = display_name(scenario, layout.short_names)
    room = layout.cell_width - len(state) - 1
    if len(name) > room:
        name = name[: max(0, room - 1)] + "…"
    # The state goes to the right edge of the cell, so states line up.
    padding = max(1, layout.cell_width - len(name) - len(state))
    cell = Text.assemble(name, " " * padding, (state, _STATE_STYLES[kind]))
    if not pad:
        cell.rstrip()
    return cell


def _drill_lines(view: DrillView, short: bool) -> list[Text]:
    """Return the drill's phase line and its timings line, or one line when
    no drill has run."""
    drill = view.current
    if drill is not None:
        phase = view.phase or drill.status
        name = _drill_name(drill, view, short)
        return [
            Text.assemble(("▶ ", "bold"), f"drill {drill.id} {name}: {phase}"),
            Text(_timings(drill)),
        ]
    if view.last is not None:
        last = view.last
        name = _drill_name(last, view, short)
        return [
            Text(f"last drill {last.id} {name}: {last.status}"),
            Text(_timings(last)),
        ]
    return [Text("no drill run yet; c injects one", style="italic")]


def _drill_name(drill: DrillRecord, view: DrillView, short: bool) -> str:
    scenario = next(
        (item for item in view.scenarios if item.name == drill.scenario), None
    )
    if scenario is None:
        return drill.scenario
    return display_name(scenario, short)


def _timings(drill: DrillRecord) -> str:
    return (
        f"detect {duration(drill.seconds_to_detect)}"
        f" · resolve {duration(drill.seconds_to_resolve)}"
    )
