"""Request bodies: an unknown field is a 400 on every endpoint that takes one."""

from __future__ import annotations

import types
import typing

import msgspec
import pytest

from tests.api.conftest import AUTH, assert_problem

INCIDENT = {"kind": "disk_full", "title": "disk"}


def _body_types(app) -> dict[str, type]:
    """Map each handler that takes a JSON body to the Struct it decodes."""
    found = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            signature = getattr(handler, "parsed_fn_signature", None)
            if signature is None or "data" not in signature.parameters:
                continue
            body_type = signature.parameters["data"].annotation
            if isinstance(body_type, types.UnionType):
                [body_type] = [
                    t for t in typing.get_args(body_type) if t is not type(None)
                ]
            found[f"{sorted(handler.http_methods)} {route.path}"] = body_type
    return found


async def test_every_body_forbids_unknown_fields(app):
    body_types = _body_types(app)

    assert len(body_types) >= 11
    for endpoint, body_type in body_types.items():
        assert issubclass(body_type, msgspec.Struct), endpoint
        assert body_type.__struct_config__.forbid_unknown_fields, endpoint


CLASSIFY = {"table": "healthcare.patients", "column": "fax", "category": "phone"}


@pytest.mark.parametrize(
    ("method", "path", "body", "unknown"),
    [
        ("POST", "/api/incidents", {**INCIDENT, "severty": "critical"}, "severty"),
        (
            "PATCH",
            "/api/incidents/{id}",
            {"status": "INVESTIGATING", "nte": "x"},
            "nte",
        ),
        ("POST", "/api/incidents/{id}/remediate", {"dryrun": True}, "dryrun"),
        (
            "POST",
            "/api/chaos/trigger",
            {"scenario": "deadlock", "auto_remediat": True},
            "auto_remediat",
        ),
        ("POST", "/api/chaos/random", {"auto_remediat": True}, "auto_remediat"),
        ("POST", "/api/jobs/trigger", {"name": "catalog_scan", "nmae": "x"}, "nmae"),
        (
            "POST",
            "/api/governance/catalog/classify",
            {**CLASSIFY, "reson": "x"},
            "reson",
        ),
        (
            "POST",
            "/api/governance/mask-export",
            {"format": "csv", "path": "out.csv", "fromat": "json"},
            "fromat",
        ),
        ("POST", "/api/validation/run", {"rule": "x"}, "rule"),
        (
            "POST",
            "/api/governance/catalog/scan",
            {"table": "healthcare.patients"},
            "table",
        ),
        ("POST", "/api/health/snapshot", {"target": "other"}, "target"),
    ],
)
async def test_unknown_body_field_is_400(client, engine, method, path, body, unknown):
    created = await client.post("/api/incidents", json=INCIDENT, headers=AUTH)
    incident_id = created.json()["id"]

    response = await client.request(
        method, path.format(id=incident_id), json=body, headers=AUTH
    )

    problem = assert_problem(response, 400)
    assert f"unknown field `{unknown}`" in problem["detail"]
    assert engine.get_incident(incident_id).status == "DETECTED"
    assert engine.current_drill is None


async def test_body_operations_document_415(app):
    document = app.openapi_schema.to_schema()

    with_body = [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]

    assert len(with_body) >= 8
    for method, path, operation in with_body:
        assert "415" in operation["responses"], f"{method.upper()} {path}"


@pytest.mark.parametrize(
    "path", ["/api/validation/run", "/api/governance/catalog/scan"]
)
async def test_bodyless_endpoint_takes_empty_body(client, path):
    for body in ({}, None):
        response = await client.post(path, json=body, headers=AUTH)

        assert response.status_code == 200, (body, response.text)


async def test_bodyless_endpoint_rejects_text(client):
    headers = {**AUTH, "Content-Type": "text/plain"}

    response = await client.post(
        "/api/validation/run", content="hello", headers=headers
    )

    assert_problem(response, 415)
