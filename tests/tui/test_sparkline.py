"""The metric cards' sparkline: bars from zero to the card's ceiling."""

from __future__ import annotations

import pytest

from warroom.tui.widgets.sparkline import bar_heights, bar_rows


def test_flat_low_line_draws_low_bars():
    heights = bar_heights([3.0] * 5, width=10, ceiling=100.0)

    assert heights == [1] * 5
    assert bar_rows(heights, 1) == ["▁▁▁▁▁"]


def test_value_at_ceiling_fills_the_row():
    heights = bar_heights([0.0, 50.0, 100.0], width=10, ceiling=100.0)

    assert bar_rows(heights, 1) == ["▁▄█"]


def test_series_above_ceiling_scales_to_its_maximum():
    heights = bar_heights([10.0, 40.0], width=10, ceiling=20.0)

    assert heights == [2, 8]


def test_only_newest_values_fit():
    heights = bar_heights([100.0, 0.0, 0.0], width=2, ceiling=100.0)

    assert heights == [1, 1]


@pytest.mark.parametrize(
    ("value", "rows"),
    [
        (100.0, ["█", "█"]),
        (50.0, [" ", "█"]),
        (75.0, ["▄", "█"]),
    ],
)
def test_two_rows_stack_the_bar(value, rows):
    heights = bar_heights([value], width=4, ceiling=100.0, rows=2)

    assert bar_rows(heights, 2) == rows
