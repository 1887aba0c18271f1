"""Build the SQL of a validation run: one scan per table for every row-level
rule and freshness rule on it, and the sample and selection statements.

Inside a scan the table is aliased ``t``. A duplicate rule adds a window
count over its key, so the scan still reads the table once. Predicates use
only ANSI SQL, so both dialects share them; what differs (conditional
counts, row limits, the clock) is chosen by ``dialect``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from engine.validation.rules import (
    CustomSql,
    Duplicate,
    Freshness,
    NullCheck,
    RangeCheck,
    Referential,
    Rule,
)

Quote = Callable[[str], str]


@dataclass(frozen=True)
class TableScan:
    """One statement that evaluates ``rules`` on ``table`` in one pass.

    Its row is: the rows scanned, then per rule the columns ``fields[rule]``
    names (``violations`` and ``nulls`` for range checks, ``newest`` and the
    clock for freshness).
    """

    table: str
    rules: tuple[Rule, ...]
    sql: str
    fields: dict[str, tuple[str, ...]]


def quote_table(table: str, quote: Quote) -> str:
    schema, name = table.split(".")
    return f"{quote(schema)}.{quote(name)}"


def predicate(rule: Rule, quote: Quote, dialect: str, index: int = 0) -> str:
    """Return the condition a violating row of ``rule`` meets, on alias ``t``.

    Only a custom_sql rule can lack one for ``dialect`` (a KeyError); check
    ``rule.runs_on(dialect)`` first.
    """
    if isinstance(rule, NullCheck):
        return f"t.{quote(rule.column)} IS NULL"
    if isinstance(rule, RangeCheck):
        column = f"t.{quote(rule.column)}"
        parts = []
        if rule.minimum is not None:
            parts.append(f"{column} < {_literal(rule.minimum)}")
        if rule.maximum is not None:
            parts.append(f"{column} > {_literal(rule.maximum)}")
        return "(" + " OR ".join(parts) + ")"
    if isinstance(rule, Referential):
        column = f"t.{quote(rule.column)}"
        parent = quote_table(rule.parent_table, quote)
        return (
            f"({column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} AS p "
            f"WHERE p.{quote(rule.parent_column)} = {column}))"
        )
    if isinstance(rule, Duplicate):
        present = " AND ".join(f"t.{quote(column)} IS NOT NULL" for column in rule.key)
        return f"({present} AND t.{_window_column(index)} > 1)"
    if isinstance(rule, CustomSql) and rule.where:
        return f"({rule.where[dialect]})"
    raise ValueError(f"rule {rule.name} is not row-level")


def source(
    table: str, rules: Sequence[Rule], quote: Quote
) -> tuple[str, dict[str, int]]:
    """Return the FROM clause for ``rules`` on ``table`` (alias ``t``) and the
    window index of each duplicate rule."""
    windows = {
        rule.name: index
        for index, rule in enumerate(r for r in rules if isinstance(r, Duplicate))
    }
    relation = quote_table(table, quote)
    if not windows:
        return f"{relation} AS t", windows
    counts = [
        f"COUNT(*) OVER (PARTITION BY "
        f"{', '.join(f'w.{quote(column)}' for column in rule.key)}) "
        f"AS {_window_column(windows[rule.name])}"
        for rule in rules
        if isinstance(rule, Duplicate)
    ]
    return f"(SELECT w.*, {', '.join(counts)} FROM {relation} AS w) AS t", windows


def table_scan(
    table: str,
    rules: Sequence[Rule],
    quote: Quote,
    dialect: str,
    primary_keys: Mapping[str, tuple[str, ...]] | None = None,
) -> TableScan:
    """Build the single statement that evaluates every scannable rule on ``table``.

    A referential rule becomes a LEFT JOIN to its parent, so the planner
    hashes the parent once instead of probing it for every row. The join
    goes straight to the parent when ``primary_keys`` lists the parent column as
    its whole primary key, and to the parent's distinct values otherwise,
    so neither multiplies the scanned rows.

    Counts that need no predicate per row are differences of COUNTs: a null
    check's violations and a range check's NULLs are COUNT(*) less
    COUNT(column), and a referential rule's orphans are the non-NULL keys
    less those the join matched.
    """
    relation, windows = source(table, rules, quote)
    keys = primary_keys or {}
    count = _count_all(dialect)
    columns = [count]
    joins: list[str] = []
    fields: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        if isinstance(rule, Freshness):
            columns.append(f"MAX(t.{quote(rule.column)})")
            columns.append(_clock(dialect))
            fields[rule.name] = ("newest", "now")
            continue
        if isinstance(rule, Referential):
            join, matched = _parent_join(rule, quote, len(joins), keys)
            joins.append(join)
            child = count.replace("*", f"t.{quote(rule.column)}")
            columns.append(f"({child} - {count.replace('*', matched)})")
        elif isinstance(rule, NullCheck):
            present = count.replace("*", f"t.{quote(rule.column)}")
            columns.append(f"({count} - {present})")
        else:
            condition = predicate(rule, quote, dialect, windows.get(rule.name, 0))
            columns.append(_count_if(condition, dialect))
        if isinstance(rule, RangeCheck):
            present = count.replace("*", f"t.{quote(rule.column)}")
            columns.append(f"({count} - {present})")
            fields[rule.name] = ("violations", "nulls")
        else:
            fields[rule.name] = ("violations",)
    sql = " ".join([f"SELECT {', '.join(columns)} FROM {relation}", *joins])
    return TableScan(table, tuple(rules), sql, fields)


def _parent_join(
    rule: Referential,
    quote: Quote,
    index: int,
    primary_keys: Mapping[str, tuple[str, ...]],
) -> tuple[str, str]:
    """Return the LEFT JOIN of ``rule``'s parent as alias ``r<index>`` and the
    parent column it matches, which is NULL for an orphan and for a NULL key."""
    alias = f"r{index}"
    parent = quote_table(rule.parent_table, quote)
    parent_column = quote(rule.parent_column)
    child = f"t.{quote(rule.column)}"
    if primary_keys.get(rule.parent_table) == (rule.parent_column,):
        matched = f"{alias}.{parent_column}"
        join = f"LEFT JOIN {parent} AS {alias} ON {matched} = {child}"
    else:
        matched = f"{alias}.warroom_key"
        join = (
            f"LEFT JOIN (SELECT DISTINCT {parent_column} AS warroom_key "
            f"FROM {parent}) AS {alias} ON {matched} = {child}"
        )
    return join, matched


def sample_statement(
    rule: Rule,
    key: Sequence[str],
    quote: Quote,
    dialect: str,
    limit: int,
    as_text: Collection[str] = (),
) -> str:
    """Build the query for up to ``limit`` keys of rows that violate ``rule``,
    in key order, with the key columns in ``as_text`` read as text."""
    relation, windows = source(rule.table, [rule], quote)
    condition = predicate(rule, quote, dialect, windows.get(rule.name, 0))
    keys = ", ".join(f"t.{quote(column)}" for column in key)
    selected = ", ".join(
        f"CAST(t.{quote(column)} AS text)"
        if column in as_text
        else f"t.{quote(column)}"
        for column in key
    )
    if dialect == "mssql":
        return (
            f"SELECT TOP ({int(limit)}) {selected} FROM {relation} "
            f"WHERE {condition} ORDER BY {keys}"
        )
    return (
        f"SELECT {selected} FROM {relation} WHERE {condition} "
        f"ORDER BY {keys} LIMIT {int(limit)}"
    )


def _window_column(index: int) -> str:
    return f"warroom_dup_{index}"


def _count_all(dialect: str) -> str:
    return "COUNT_BIG(*)" if dialect == "mssql" else "COUNT(*)"


def _count_if(condition: str, dialect: str) -> str:
    if dialect == "mssql":
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"
    return f"COUNT(*) FILTER (WHERE {condition})"


def _clock(dialect: str) -> str:
    return "SYSDATETIMEOFFSET()" if dialect == "mssql" else "now()"


def _literal(value: float) -> str:
    return repr(int(value)) if value == int(value) else repr(value)
