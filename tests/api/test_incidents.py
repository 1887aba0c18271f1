"""Incident endpoints: list, report, read, status changes, remediation and
postmortems, with every error status they return."""

from __future__ import annotations

import logging

import pytest

from tests.api.conftest import AUTH, assert_problem

NEW_INCIDENT = {
    "kind": "disk_full",
    "title": "data volume 97% full",
    "severity": "critical",
    "root_cause": "WAL archive not pruned",
}


async def report(client, body=None, headers=None) -> dict:
    response = await client.post(
        "/api/incidents", json=body or NEW_INCIDENT, headers=headers or AUTH
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_returns_201_with_location(client):
    response = await client.post("/api/incidents", json=NEW_INCIDENT, headers=AUTH)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/incidents/{body['id']}"
    assert body["status"] == "DETECTED"
    assert body["kind"] == "disk_full"
    assert body["severity"] == "critical"
    assert body["root_cause"] == "WAL archive not pruned"
    assert body["allowed_transitions"] == ["ESCALATED", "INVESTIGATING"]
    assert body["timeline"][0]["actor"] == "api (token)"


async def test_create_uses_actor_header(client):
    headers = {**AUTH, "X-Warroom-Actor": "  dana.oncall  "}

    body = await report(client, headers=headers)

    assert body["timeline"][0]["actor"] == "dana.oncall"


async def test_create_needs_token(client):
    response = await client.post("/api/incidents", json=NEW_INCIDENT)

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="warroom"'


async def test_create_rejects_wrong_token(client):
    headers = {"Authorization": "Bearer not-the-token"}

    response = await client.post("/api/incidents", json=NEW_INCIDENT, headers=headers)

    body = assert_problem(response, 401)
    assert "does not match" in body["detail"]
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_create_names_invalid_field(client):
    body = {**NEW_INCIDENT, "kind": "Disk Full!"}

    response = await client.post("/api/incidents", json=body, headers=AUTH)

    problem = assert_problem(response, 400)
    assert "body field 'kind'" in problem["detail"]
    assert problem["errors"][0]["field"] == "kind"
    assert problem["errors"][0]["source"] == "body"


async def test_create_names_missing_field(client):
    response = await client.post(
        "/api/incidents", json={"kind": "disk_full"}, headers=AUTH
    )

    problem = assert_problem(response, 400)
    assert "title" in problem["detail"]


async def test_create_without_body(client):
    response = await client.post("/api/incidents", headers=AUTH)

    problem = assert_problem(response, 400)
    assert "request body" in problem["detail"]


async def test_create_with_malformed_json(client):
    headers = {**AUTH, "Content-Type": "application/json"}

    response = await client.post("/api/incidents", content=b"{oops", headers=headers)

    assert_problem(response, 400)


async def test_create_with_deeply_nested_json(client, caplog):
    headers = {**AUTH, "Content-Type": "application/json"}
    nested = b"[" * 200_000 + b"]" * 200_000

    response = await client.post("/api/incidents", content=nested, headers=headers)

    body = assert_problem(response, 400)
    assert "JSON is malformed" in body["detail"]
    assert "nested too deeply" in body["detail"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("content_type", ["text/plain", None])
async def test_create_with_non_json_body_is_415(client, engine, content_type):
    headers = {**AUTH, "Content-Type": content_type} if content_type else AUTH
    content = b'{"kind": "disk_full", "title": "sent as text"}'

    response = await client.post("/api/incidents", content=content, headers=headers)

    body = assert_problem(response, 415)
    assert "application/json" in body["detail"]
    assert [i for i in engine.list_incidents() if i.title == "sent as text"] == []


async def test_create_with_json_suffix_type(client):
    headers = {**AUTH, "Content-Type": "application/merge-patch+json"}
    content = b'{"kind": "disk_full", "title": "sent as +json"}'

    response = await client.post("/api/incidents", content=content, headers=headers)

    assert response.status_code == 201, response.text


async def test_list_filters(client):
    first = await report(client)
    second = await report(client, {"kind": "replica_lag", "title": "lag 40 s"})
    await client.patch(
        f"/api/incidents/{first['id']}",
        json={"status": "ESCALATED", "note": "paging DBA"},
        headers=AUTH,
    )

    everything = (await client.get("/api/incidents")).json()
    by_kind = (
        await client.get("/api/incidents", params={"kind": "replica_lag"})
    ).json()
    escalated = (
        await client.get("/api/incidents", params={"status": "ESCALATED"})
    ).json()
    paged = (await client.get("/api/incidents", params={"limit": 1})).json()
    skipped = (
        await client.get("/api/incidents", params={"limit": 1, "offset": 1})
    ).json()
    open_only = (await client.get("/api/incidents", params={"open": "true"})).json()

    assert [item["id"] for item in everything["items"]][:2] == [
        second["id"],
        first["id"],
    ]
    assert [item["id"] for item in by_kind["items"]] == [second["id"]]
    assert [item["id"] for item in escalated["items"]] == [first["id"]]
    assert [item["id"] for item in paged["items"]] == [second["id"]]
    assert [item["id"] for item in skipped["items"]] == [first["id"]]
    assert paged["limit"] == 1
    assert skipped["offset"] == 1
    assert all(item["is_open"] for item in open_only["items"])
    assert "timeline" not in everything["items"][0]


async def test_list_names_invalid_filter(client):
    cases = {
        "limit": {"limit": "0"},
        "offset": {"offset": "-1"},
        "status": {"status": "ON_FIRE"},
        "open": {"open": "maybe"},
    }
    for field, params in cases.items():
        response = await client.get("/api/incidents", params=params)

        problem = assert_problem(response, 400)
        assert f"query parameter {field!r}" in problem["detail"], field


async def test_list_names_unknown_parameter(client):
    # A misspelt filter must not return every incident as if it matched.
    response = await client.get("/api/incidents", params={"stat": "OPEN", "open": "1"})

    problem = assert_problem(response, 400)
    assert "query parameter 'stat'" in problem["detail"]
    assert "it takes: kind, limit, offset, open, status" in problem["detail"]
    assert problem["errors"] == [
        {
            "source": "query",
            "field": "stat",
            "message": "not a parameter of this endpoint "
            "(it takes: kind, limit, offset, open, status)",
        }
    ]


async def test_parameter_on_endpoint_without_any(client):
    response = await client.get("/api/dashboard", params={"verbose": "1"})

    problem = assert_problem(response, 400)
    assert "(it takes: none)" in problem["detail"]


async def test_get_with_timeline(client):
    created = await report(client)

    response = await client.get(f"/api/incidents/{created['id']}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == created["id"]
    assert body["timeline"][0]["action"] == "reported"
    assert body["timeline"][0]["to_status"] == "DETECTED"


async def test_get_unknown_is_404(client):
    response = await client.get("/api/incidents/999999")

    body = assert_problem(response, 404)
    assert body["detail"] == "incident 999999 not found"
    assert body["type"].endswith("incident-not-found")


async def test_get_invalid_id_is_400(client):
    response = await client.get("/api/incidents/0")

    body = assert_problem(response, 400)
    assert "path parameter 'incident_id'" in body["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/incidents/abc"),
        ("GET", "/api/incidents/1.5"),
        ("GET", "/api/incidents/abc/postmortem"),
        ("PATCH", "/api/incidents/abc"),
        ("POST", "/api/incidents/abc/remediate"),
    ],
)
async def test_non_integer_id_is_400(client, method, path):
    response = await client.request(method, path, json={}, headers=AUTH)

    body = assert_problem(response, 400)
    assert body["type"].endswith("invalid-request")
    assert "path parameter 'incident_id'" in body["detail"]
    assert "Expected `int`" in body["detail"]
    assert body["errors"][0]["source"] == "path"


async def test_patch_moves_through_states(client):
    created = await report(client)
    path = f"/api/incidents/{created['id']}"

    steps = ["INVESTIGATING", "REMEDIATING", "RESOLVED"]
    bodies = []
    for status in steps:
        response = await client.patch(
            path,
            json={"status": status, "note": f"now {status.lower()}"},
            headers={**AUTH, "X-Warroom-Actor": "dana"},
        )
        assert response.status_code == 200, response.text
        bodies.append(response.json())

    assert [body["status"] for body in bodies] == steps
    final = bodies[-1]
    assert final["is_open"] is False
    assert final["resolved_at"] is not None
    assert final["allowed_transitions"] == []
    changes = [entry for entry in final["timeline"] if entry["to_status"]]
    assert [entry["actor"] for entry in changes[1:]] == ["dana"] * 3
    assert changes[-1]["message"] == "now resolved"


async def test_patch_forbidden_transition_is_409(client):
    created = await report(client)

    response = await client.patch(
        f"/api/incidents/{created['id']}", json={"status": "RESOLVED"}, headers=AUTH
    )

    body = assert_problem(response, 409)
    assert body["detail"] == (
        f"incident {created['id']} cannot move from DETECTED to RESOLVED; "
        "allowed from DETECTED: ESCALATED, INVESTIGATING"
    )
    assert body["current_status"] == "DETECTED"
    assert body["allowed_statuses"] == ["ESCALATED", "INVESTIGATING"]


async def test_patch_unknown_status_is_400(client):
    created = await report(client)

    response = await client.patch(
        f"/api/incidents/{created['id']}", json={"status": "DONE"}, headers=AUTH
    )

    body = assert_problem(response, 400)
    assert "body field 'status'" in body["detail"]


async def test_patch_unknown_incident_is_404(client):
    response = await client.patch(
        "/api/incidents/424242", json={"status": "ESCALATED"}, headers=AUTH
    )

    assert_problem(response, 404)


async def test_patch_needs_token(client):
    created = await report(client)

    response = await client.patch(
        f"/api/incidents/{created['id']}", json={"status": "ESCALATED"}
    )

    assert_problem(response, 401)


async def test_remediate_dry_run(client):
    created = await report(client, {"kind": "deadlock", "title": "deadlock seen"})

    response = await client.post(
        f"/api/incidents/{created['id']}/remediate",
        json={"dry_run": True},
        headers=AUTH,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["incident_id"] == created["id"]
    assert body["action"] == "acknowledge"
    assert body["dry_run"] is True
    assert body["succeeded"] is True
    detail = (await client.get(f"/api/incidents/{created['id']}")).json()
    assert detail["status"] == "DETECTED"
    assert detail["timeline"][-1]["action"] == "remediation (dry run): acknowledge"


async def test_remediate_unknown_field_is_400(client, engine):
    created = await report(client)

    # A misspelt dry_run must not fall back to a real run.
    response = await client.post(
        f"/api/incidents/{created['id']}/remediate",
        json={"dryrun": True},
        headers=AUTH,
    )

    body = assert_problem(response, 400)
    assert "dryrun" in body["detail"]
    assert engine.get_incident(created["id"]).status == "DETECTED"


async def test_remediate_without_dry_run_follows_config(client, engine):
    created = await report(client, {"kind": "deadlock", "title": "deadlock seen"})
    engine.config.warroom.remediation.dry_run = True

    response = await client.post(
        f"/api/incidents/{created['id']}/remediate", json={}, headers=AUTH
    )

    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert engine.get_incident(created["id"]).status == "DETECTED"


async def test_remediate_unknown_incident_is_404(client):
    response = await client.post(
        "/api/incidents/31337/remediate", json={"dry_run": True}, headers=AUTH
    )

    assert_problem(response, 404)


async def test_remediate_resolved_is_409(client, engine):
    created = await report(client)
    for status in ("INVESTIGATING", "REMEDIATING", "RESOLVED"):
        engine.transition(created["id"], status, "test")

    response = await client.post(
        f"/api/incidents/{created['id']}/remediate",
        json={"dry_run": False},
        headers=AUTH,
    )

    body = assert_problem(response, 409)
    assert "cannot move from RESOLVED" in body["detail"]


async def test_postmortem_open_is_409(client):
    created = await report(client)

    response = await client.get(f"/api/incidents/{created['id']}/postmortem")

    body = assert_problem(response, 409)
    assert "written when it resolves" in body["detail"]


async def test_postmortem_unknown_is_404(client):
    response = await client.get("/api/incidents/777777/postmortem")

    assert_problem(response, 404)


async def test_postmortem_json_and_markdown(client, engine):
    created = await report(client)
    for status in ("INVESTIGATING", "REMEDIATING", "RESOLVED"):
        engine.transition(created["id"], status, "test")
    path = f"/api/incidents/{created['id']}/postmortem"

    as_json = await client.get(path)
    as_text = await client.get(path, headers={"Accept": "text/markdown"})
    preferred = await client.get(
        path, headers={"Accept": "application/json;q=0.5, text/markdown"}
    )

    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.json()["incident_id"] == created["id"]
    assert "Root cause" in as_json.json()["markdown"]
    assert as_text.status_code == 200
    assert as_text.headers["content-type"].startswith("text/markdown")
    assert as_text.text == as_json.json()["markdown"]
    assert preferred.headers["content-type"].startswith("text/markdown")


async def test_unknown_route_is_404(client):
    response = await client.get("/api/nowhere")

    assert_problem(response, 404)


async def test_unsupported_method_is_405(client):
    response = await client.delete("/api/incidents", headers=AUTH)

    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]
    assert "POST" in response.headers["allow"]
