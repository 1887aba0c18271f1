"""The TUI's boundaries: no database in the TUI, and the engine satisfies the
protocol the TUI is written against (so attach mode can, too)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from tui_fake_source import FakeSource

import warroom.tui
from engine.service import Engine
from warroom.tui.source import WarRoomSource

TUI = Path(warroom.tui.__file__).parent

# Modules that hold connections or run SQL.
FORBIDDEN = (
    "psycopg",
    "pyodbc",
    "sqlite3",
    "engine.store.database",
    "engine.targets.postgres",
    "engine.targets.embedded",
    "engine.targets.base",
    "engine.incidents.manager",
    "engine.chaos.scenarios",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_tui_imports_nothing_that_holds_a_connection() -> None:
    offenders = {
        f"{path.relative_to(TUI)}: {name}"
        for path in TUI.rglob("*.py")
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    }
    assert not offenders


def test_widgets_render_what_they_are_given() -> None:
    # Widgets get data from messages or their screen, never from the engine.
    for path in (TUI / "widgets").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "warroom.tui.source" not in text, path.name
        # A lineage row's source is the table a pipeline read, not the App's.
        allowed = text.replace("postmortem_source", "").replace("run.source", "")
        assert ".source" not in allowed, path.name
        assert "commands" not in text, path.name


def _members() -> list[str]:
    names = set(getattr(WarRoomSource, "__annotations__", {}))
    names |= {
        name
        for name, value in vars(WarRoomSource).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or isinstance(value, property))
    }
    return sorted(names)


def _check(implementation: type, member: str) -> None:
    expected = vars(WarRoomSource).get(member)
    if not inspect.isfunction(expected):
        return
    actual = getattr(implementation, member)
    expected_names = list(inspect.signature(expected).parameters)
    offered = inspect.signature(actual).parameters
    missing = [name for name in expected_names if name not in offered]
    assert not missing, f"{implementation.__name__}.{member} lacks {missing}"
    assert inspect.iscoroutinefunction(expected) == inspect.iscoroutinefunction(
        actual
    ), f"{implementation.__name__}.{member}: async in one, not the other"


def test_engine_and_fake_offer_every_protocol_member(engine) -> None:
    for member in _members():
        for instance in (engine, FakeSource()):
            assert hasattr(instance, member), f"{type(instance).__name__}.{member}"
            if not isinstance(getattr(type(instance), member, None), property):
                _check(type(instance), member)
    assert isinstance(engine, Engine)
