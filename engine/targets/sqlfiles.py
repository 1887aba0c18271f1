"""Named SQL statements loaded from ``sql/<dialect>/<file>.sql``.

A file contains one or more statements, each introduced by a ``-- name: NAME``
line. A file without such a line is one statement named after the file.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from engine.paths import SQL_DIR

_NAME_LINE = re.compile(r"^--\s*name:\s*([A-Za-z0-9_]+)\s*$", re.MULTILINE)


class SqlNotFound(LookupError):
    pass


@lru_cache(maxsize=128)
def load_file(dialect: str, file_name: str) -> dict[str, str]:
    """Return the statements of ``sql/<dialect>/<file_name>.sql`` by name."""
    path = Path(SQL_DIR) / dialect / f"{file_name}.sql"
    if not path.exists():
        raise SqlNotFound(f"SQL file not found: {path}")
    text = path.read_text(encoding="utf-8")

    parts = _NAME_LINE.split(text)
    if len(parts) == 1:
        return {file_name: text.strip()}

    statements: dict[str, str] = {}
    for index in range(1, len(parts), 2):
        statements[parts[index]] = parts[index + 1].strip()
    return statements


def load_statement(dialect: str, file_name: str, name: str) -> str:
    statements = load_file(dialect, file_name)
    try:
        return statements[name]
    except KeyError:
        raise SqlNotFound(
            f"statement {name!r} not found in sql/{dialect}/{file_name}.sql; "
            f"it defines {sorted(statements)}"
        ) from None


def script_path(dialect: str, file_name: str) -> Path:
    return Path(SQL_DIR) / dialect / f"{file_name}.sql"
