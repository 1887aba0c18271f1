"""The state database, its WAL files and the log files are created with mode
0600, because they can contain session SQL text. Existing files keep their
mode."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from engine.paths import create_private
from engine.store import Store
from warroom.runtime import configure_logging
from warroom.tui.logs import FileLogging


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_and_wal_are_private(tmp_path: Path):
    path = tmp_path / "warroom.db"
    store = Store(path)
    store.execute("CREATE TABLE t (x integer)")
    store.execute("INSERT INTO t VALUES (1)")

    wal = tmp_path / "warroom.db-wal"
    assert mode(path) == 0o600
    assert wal.exists()
    assert mode(wal) == 0o600
    store.close()


def test_existing_file_keeps_mode(tmp_path: Path):
    path = tmp_path / "shared.log"
    path.write_text("kept\n")
    path.chmod(0o640)

    create_private(path)

    assert mode(path) == 0o640
    assert path.read_text() == "kept\n"


def test_log_files_are_private(tmp_path: Path):
    root = logging.getLogger()
    before = list(root.handlers)
    path = configure_logging(tmp_path)
    tui = FileLogging(tmp_path / "tui.log")
    tui.start()
    try:
        assert path is not None
        assert mode(path) == 0o600
        assert mode(tmp_path / "tui.log") == 0o600
    finally:
        tui.stop()
        for handler in root.handlers:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
