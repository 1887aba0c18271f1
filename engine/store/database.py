"""SQLite connection and numbered migrations.

Statements are short single-row writes on a local file, so they run on the
calling thread. WAL mode lets the API and a CLI read while the engine writes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.paths import create_private

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_text(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def from_text(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def to_json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


class Store:
    """The engine's state database, migrated on open."""

    def __init__(self, path: Path | str):
        self.path = Path(path) if str(path) != ":memory:" else path
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # SQLite creates the -wal and -shm files with the database's mode.
            create_private(self.path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=5000")
        self.migrate()

    def migrate(self) -> int:
        """Apply migrations newer than ``PRAGMA user_version``; return the version."""
        with self._lock:
            current = self._db.execute("PRAGMA user_version").fetchone()[0]
            for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
                number = int(path.name.split("_", 1)[0])
                if number <= current:
                    continue
                log.info("applying store migration %s", path.name)
                script = path.read_text(encoding="utf-8")
                self._db.executescript(
                    f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
                )
                current = number
            return current

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> int:
        """Run one statement; return the last inserted row id."""
        with self._lock:
            cursor = self._db.execute(sql, params)
            return cursor.lastrowid or 0

    def query(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def query_one(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, params).fetchone()

    def transaction(self) -> _Transaction:
        return _Transaction(self)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class _Transaction:
    def __init__(self, store: Store):
        self._store = store

    def __enter__(self) -> Store:
        self._store._lock.acquire()
        self._store._db.execute("BEGIN IMMEDIATE")
        return self._store

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            self._store._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._store._lock.release()
