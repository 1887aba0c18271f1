"""One line on top: which target, how fresh the last poll is, and any error.

At 3 a.m. the first question is whether the screen is live; a poll older
than a few intervals turns this line into a warning.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from engine.monitor.poller import stale_after
from warroom.tui.messages import ClockTicked, PollUpdated
from warroom.tui.views import PollView, age, clock_time


class StatusBar(Static):
    def __init__(self, target: str, actor: str, interval: float, **kwargs) -> None:
        super().__init__(Text(f"{target} │ waiting for the first poll"), **kwargs)
        self.target = target
        self.actor = actor
        self.interval = interval
        self._view: PollView | None = None

    def on_poll_updated(self, message: PollUpdated) -> None:
        self._view = message.view
        self._show(message.view.now)

    def on_clock_ticked(self, message: ClockTicked) -> None:
        if self._view is not None:
            self._show(message.now)

    def _show(self, now: datetime) -> None:
        view = self._view
        assert view is not None
        stale = self._stale(view, now)
        failed = view.error is not None or view.link_error is not None
        self.set_class(failed, "-error")
        self.set_class(stale and not failed, "-stale")
        text = Text.assemble((view.target, "bold"), " │ ")
        if view.link_error is not None:
            # The war room process is what cannot be reached, not the target,
            # so the line keeps the time of the last poll it relayed.
            text.append(f"ENGINE NOT REACHABLE: {view.link_error}", style="bold")
            if view.taken_at is not None:
                text.append(
                    f" │ last poll {clock_time(view.taken_at)} UTC "
                    f"({age(now, view.taken_at)} ago)"
                )
        elif view.error is not None:
            text.append(f"TARGET UNREACHABLE: {view.error}", style="bold")
        elif view.taken_at is None:
            text.append("waiting for the first poll")
        else:
            late = "NO RECENT POLL: " if stale else ""
            text.append(
                f"{late}last poll {clock_time(view.taken_at)} UTC "
                f"({age(now, view.taken_at)} ago, {view.duration_ms:.0f} ms)"
            )
        text.append(f" │ you: {self.actor}")
        self.update(text)

    def _stale(self, view: PollView, now: datetime) -> bool:
        if view.taken_at is None:
            return False
        return (now - view.taken_at).total_seconds() > stale_after(self.interval)
