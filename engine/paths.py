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
