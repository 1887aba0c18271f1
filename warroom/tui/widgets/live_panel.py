"""A panel that draws the last view an event carried, again on each clock
tick (for the ages and countdowns in it) and on each resize."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual import events
from textual.widgets import Static

from warroom.tui.messages import ClockTicked


class LivePanel(Static):
    """Keeps the last view; subclasses draw it in ``_show(now)`` and set
    ``_now`` to the time they drew it for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._view: Any = None
        self._now: datetime | None = None

    def _take(self, view: Any) -> None:
        """Keep ``view`` and draw it for the time it was read."""
        self._view = view
        self._show(view.now)

    def on_clock_ticked(self, message: ClockTicked) -> None:
        if self._view is not None:
            self._show(message.now)

    def on_resize(self, event: events.Resize) -> None:
        if self._view is not None:
            self._show(self._now or self._view.now)

    def _show(self, now: datetime) -> None:
        raise NotImplementedError
