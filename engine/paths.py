"""Locations of the project's SQL and config files and of the data directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
CONFIG_DIR = PROJECT_ROOT / "config"


def data_home() -> Path:
    """Return the data directory: ``WARROOM_HOME`` or the platform user-data folder."""
    override = os.environ.get("WARROOM_HOME")
    if override:
        return Path(override).expanduser().resolve()
    return Path(platformdirs.user_data_dir("warroom", appauthor=False))


# Owner read and write only. The state database, the logs and postmortem
# copies can contain the SQL text of sessions, and SQL text can contain PHI.
PRIVATE_FILE_MODE = 0o600


def create_private(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if it does not exist, and return it.

    An existing file keeps its mode, so an operator's own choice is kept.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    os.close(descriptor)
    return path
