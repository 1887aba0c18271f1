"""An exclusive lock on the data directory, so two war rooms never share it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class DataDirBusy(RuntimeError):
    pass


class DataDirLock:
    def __init__(self, home: Path):
        self.home = home
        self.path = home / "warroom.lock"
        self._file = None

    def acquire(self) -> DataDirLock:
        """Take the lock or raise DataDirBusy naming the process that holds it."""
        self.home.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DataDirBusy(
                f"another warroom (pid {holder}) is using the data directory "
                f"{self.home}; stop it first, or set WARROOM_HOME to another folder"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
