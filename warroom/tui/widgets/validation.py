"""The data validation score and the failing rules of the last run.

The first line is the score: passed rules as a share of the evaluated ones.
Rules that were not evaluated (a custom query returned NULL or no row) or
could not run are counted on their own line, because they are neither a pass
nor a fail. The failing rules follow, critical ones (✗) before warnings (!) and
then by violation count. The bottom border gives the age of the run. On the 80-column
war room the panel has about 16 columns by 5 lines, so each line leads with
what matters and ends with what may be cut.
"""

from __future__ import annotations

import textwrap
from datetime import datetime

from rich.text import Text
from textual import events
from textual.widget import Widget

from engine.validation.models import RuleResult, Scorecard
from warroom.tui.messages import ValidationUpdated
from warroom.tui.views import ValidationView, age, clock_time, duration
from warroom.tui.widgets.keyed_table import themed
from warroom.tui.widgets.live_panel import LivePanel

TITLE = "validation"
# From this width up a failing rule's line also names its severity and table.
WIDE_WIDTH = 60
# An error is wrapped over at most this many lines. The tooltip and the
# validation screen show all of it.
ERROR_LINES = 4

SEVERITY_STYLES = {"critical": "bold $error", "warning": "$warning"}
# A failed rule's mark: its severity shows without colour, too.
SEVERITY_MARKS = {"critical": "✗", "warning": "!"}
_SEVERITY_ORDER = {"critical": 0, "warning": 1}


class ValidationPanel(LivePanel):
    """Renders the scorecard a ``ValidationUpdated`` carries. A click opens the
    validation screen, as the ``validation`` key does."""

    _view: ValidationView | None

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("waiting for the engine", style="italic"), **kwargs)
        self.border_title = TITLE

    @property
    def view(self) -> ValidationView | None:
        return self._view

    def on_validation_updated(self, message: ValidationUpdated) -> None:
        self._take(message.view)

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        await self.app.run_action("screen.validation")

    def _show(self, now: datetime) -> None:
        view = self._view
        assert view is not None
        self._now = now
        size = self.content_size
        lines = panel_lines(view, max(size.width, 1), max(size.height, 1))
        text = Text("\n").join(themed_text(self, line) for line in lines)
        text.no_wrap = True
        text.overflow = "ellipsis"
        self.update(text)
        self.border_subtitle = Text(subtitle(view, now))
        self.tooltip = _tooltip(view)
        card = view.scorecard
        self.set_class(card is not None and bool(card.failed), "-failing")
        self.set_class(view.error is not None, "-error")


def themed_text(widget: Widget, line: Text) -> Text:
    """Return a copy of ``line`` with its theme variables (``$error``) resolved,
    because Rich cannot resolve them itself."""
    copy = line.copy()
    copy.style = themed(widget, str(line.style)) if line.style else ""
    copy.spans = [
        span._replace(style=themed(widget, str(span.style))) for span in line.spans
    ]
    return copy


def panel_lines(view: ValidationView, width: int, height: int) -> list[Text]:
    """Return at most ``height`` lines for a panel ``width`` columns wide."""
    if view.rules == 0:
        return [
            Text("no rules configured", style="italic"),
            Text("add them to config/validation_rules.yaml", style="dim"),
        ][:height]
    card = view.scorecard
    error = _error_lines(view, width)
    if card is None:
        head = Text("first run in progress" if view.running else "no run yet")
        head.stylize("italic")
        every = Text(
            f"{view.rules} rules · every {view.interval_seconds:g}s", style="dim"
        )
        lines = error or [head, every]
        return lines[:height]

    score = score_line(card)
    if width >= WIDE_WIDTH:
        score.append(
            f" · ran {clock_time(card.run_at)} UTC in {duration(card.seconds)}"
            f" · {view.rules} rules every {view.interval_seconds:g}s",
            style="dim",
        )
    lines = [score, *error]
    counted = _uncounted_line(card)
    if counted is not None:
        lines.append(counted)
    failed = failing(card)
    room = height - len(lines)
    if room <= 0:
        return lines[:height]
    if not failed:
        lines.append(Text("no rule failed", style="$success"))
        return lines
    shown = failed if len(failed) <= room else failed[: room - 1]
    names = fitted_names(shown, width)
    lines += [rule_line(result, width, names[result.rule]) for result in shown]
    if len(shown) < len(failed):
        more = len(failed) - len(shown)
        lines.append(Text(f"+{more} more failing", style="dim"))
    return lines


