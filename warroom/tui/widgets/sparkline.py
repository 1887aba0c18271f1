"""A sparkline whose bars start at zero, so a flat 3 % line draws low bars
instead of full ones."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

BARS = " ▁▂▃▄▅▆▇█"
STEPS = len(BARS) - 1


def bar_heights(
    values: Sequence[float], width: int, ceiling: float, rows: int = 1
) -> list[int]:
    """Return one height per column in eighths of a row: the newest
    ``width`` values, each scaled from 0 to the larger of ``ceiling`` and
    the values' maximum over ``rows`` rows. Every value gets at least the
    lowest bar, so a zero still shows that a reading exists."""
    newest = list(values)[-width:] if width > 0 else []
    top = max([ceiling, *newest])
    total = STEPS * rows
    if top <= 0:
        return [1] * len(newest)
    return [max(1, round(max(value, 0.0) / top * total)) for value in newest]


def bar_rows(heights: Sequence[int], rows: int) -> list[str]:
    """Draw ``heights`` (eighths of a row, up to ``rows`` rows) top row first."""
    lines = []
    for row in reversed(range(rows)):
        floor = row * STEPS
        lines.append(
            "".join(BARS[min(max(height - floor, 0), STEPS)] for height in heights)
        )
    return lines


class ZeroSparkline(Widget):
    """The newest values, right-aligned, as bars from zero to the ceiling."""

    data: reactive[tuple[float, ...]] = reactive(())
    ceiling: reactive[float] = reactive(0.0)

    def render(self) -> Text:
        width, rows = self.size.width, max(self.size.height, 1)
        heights = bar_heights(self.data, width, self.ceiling, rows)
        lines = [line.rjust(width) for line in bar_rows(heights, rows)]
        return Text("\n".join(lines))
