"""The base of every live screen: a replay of the latest engine news when it
opens, and a way to reach the App's commands."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen

from warroom.tui.keys import BACK_BINDINGS

if TYPE_CHECKING:
    from warroom.tui.app import WarRoomApp
    from warroom.tui.commands import Commands


class LiveScreen(Screen[None]):
    """A screen whose widgets receive the App's broadcast messages."""

    @property
    def war_room(self) -> WarRoomApp:
        return cast("WarRoomApp", self.app)

    @property
    def commands(self) -> Commands:
        return self.war_room.commands

    def request(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Run one engine request in the background, so the screen stays live
        while the sidecar responds. Commands report their own errors."""
        self.run_worker(work, name=name, group="requests", exit_on_error=False)

    def on_mount(self) -> None:
        # Widgets built after the last event still start from current data.
        self.war_room.replay(self)


class SubScreen(LiveScreen):
    """A screen over the war room; escape goes back."""

    BINDINGS = BACK_BINDINGS

    def action_back(self) -> None:
        self.dismiss()