def score_line(card: Scorecard) -> Text:
    percent = card.pass_percent
    if percent is None:
        return Text("no rule evaluated", style="bold $warning")
    style = "bold $success" if not card.failed else "bold $error"
    return Text.assemble(
        (f"{percent:.0f}%", style),
        f" {card.passed}/{card.evaluated}",
        (" passed", "dim"),
    )


def _uncounted_line(card: Scorecard) -> Text | None:
    outcomes = [result.outcome for result in card.results]
    parts = []
    if skipped := outcomes.count("not evaluated"):
        parts.append(f"{skipped} not evaluated")
    if errors := card.errors:
        parts.append(f"{errors} could not run")
    if not parts:
        return None
    return Text(" · ".join(parts), style="$warning")


def failing(card: Scorecard) -> list[RuleResult]:
    """Return the failed rules, critical first, then by violation count."""
    return sorted(
        card.failed,
        key=lambda result: (
            _SEVERITY_ORDER.get(result.severity, 2),
            -result.violations,
            result.rule,
        ),
    )


def rule_line(result: RuleResult, width: int, name: str | None = None) -> Text:
    """Return a failing rule's line for a panel ``width`` columns wide, with
    ``name`` (from fitted_names) in place of the rule's name when narrow."""
    style = SEVERITY_STYLES.get(result.severity, "")
    mark = SEVERITY_MARKS.get(result.severity, "✗") + " "
    if width < WIDE_WIDTH:
        # The count comes before the name, so a cut name keeps its count.
        count = f"{result.violations} "
        return Text.assemble((mark, style), count, name or result.rule)
    return Text.assemble(
        (mark, style),
        (f"{result.severity:<8} ", style),
        (f"{result.violations:>7} ", "bold"),
        result.rule,
        (f"  {result.table}", "dim"),
    )


def fitted_names(results: list[RuleResult], width: int) -> dict[str, str]:
    """Return each rule's name cut to fit its narrow line.

    All are cut the same way: at the end, else in the middle, else at the
    start, whichever first keeps the shown names apart. Rules on one table
    share their start (``prescriptions_...``) and range rules their end
    (``..._range``), so no one way fits every pair.
    """
    rooms = {
        result.rule: width - len("✗ ") - len(f"{result.violations} ")
        for result in results
    }
    for cut in (_cut_end, _cut_middle, _cut_start):
        names = {rule: cut(rule, room) for rule, room in rooms.items()}
        if len(set(names.values())) == len(names):
            return names
    return {rule: _cut_end(rule, room) for rule, room in rooms.items()}


def _cut_end(name: str, room: int) -> str:
    if len(name) <= room or room < 2:
        return name
    return f"{name[: room - 1]}…"


def _cut_middle(name: str, room: int) -> str:
    if len(name) <= room or room < 5:
        return name
    head = (room - 1) // 2
    return f"{name[:head]}…{name[-(room - 1 - head) :]}"


def _cut_start(name: str, room: int) -> str:
    if len(name) <= room or room < 2:
        return name
    return f"…{name[-(room - 1) :]}"


def _error_lines(view: ValidationView, width: int) -> list[Text]:
    if view.error is None:
        return []
    # Without a scorecard the rules themselves could not run. With one, the
    # failed part may also be the claim burst check or the PHI audit.
    when = "first run failed" if view.scorecard is None else "last cycle incomplete"
    wrapped = textwrap.wrap(
        f"{when}: {view.error}", max(width, 10), max_lines=ERROR_LINES
    )
    return [Text(line, style="$error") for line in wrapped]


def subtitle(view: ValidationView, now: datetime) -> str:
    card = view.scorecard
    if view.rules == 0:
        return ""
    if card is None:
        return ""
    ran = f"ran {age(now, card.run_at)} ago"
    return f"running · {ran}" if view.running else ran


def _tooltip(view: ValidationView) -> str:
    parts = [f"{view.rules} rules, run every {view.interval_seconds:g}s"]
    if view.error:
        parts.append(f"last cycle incomplete: {view.error}")
    parts.append("click for every rule's outcome and sample keys")
    return "\n".join(parts)
