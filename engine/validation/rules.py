"""Typed validation rules, parsed from the generic entries of the rules file.

Parsing checks the type and its parameters only. Whether the tables and
columns exist is checked against the target's catalog before the first run
(see ``engine.validation.catalog``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

RULE_TYPES = (
    "null_check",
    "range_check",
    "referential",
    "duplicate",
    "freshness",
    "custom_sql",
)
DIALECTS = ("postgres", "mssql")

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RuleError(ValueError):
    """A rule's type or parameters are invalid; the message names which and why."""


@dataclass(frozen=True)
class Rule:
    name: str
    table: str
    """schema.table"""
    severity: str

    row_level: ClassVar[bool] = False
    """Whether the rule marks individual rows, so it can sample and
    quarantine them."""

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of ``table`` the rule reads, for the catalog check."""
        return ()

    def runs_on(self, dialect: str) -> bool:
        """Return whether the rule has SQL for ``dialect``.

        Only a custom_sql rule can lack it.
        """
        return True


@dataclass(frozen=True)
class _ColumnRule(Rule):
    column: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)


@dataclass(frozen=True)
class NullCheck(_ColumnRule):
    row_level = True


@dataclass(frozen=True)
class RangeCheck(_ColumnRule):
    """A value outside [minimum, maximum] is a violation. NULLs are skipped
    and counted apart."""

    minimum: float | None
    maximum: float | None
    row_level = True


@dataclass(frozen=True)
class Referential(_ColumnRule):
    """A non-NULL value with no matching row in the parent is an orphan."""

    parent_table: str
    parent_column: str
    row_level = True


@dataclass(frozen=True)
class Duplicate(Rule):
    """Rows sharing the values of ``key`` are duplicates; a row with a NULL in
    any of them is not a duplicate of anything."""

    key: tuple[str, ...]
    row_level = True

    @property
    def columns(self) -> tuple[str, ...]:
        return self.key


@dataclass(frozen=True)
class Freshness(_ColumnRule):
    """The newest value of ``column`` must be at most ``max_age_minutes`` old.

    A column without a time zone is read as ``assume_timezone``.
    """

    max_age_minutes: float
    assume_timezone: str


@dataclass(frozen=True)
class CustomSql(Rule):
    """Either a row predicate per dialect on the table (``where``, as
    ``t.column``), run in the table's scan, or a query per dialect that
    returns the violation count. A query that returns NULL or no row is
    "not evaluated"."""

    where: dict[str, str]
    queries: dict[str, str]

    @property
    def row_level(self) -> bool:  # type: ignore[override]
        return bool(self.where)

    def runs_on(self, dialect: str) -> bool:
        return dialect in (self.where if self.where else self.queries)


def parse_rule(
    name: str,
    table: str,
    kind: str,
    column: str | None,
    params: dict[str, Any],
    severity: str,
) -> Rule:
    """Return the typed rule; raise RuleError naming the wrong part."""
    if not _NAME.match(name):
        raise RuleError(f"rule name {name!r} must be letters, digits and _")
    _check_table(table, "table")
    if kind not in RULE_TYPES:
        raise RuleError(
            f"unknown rule type {kind!r}; the types are {', '.join(RULE_TYPES)}"
        )
    params = dict(params)
    base = {"name": name, "table": table, "severity": severity}
    if kind == "null_check":
        rule: Rule = NullCheck(**base, column=_column(column, kind))
    elif kind == "range_check":
        minimum = _number(params.pop("min", None), "min")
        maximum = _number(params.pop("max", None), "max")
        if minimum is None and maximum is None:
            raise RuleError("range_check needs params.min, params.max or both")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise RuleError(f"params.min {minimum:g} is above params.max {maximum:g}")
        rule = RangeCheck(
            **base, column=_column(column, kind), minimum=minimum, maximum=maximum
        )
    elif kind == "referential":
        reference = params.pop("references", None)
        if not isinstance(reference, str) or reference.count(".") != 2:
            raise RuleError(
                "referential needs params.references as schema.table.column"
            )
        parent_table, parent_column = reference.rsplit(".", 1)
        _check_table(parent_table, "params.references")
        rule = Referential(
            **base,
            column=_column(column, kind),
            parent_table=parent_table,
            parent_column=parent_column,
        )
    elif kind == "duplicate":
        key = params.pop("columns", None)
        if key is None and column is not None:
            key = [column]
        if (
            not isinstance(key, list)
            or not key
            or not all(isinstance(part, str) and part for part in key)
        ):
            raise RuleError("duplicate needs column or params.columns (a list)")
        rule = Duplicate(**base, key=tuple(key))
    elif kind == "freshness":
        age = _number(params.pop("max_age_minutes", None), "max_age_minutes")
        if age is None or age <= 0:
            raise RuleError("freshness needs params.max_age_minutes above 0")
        zone = params.pop("assume_timezone", "UTC")
        _check_zone(zone)
        rule = Freshness(
            **base,
            column=_column(column, kind),
            max_age_minutes=age,
            assume_timezone=zone,
        )
    else:
        rule = _custom(base, params)
    if params:
        raise RuleError(f"unknown params for {kind}: {', '.join(sorted(params))}")
    return rule


def _custom(base: dict[str, Any], params: dict[str, Any]) -> CustomSql:
    where = params.pop("where", None)
    query = params.pop("query", None)
    if (where is None) == (query is None):
        raise RuleError(
            "custom_sql needs exactly one of params.where (a row predicate) and "
            "params.query (a count), each SQL text or one per dialect"
        )
    if where is not None:
        return CustomSql(**base, where=_per_dialect(where, "where"), queries={})
    return CustomSql(**base, where={}, queries=_per_dialect(query, "query"))


def _per_dialect(value: Any, name: str) -> dict[str, str]:
    """Return ``value`` as a map of dialect to SQL text. Plain text applies
    to every dialect."""
    if isinstance(value, str):
        value = dict.fromkeys(DIALECTS, value)
    if not isinstance(value, dict) or not value:
        raise RuleError(f"params.{name} must be SQL text or a map of dialect to SQL")
    unknown = sorted(set(value) - set(DIALECTS))
    if unknown:
        raise RuleError(
            f"params.{name} names unknown dialect(s) {', '.join(unknown)}; "
            f"use {', '.join(DIALECTS)}"
        )
    empty = sorted(
        k for k, v in value.items() if not isinstance(v, str) or not v.strip()
    )
    if empty:
        raise RuleError(f"params.{name} for {', '.join(empty)} must be non-empty SQL")
    return {dialect: text.strip() for dialect, text in value.items()}


def _column(column: str | None, kind: str) -> str:
    if not column:
        raise RuleError(f"{kind} needs a column")
    if not _NAME.match(column):
        raise RuleError(f"column {column!r} is not a plain column name")
    return column


def _check_table(table: str, where: str) -> None:
    parts = table.split(".")
    if len(parts) != 2 or not all(_NAME.match(part) for part in parts):
        raise RuleError(f"{where} {table!r} must be schema.table")


def _number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(f"params.{name} must be a number, not {value!r}")
    return float(value)


def _check_zone(zone: Any) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError(
            f"params.assume_timezone {zone!r} is not an IANA zone"
        ) from None
