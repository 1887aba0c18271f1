"""Logs go to a file while the TUI owns the terminal.

A handler writing to the terminal would draw over the screen. So while the
App runs, root handlers on stdout or stderr are set aside and a file handler
takes their place. Both are restored when the App exits.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from engine.paths import create_private

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class FileLogging:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handler: logging.Handler | None = None
        self._set_aside: list[logging.Handler] = []
        self._level = logging.NOTSET

    def start(self) -> None:
        root = logging.getLogger()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        create_private(self.path)
        handler = logging.FileHandler(self.path, encoding="utf-8")
        handler.setFormatter(logging.Formatter(_FORMAT))
        self._set_aside = [item for item in root.handlers if _on_terminal(item)]
        for item in self._set_aside:
            root.removeHandler(item)
        root.addHandler(handler)
        # Starts, stops and actions are logged at INFO; keep them.
        self._level = root.level
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(logging.INFO)
        self._handler = handler
        logging.getLogger(__name__).info("TUI logging to %s", self.path)

    def stop(self) -> None:
        root = logging.getLogger()
        if self._handler is not None:
            root.removeHandler(self._handler)
            self._handler.close()
            self._handler = None
        for item in self._set_aside:
            root.addHandler(item)
        self._set_aside = []
        root.setLevel(self._level)


def _on_terminal(handler: logging.Handler) -> bool:
    if isinstance(handler, logging.FileHandler):
        return False
    stream = getattr(handler, "stream", None)
    terminals = {sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__}
    return stream is not None and stream in terminals
