"""The governance endpoints: catalog, PHI columns, classification, masked
export, PHI access log and lineage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from engine.config.models import WarroomConfig
from engine.service import Engine
from tests.api.conftest import AUTH, assert_problem
from tests.conftest import fast_config


@pytest.fixture
def config() -> WarroomConfig:
    config = fast_config()
    # Scans run only on request, so a test controls when they run.
    config.warroom.governance.scan_interval_seconds = 0
    return config


async def test_catalog_before_scan(client):
    response = await client.get("/api/governance/catalog")

    assert response.status_code == 200
    assert response.json() == {"scan": None, "columns": [], "changes": []}


async def test_scan_needs_token(client):
    response = await client.post("/api/governance/catalog/scan")

    assert_problem(response, 401)


async def test_scan_fills_catalog(client):
    scan = await client.post("/api/governance/catalog/scan", headers=AUTH)
    catalog = await client.get("/api/governance/catalog")

    assert scan.status_code == 200, scan.text
    assert scan.json()["tables"] >= 10
    columns = {
        (column["table"], column["column"]): column
        for column in catalog.json()["columns"]
    }
    member = columns[("healthcare.patients", "member_id")]
    assert member["detected_category"] == "member_id"
    assert member["classification"] == "member_id"
    assert columns[("healthcare.medications", "drug_name")]["detected_category"] is None
    assert catalog.json()["scan"]["id"] == scan.json()["id"]


async def test_phi_lists_patient_columns(client):
    await client.post("/api/governance/catalog/scan", headers=AUTH)

    response = await client.get("/api/governance/catalog/phi")

    body = response.json()
    patients = {
        column["column"]
        for column in body["columns"]
        if column["table"] == "healthcare.patients"
    }
    assert response.status_code == 200
    assert {"member_id", "first_name", "last_name", "date_of_birth"} <= patients
    assert "zip_code" in patients
    assert "gender" not in patients
    assert body["unclassified"] == 0


async def test_classify_records_actor(client):
    await client.post("/api/governance/catalog/scan", headers=AUTH)

    response = await client.post(
        "/api/governance/catalog/classify",
        json={"table": "healthcare.patients", "column": "state", "category": "none"},
        headers={**AUTH, "X-Warroom-Actor": "dana"},
    )

    assert response.status_code == 200, response.text
    assert response.json()["classification"] == "none"
    assert response.json()["classified_by"] == "dana"


async def test_classify_unknown_column(client):
    await client.post("/api/governance/catalog/scan", headers=AUTH)

    response = await client.post(
        "/api/governance/catalog/classify",
        json={"table": "healthcare.patients", "column": "shoe", "category": "none"},
        headers=AUTH,
    )

    assert_problem(response, 404)


async def test_classify_unknown_category(client):
    response = await client.post(
        "/api/governance/catalog/classify",
        json={"table": "healthcare.patients", "column": "state", "category": "x"},
        headers=AUTH,
    )

    assert_problem(response, 400)


async def test_mask_export_writes_file(client, engine: Engine):
    engine.config.warroom.governance.hash_secret = "api-test-mask-key"

    response = await client.post(
        "/api/governance/mask-export",
        json={"format": "csv", "path": "patients.csv"},
        headers=AUTH,
    )

    body = response.json()
    assert response.status_code == 200, response.text
    assert body["rows"] > 1000
    assert body["masked"]["member_id"] == "hash"
    written = engine.export_directory() / "patients.csv"
    assert written.stat().st_mode & 0o777 == 0o600
    assert body["path"] == str(written.resolve())
    assert written.read_text().startswith("patient_id,member_id,first_name")


async def test_unreadable_value_left_out(client, engine, database_url, caplog):
    engine.config.warroom.governance.hash_secret = "api-test-mask-key"
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE healthcare.patients SET date_of_birth = '19560-04-17' "
            "WHERE patient_id = 31"
        )

    response = await client.post(
        "/api/governance/mask-export",
        json={"format": "json", "path": "typo.json"},
        headers=AUTH,
    )

    body = assert_problem(response, 503)
    assert body["title"] == "Unreadable value"
    assert "after patient_id" in body["detail"]
    assert "date too large" in body["detail"]
    assert "19560" not in body["detail"]
    assert "19560" not in caplog.text
    assert not (engine.export_directory() / "typo.json").exists()


@pytest.mark.parametrize(
    "path",
    ["../escape.json", "/etc/escape.json", "../pgdata/x.json", "escape.csv"],
)
async def test_mask_export_rejects_path(client, engine: Engine, path: str):
    engine.config.warroom.governance.hash_secret = "api-test-mask-key"

    response = await client.post(
        "/api/governance/mask-export",
        json={"format": "json", "path": path},
        headers=AUTH,
    )

    body = assert_problem(response, 400)
    assert body["type"].endswith("export-path-invalid")


async def test_mask_export_path_before_secret(client, engine: Engine):
    engine.config.warroom.governance.hash_secret = None

    response = await client.post(
        "/api/governance/mask-export",
        json={"format": "csv", "path": "../pgdata/x.csv"},
        headers=AUTH,
    )

    body = assert_problem(response, 400)
    assert body["type"].endswith("export-path-invalid")
    assert "exports folder" in body["detail"]


async def test_mask_export_without_secret(client, engine: Engine):
    response = await client.post(
        "/api/governance/mask-export",
        json={"format": "csv", "path": "nokey.csv"},
        headers=AUTH,
    )

    body = assert_problem(response, 409)
    assert "WARROOM_MASK_SECRET" in body["detail"]
    assert not engine.export_directory().exists()


async def test_mask_export_needs_token(client):
    response = await client.post(
        "/api/governance/mask-export", json={"format": "csv", "path": "p.csv"}
    )

    assert_problem(response, 401)


async def test_access_endpoints(client, database_url: str):
    now = datetime.now(UTC)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("DELETE FROM healthcare.phi_access_log")
        for minutes, patient in ((3, 41), (2, 42), (1, 41)):
            connection.execute(
                "INSERT INTO healthcare.phi_access_log (accessed_at, user_name, "
                "patient_id, access_type, purpose, application) "
                "VALUES (%s, 'api_auditor', %s, 'view', 'audit', 'test')",
                (now - timedelta(minutes=minutes), patient),
            )

    users = await client.get("/api/governance/access/users", params={"hours": 1})
    patients = await client.get("/api/governance/access/users/api_auditor/patients")
    readers = await client.get("/api/governance/access/patients/41")

    assert users.status_code == 200
    assert [(u["user_name"], u["reads"]) for u in users.json()] == [("api_auditor", 3)]
    assert [p["patient_id"] for p in patients.json()] == [41, 42]
    assert [r["user_name"] for r in readers.json()] == ["api_auditor"] * 2


async def test_access_rejects_zero_window(client):
    response = await client.get("/api/governance/access/users", params={"hours": 0})

    assert_problem(response, 400)


async def test_access_non_integer_patient_is_400(client):
    response = await client.get("/api/governance/access/patients/abc")

    body = assert_problem(response, 400)
    assert "path parameter 'patient_id'" in body["detail"]


async def test_lineage_has_note(client):
    response = await client.get("/api/governance/lineage")

    assert response.status_code == 200
    assert response.json()["rows"] == []
    assert "etl_lineage" in response.json()["note"]
