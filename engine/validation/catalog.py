"""The target's tables, columns and primary keys, and the check that every
rule names a table and columns that exist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.targets.base import DedicatedSession, Target
from engine.targets.sqlfiles import load_statement
from engine.validation.rules import Referential, Rule


@dataclass(frozen=True)
class Catalog:
    columns: dict[str, dict[str, str]]
    """schema.table to column name to data type."""
    primary_keys: dict[str, tuple[str, ...]]


class RuleCatalogError(Exception):
    """Rules name tables or columns the target does not have."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = [f"config/validation_rules.yaml: {len(problems)} rule problem(s):"]
        lines += [f"  {problem}" for problem in problems]
        super().__init__("\n".join(lines))


async def read_catalog(reader: Target | DedicatedSession, dialect: str) -> Catalog:
    """Return the tables, columns and primary keys visible to ``reader``."""
    columns: dict[str, dict[str, str]] = {}
    for schema, table, column, data_type in await reader.fetch(
        load_statement(dialect, "validation", "columns")
    ):
        columns.setdefault(f"{schema}.{table}", {})[column] = str(data_type)
    keys: dict[str, list[str]] = {}
    for schema, table, column in await reader.fetch(
        load_statement(dialect, "validation", "primary_keys")
    ):
        keys.setdefault(f"{schema}.{table}", []).append(column)
    return Catalog(columns, {name: tuple(cols) for name, cols in keys.items()})


def rule_problems(rules: Sequence[Rule], catalog: Catalog) -> dict[str, str]:
    """Return, by rule name, the first table or column each rule names that
    ``catalog`` does not have, with the rule's position in the file."""
    problems = {}
    for index, rule in enumerate(rules):
        where = f"rules[{index}] ({rule.name})"
        names = [(rule.table, column) for column in rule.columns]
        if isinstance(rule, Referential):
            names.append((rule.parent_table, rule.parent_column))
        for table, column in names:
            known = catalog.columns.get(table)
            if known is None:
                problems[rule.name] = f"{where}: table {table} does not exist"
                break
            if column not in known:
                problems[rule.name] = f"{where}: table {table} has no column {column!r}"
                break
    return problems


def check_rules(rules: Sequence[Rule], catalog: Catalog) -> None:
    """Raise RuleCatalogError listing every rule that names something missing."""
    problems = rule_problems(rules, catalog)
    if problems:
        raise RuleCatalogError(list(problems.values()))
