"""The OpenAPI schema, its Swagger UI and ReDoc pages, and the API's import
boundary."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

import warroom.api

API_DIR = Path(warroom.api.__file__).parent
MUTATING = {"post", "put", "patch", "delete"}

# Modules that hold connections or run SQL; controllers reach them only
# through the Engine.
FORBIDDEN = (
    "psycopg",
    "pyodbc",
    "sqlite3",
    "textual",
    "engine.store.database",
    "engine.store.incidents",
    "engine.targets.postgres",
    "engine.targets.embedded",
    "engine.incidents.manager",
    "engine.chaos.scenarios",
)


@pytest.fixture
async def schema(app) -> dict:
    # The docs routes never touch the engine, so Litestar's own test client
    # (which runs the app on a second event loop) is safe for them.
    async with AsyncTestClient(app, base_url="http://127.0.0.1:8000") as client:
        response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_docs_pages_render(app):
    async with AsyncTestClient(app, base_url="http://127.0.0.1:8000") as client:
        swagger = await client.get("/schema/swagger")
        redoc = await client.get("/schema/redoc")

    assert swagger.status_code == 200
    assert "swagger-ui" in swagger.text
    assert redoc.status_code == 200
    assert "redoc" in redoc.text.lower()


async def test_schema_lists_every_endpoint(schema):
    expected = {
        ("get", "/api/health"),
        ("get", "/api/health/sql"),
        ("get", "/api/health/snapshot"),
        ("post", "/api/health/snapshot"),
        ("get", "/api/health/history"),
        ("get", "/api/settings"),
        ("get", "/api/sessions"),
        ("get", "/api/sessions/blocking"),
        ("get", "/api/incidents"),
        ("post", "/api/incidents"),
        ("get", "/api/incidents/{incident_id}"),
        ("patch", "/api/incidents/{incident_id}"),
        ("post", "/api/incidents/{incident_id}/remediate"),
        ("get", "/api/incidents/{incident_id}/postmortem"),
        ("get", "/api/incidents/metrics/sla"),
        ("get", "/api/chaos"),
        ("post", "/api/chaos/trigger"),
        ("post", "/api/chaos/random"),
        ("get", "/api/chaos/drills"),
        ("get", "/api/jobs"),
        ("post", "/api/jobs/trigger"),
        ("get", "/api/jobs/{name}/history"),
        ("get", "/api/dashboard"),
        ("get", "/api/healthcare"),
        ("get", "/api/validation/scorecard"),
        ("post", "/api/validation/run"),
        ("get", "/api/governance/catalog"),
        ("get", "/api/governance/catalog/phi"),
        ("post", "/api/governance/catalog/scan"),
        ("post", "/api/governance/catalog/classify"),
        ("post", "/api/governance/mask-export"),
        ("get", "/api/governance/access/users"),
        ("get", "/api/governance/access/users/{user_name}/patients"),
        ("get", "/api/governance/access/patients/{patient_id}"),
        ("get", "/api/governance/lineage"),
        ("get", "/api/events"),
    }

    found = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
    }

    assert found == expected


async def test_schema_documents_auth_and_problems(schema):
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            if method in MUTATING:
                assert operation["security"] == [{"bearer": []}], where
                assert "401" in operation["responses"], where
            errors = {
                status: response
                for status, response in operation["responses"].items()
                if status.startswith(("4", "5"))
            }
            assert errors, where
            for status, response in errors.items():
                assert list(response["content"]) == ["application/problem+json"], (
                    where,
                    status,
                )


def test_api_imports_no_connection_holder():
    offenders = set()
    for path in API_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            offenders.update(
                f"{path.relative_to(API_DIR)}: {name}"
                for name in names
                if name.startswith(FORBIDDEN)
            )

    assert not offenders


def test_api_import_loads_no_textual():
    script = (
        "import json, sys, warroom.api; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('textual'))))"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
