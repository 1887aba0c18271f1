"""Every SQL file parses in its dialect, and every statement the code loads
by name exists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

from engine.paths import PROJECT_ROOT, SQL_DIR
from engine.targets.sqlfiles import load_statement

DIALECTS = {"postgres": "postgres", "mssql": "tsql"}
SQL_FILES = sorted(
    path for folder in DIALECTS for path in (SQL_DIR / folder).glob("*.sql")
)


def linter(dialect: str) -> Linter:
    config = FluffConfig(
        configs={
            "core": {"dialect": dialect, "templater": "placeholder"},
            # psycopg's %(name)s parameters
            "templater": {"placeholder": {"param_style": "pyformat"}},
        }
    )
    return Linter(config=config)


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda path: path.name)
def test_sql_file_parses(path: Path):
    dialect = DIALECTS[path.parent.name]

    parsed = linter(dialect).parse_string(path.read_text(), fname=str(path))

    where = path.relative_to(PROJECT_ROOT)
    problems = [f"{where}:{v.line_no}: {v.desc()}" for v in parsed.violations]
    assert problems == [], "\n".join(problems)


def statement_references() -> list[tuple[str, str, str]]:
    """Literal load_statement(dialect, file, name) calls in the code."""
    found = []
    for folder in ("engine", "warroom"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                arguments = node.args
                if name != "load_statement" or len(arguments) != 3:
                    continue
                if all(isinstance(a, ast.Constant) for a in arguments):
                    found.append(tuple(a.value for a in arguments))
    return sorted(set(found))


def test_named_statements_exist():
    references = statement_references()

    assert len(references) >= 5
    for dialect, file_name, name in references:
        assert load_statement(dialect, file_name, name)


@pytest.mark.parametrize(
    "name",
    ["pick_claims", "touch_claim", "hold", "set_deadlock_timeout"],
)
def test_chaos_statements_exist(name: str):
    assert load_statement("postgres", "chaos", name)


def test_known_scenarios_match_engine():
    from engine.chaos.scenarios import SCENARIOS
    from engine.config.models import KNOWN_SCENARIOS

    assert sorted(KNOWN_SCENARIOS) == sorted(SCENARIOS)
