"""Waiting in Pilot tests: poll a condition with a deadline, never sleep blind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot


async def wait_for(
    pilot: Pilot,
    condition: Callable[[], object],
    description: str,
    timeout: float = 10.0,
    step: float = 0.1,
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError(f"gave up after {timeout:g} s waiting for {description}")


def notifications(pilot: Pilot) -> list[str]:
    """Every toast the App has shown, as ``title: message``."""
    return [f"{item.title}: {item.message}" for item in pilot.app._notifications]


def help_rows(app) -> list[list[str]]:
    """Return the open help screen's rows as text: key, action, screen."""
    from warroom.tui.screens.help import HelpScreen
    from warroom.tui.widgets.keyed_table import KeyedTable

    assert isinstance(app.screen, HelpScreen)
    table = app.screen.query_one(KeyedTable)
    return [
        [cell.plain for cell in table.get_row_at(index)]
        for index in range(table.row_count)
    ]
