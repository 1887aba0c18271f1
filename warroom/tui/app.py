"""The war room App: one feed worker, the screens, the keys.

The App stores no data of its own beyond the latest message of each kind,
kept so a screen opened later starts from the current state.
"""

from __future__ import annotations

import getpass
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from engine.actors import is_reserved_actor
from engine.events import Event
from engine.paths import data_home
from warroom.tui.commands import Commands
from warroom.tui.feed import Clock, Feed
from warroom.tui.keys import APP_BINDINGS, keymap_from_config
from warroom.tui.logs import FileLogging
from warroom.tui.messages import ClockTicked, LiveMessage
from warroom.tui.screens.help import HelpScreen
from warroom.tui.screens.sessions import SessionsScreen
from warroom.tui.screens.war_room import WarRoomScreen
from warroom.tui.source import WarRoomSource

log = logging.getLogger(__name__)

STYLES = Path(__file__).parent / "styles"
_NOT_IN_DIALOGS = frozenset({"help", "sessions", "quit"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _os_user() -> str:
    # getuser() raises when neither the environment nor the password database
    # names the user, as in some containers; the uid still identifies them.
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _person_actor(name: str) -> str:
    """Return ``name``, marked as the TUI user's when the war room reserves it.

    A login such as ``engine`` or ``scheduler`` would otherwise be recorded
    as the war room's own action and count as automatic in the SLA report.
    """
    if not is_reserved_actor(name):
        return name
    actor = f"{name} (tui)"
    log.warning(
        "login name %r is reserved for the war room's own actions, so changes "
        "are recorded under %r",
        name,
        actor,
    )
    return actor


class WarRoomApp(App[None]):
    TITLE = "warroom"
    CSS_PATH = [
        STYLES / "base.tcss",
        STYLES / "war_room.tcss",
        STYLES / "cards.tcss",
        STYLES / "sessions.tcss",
        STYLES / "incident.tcss",
        STYLES / "job_history.tcss",
        STYLES / "validation.tcss",
        STYLES / "governance.tcss",
        STYLES / "dialogs.tcss",
    ]
    BINDINGS = APP_BINDINGS
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        engine: WarRoomSource,
        *,
        clock: Clock | None = None,
        actor: str | None = None,
        log_file: Path | None = None,
        tick_seconds: float = 1.0,
    ) -> None:
        super().__init__()
        self.source = engine
        self.clock: Clock = clock or _utc_now
        self.actor = _person_actor(actor or _os_user())
        self.feed = Feed(engine, self.clock)
        self.commands = Commands(engine, self.toast, self.actor)
        self.keymap, self._key_problems = keymap_from_config(engine.config.warroom.keys)
        self._logging = FileLogging(log_file or data_home() / "logs" / "tui.log")
        self._tick_seconds = tick_seconds
        self._latest: dict[type[LiveMessage], LiveMessage] = {}
        self._clashes_logged: set[str] = set()

    # -- lifecycle ---------------------------------------------------------

    def on_mount(self) -> None:
        self._logging.start()
        log.info("war room opened on %s by %s", self.source.target_name, self.actor)
        self.set_keymap(self.keymap)
        for problem in self._key_problems:
            self.toast(problem, title="key remap ignored", severity="warning")
        config = self.source.config
        self.push_screen(WarRoomScreen(config, self.source.target_name, self.actor))
        for message in self.feed.everything():
            self.broadcast(message)
        self.set_interval(self._tick_seconds, self._tick)
        self._follow_engine()

    def on_unmount(self) -> None:
        log.info("war room closed by %s", self.actor)
        self._logging.stop()

    @work(exclusive=True, group="feed", name="engine feed", exit_on_error=False)
    async def _follow_engine(self) -> None:
        queue = self.source.bus.subscribe()
        log.info("subscribed to engine events")
        try:
            while True:
                events = [await queue.get()]
                while not queue.empty():
                    events.append(queue.get_nowait())
                self._deliver(events)
        finally:
            self.source.bus.unsubscribe(queue)
            log.info("unsubscribed from engine events")

    def _deliver(self, events: list[Event]) -> None:
        try:
            for message in self.feed.messages_for(events):
                self.broadcast(message)
            for event in events:
                if (notice := self.feed.notice_for(event)) is not None:
                    self.toast(
                        notice.message, title=notice.title, severity=notice.severity
                    )
        except Exception:
            # A bad event must not stop the feed: the screen would freeze.
            log.exception("could not render %s event(s)", len(events))
            self.toast(
                "one engine update could not be shown; details in the log file",
                title="display error",
                severity="error",
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A failed worker does not stop the App, but the engineer gets a toast.
        worker = event.worker
        if event.state is not WorkerState.ERROR:
            return
        log.error("worker %s failed", worker.name, exc_info=worker.error)
        self.toast(
            f"{worker.name} stopped: {worker.error}; details in the log file",
            title="background task failed",
            severity="error",
            timeout=3600 if worker.group == "feed" else 10,
        )

    def _tick(self) -> None:
        self.broadcast(ClockTicked(self.clock()))

    # -- messages ----------------------------------------------------------

    def broadcast(self, message: LiveMessage) -> None:
        """Give every widget on the screen stack with a handler its own copy."""
        if not isinstance(message, ClockTicked):
            self._latest[type(message)] = message
        for screen in self.screen_stack:
            self._post_to(screen, message)

    def replay(self, screen: Screen) -> None:
        """Bring a newly opened screen up to date with the latest messages."""
        for message in self._latest.values():
            self._post_to(screen, message)

    @staticmethod
    def _post_to(screen: Screen, message: LiveMessage) -> None:
        handler = message.handler_name
        for node in screen.walk_children(with_self=True):
            if hasattr(node, handler):
                node.post_message(message.clone())

    def _handle_exception(self, error: Exception) -> None:
        # Textual prints the traceback only on the terminal it restores, which
        # an SSH session may have lost, so the log keeps it too.
        log.error("TUI stopped on an unhandled error: %s", error, exc_info=error)
        super()._handle_exception(error)

    def toast(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
    ) -> None:
        """Notify without reading markup: engine messages contain brackets."""
        self.notify(
            message, title=title, severity=severity, timeout=timeout, markup=False
        )

    # -- keys --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A dialog keeps its own keys, because help or sessions over it would
        # hide the question it is waiting on.
        in_dialog = isinstance(self.screen, ModalScreen)
        return not (in_dialog and action in _NOT_IN_DIALOGS)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen(self.keymap))

    def action_sessions(self) -> None:
        if isinstance(self.screen, SessionsScreen):
            self.pop_screen()
            return
        interval = self.source.config.warroom.monitor.poll_interval_seconds
        self.push_screen(SessionsScreen(self.source.target_name, self.actor, interval))

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node) -> None:
        names = ", ".join(sorted(binding.action for binding in clashed_bindings))
        if names not in self._clashes_logged:
            self._clashes_logged.add(names)
            log.warning("a key remap in config/warroom.yaml clashes: %s", names)
