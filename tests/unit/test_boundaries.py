"""The engine imports neither the TUI framework nor the web framework."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import engine

ENGINE_DIR = Path(engine.__file__).parent
# Several engine folders (incidents, monitor, targets, ...) have no __init__.py.
# pkgutil.walk_packages skips such namespace packages, so the script also lists
# every .py file under engine/ and imports the union of both.
SCRIPT = """
import importlib
import json
import pkgutil
import sys
from pathlib import Path

import engine

root = Path(engine.__file__).parent
names = {info.name for info in pkgutil.walk_packages(engine.__path__, "engine.")}
for path in root.rglob("*.py"):
    parts = path.relative_to(root.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    names.add(".".join(parts))

for name in sorted(names):
    importlib.import_module(name)

forbidden = sorted(
    name
    for name in sys.modules
    if name.split(".")[0] in ("textual", "litestar")
)
print(json.dumps({"imported": sorted(names), "forbidden": forbidden}))
"""


@pytest.fixture(scope="module")
def report() -> dict[str, list[str]]:
    """Return the modules the script imported and the forbidden ones loaded."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ENGINE_DIR.parent,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_engine_imports_no_ui_frameworks(report) -> None:
    assert report["forbidden"] == []


def test_boundary_script_covers_engine(report) -> None:
    imported = set(report["imported"])

    expected = {
        ".".join(path.relative_to(ENGINE_DIR.parent).with_suffix("").parts)
        for path in ENGINE_DIR.rglob("*.py")
        if path.name != "__init__.py"
    }
    assert expected <= imported
    for name in ("engine.monitor.graph", "engine.incidents.manager", "engine.service"):
        assert name in imported
