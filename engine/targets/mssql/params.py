"""Convert psycopg-style ``%(name)s`` placeholders into ODBC ``?`` markers.

The scenario SQL files of both dialects use ``%(name)s``, so the scenarios
pass one dict of values whatever the target. ODBC only accepts positional
``?`` markers, bound in the order they appear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"%\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)s|%%|%")


class ParameterError(ValueError):
    """A statement's placeholders and the given values do not match."""


def to_qmark(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """Return ``sql`` with ``?`` markers and the values in marker order.

    ``%%`` becomes a literal ``%``. A name used twice is bound twice. Raises
    ParameterError for a name missing from ``params`` or a lone ``%``.
    """
    values: list[Any] = []
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "%%":
            return "%"
        name = match.group("name")
        if name is None:
            raise ParameterError(
                f"lone '%' at character {match.start()} of the statement; write "
                "%% for a literal percent sign or %(name)s for a parameter"
            )
        if name not in params:
            missing.append(name)
            return "?"
        values.append(params[name])
        return "?"

    converted = _TOKEN.sub(replace, sql)
    if missing:
        supplied = ", ".join(sorted(params)) or "none"
        raise ParameterError(
            f"missing value(s) for parameter(s) {', '.join(sorted(set(missing)))}; "
            f"given: {supplied}"
        )
    return converted, values
