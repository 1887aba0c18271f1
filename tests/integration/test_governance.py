"""Catalog scan, PHI findings, masked export, PHI access log and lineage
against the embedded PostgreSQL with the demo data."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from engine.config.models import WarroomConfig
from engine.governance import export_order
from engine.governance.export import ExportPathError
from engine.governance.masking import MaskingError, MissingHashSecret
from engine.incidents.models import Status
from engine.monitor.findings import FindingKind
from engine.service import Engine
from engine.store.governance import FIRST_SCAN_ACTOR, ColumnNotFound
from tests.conftest import execute_apart, fast_config

SECRET = "integration-test-mask-key"
HEX_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@pytest.fixture
def config() -> WarroomConfig:
    config = fast_config()
    # Scans run only on request, so none runs between a test's two scans.
    config.warroom.governance.scan_interval_seconds = 0
    config.warroom.governance.hash_secret = SECRET
    config.warroom.governance.export_batch_rows = 700
    return config


def entries_by_column(engine: Engine, table: str) -> dict:
    schema, name = table.split(".")
    return {
        entry.column.column_name: entry
        for entry in engine.catalog()
        if (entry.column.table_schema, entry.column.table_name) == (schema, name)
    }


def patients(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT patient_id, first_name, last_name, date_of_birth, member_id, "
            "zip_code FROM healthcare.patients ORDER BY patient_id"
        ).fetchall()


async def test_scan_classifies_patients(engine: Engine):
    record = await engine.scan_catalog("test")

    columns = entries_by_column(engine, "healthcare.patients")
    categories = {name: entry.column.category for name, entry in columns.items()}
    assert record.tables >= 10
    assert record.scanned_at <= datetime.now(UTC)
    assert categories["first_name"] == "person_name"
    assert categories["last_name"] == "person_name"
    assert categories["date_of_birth"] == "date_of_birth"
    assert categories["member_id"] == "member_id"
    assert categories["zip_code"] == "zip_code"
    assert categories["gender"] is None
    assert categories["patient_id"] is None
    assert "sampled values fit" in columns["zip_code"].column.reason


async def test_poll_starts_scheduled_scan(engine: Engine):
    engine.config.warroom.governance.scan_interval_seconds = 3600

    await engine.poll_once()

    await _wait_for_scan(engine)
    assert engine.last_catalog_scan() is not None


async def _wait_for_scan(engine: Engine) -> None:
    for _ in range(100):
        if engine.last_catalog_scan() is not None:
            return
        await asyncio.sleep(0.1)


async def test_scan_skips_drug_name(engine: Engine):
    await engine.scan_catalog("test")

    medications = entries_by_column(engine, "healthcare.medications")

    assert medications["drug_name"].column.category is None


async def test_first_scan_accepts_detections(engine: Engine):
    # Without the shipped list, only the first scan's acceptance classifies.
    engine.config.warroom.governance.classifications = {}

    await engine.scan_catalog("test")

    columns = entries_by_column(engine, "healthcare.patients")

    assert columns["member_id"].classification == "member_id"
    assert columns["member_id"].classified_by == FIRST_SCAN_ACTOR
    assert engine.governance.findings == ()
    assert engine.catalog_changes() == []


async def test_scan_skips_partitions(engine: Engine):
    await engine.scan_catalog("test")

    tables = {entry.column.table_name for entry in engine.catalog()}

    assert "pharmacy_claims" in tables
    assert not any(name.startswith("pharmacy_claims_2") for name in tables)


PATIENT_ROSTER = (
    "CREATE MATERIALIZED VIEW healthcare.mv_patient_roster AS SELECT patient_id, "
    "member_id, first_name, last_name, date_of_birth, zip_code "
    "FROM healthcare.patients"
)
ROSTER_PHI = ["date_of_birth", "first_name", "last_name", "member_id", "zip_code"]


async def test_materialized_view_phi_opens_incidents(engine: Engine, database_url: str):
    first = await engine.scan_catalog("test")
    await execute_apart(database_url, PATIENT_ROSTER)

    record = await engine.scan_catalog("test")
    await engine.poll_once()

    columns = entries_by_column(engine, "healthcare.mv_patient_roster")
    source = entries_by_column(engine, "healthcare.patients")
    keys = sorted(finding.dedup_key for finding in engine.governance.findings)
    incidents = engine.list_incidents(kind=str(FindingKind.GOVERNANCE))
    assert list(columns) == [
        "patient_id",
        "member_id",
        "first_name",
        "last_name",
        "date_of_birth",
        "zip_code",
    ]
    assert {entry.column.table_type for entry in columns.values()} == {
        "MATERIALIZED VIEW"
    }
    assert [entry.column.ordinal for entry in columns.values()] == [1, 2, 3, 4, 5, 6]
    for name, entry in columns.items():
        assert entry.column.data_type == source[name].column.data_type, name
    assert record.added == 6
    assert record.sample_errors == {}
    assert record.sampled_tables == first.sampled_tables + 1
    # The reason mentions sampled values only when the view's rows were read.
    assert "sampled values fit" in (columns["zip_code"].column.reason or "")
    assert keys == [f"governance:healthcare.mv_patient_roster.{n}" for n in ROSTER_PHI]
    assert sorted(incident.dedup_key for incident in incidents) == keys


async def test_unpopulated_materialized_view_scanned(engine: Engine, database_url: str):
    first = await engine.scan_catalog("test")
    await execute_apart(database_url, PATIENT_ROSTER + " WITH NO DATA")

    record = await engine.scan_catalog("test")

    columns = entries_by_column(engine, "healthcare.mv_patient_roster")
    patients = entries_by_column(engine, "healthcare.patients")
    assert record.added == 6
    assert record.sample_errors == {}
    assert record.sampled_tables == first.sampled_tables
    # With no values the names alone classify the view's columns.
    assert columns["first_name"].column.category == "person_name"
    assert (columns["zip_code"].column.reason or "").endswith("no values sampled")
    # The tables after it in the scan are still sampled.
    assert "sampled values fit" in (patients["zip_code"].column.reason or "")


async def test_scan_lists_claims_by_drug_class(engine: Engine):
    await engine.target.run_script("etl")
    await engine.target.run_script("warehouse")

    await engine.scan_catalog("test")

    columns = entries_by_column(engine, "healthcare.claims_by_drug_class")
    tables = {entry.column.table_name for entry in engine.catalog()}
    assert list(columns) == [
        "drug_class",
        "calendar_year",
        "calendar_month",
        "claim_status",
        "claims",
        "quantity",
        "days_supply",
        "ingredient_cost",
        "plan_paid",
    ]
    assert columns["claims"].column.table_type == "MATERIALIZED VIEW"
    assert columns["claims"].column.data_type == "bigint"
    assert "fact_pharmacy_claims" in tables
    assert not any(name.startswith("fact_pharmacy_claims_") for name in tables)


async def test_new_phi_column_opens_incident(engine: Engine, database_url: str):
    await engine.scan_catalog("test")
    await execute_apart(
        database_url,
        "ALTER TABLE healthcare.patients ADD COLUMN patient_ssn text",
        "UPDATE healthcare.patients SET patient_ssn = "
        "lpad((100 + patient_id % 600)::text, 3, '0') || '-45-' || "
        "lpad((1000 + patient_id)::text, 4, '0')",
        "ALTER TABLE healthcare.patients DROP COLUMN state",
    )

    record = await engine.scan_catalog("test")
    await engine.poll_once()

    changes = {(c.change, c.column_name) for c in engine.catalog_changes()}
    assert record.added == 1
    assert record.dropped == 1
    assert changes == {("added", "patient_ssn"), ("dropped", "state")}
    keys = [finding.dedup_key for finding in engine.governance.findings]
    assert keys == ["governance:healthcare.patients.patient_ssn"]
    incidents = engine.list_incidents(kind=str(FindingKind.GOVERNANCE))
    assert [incident.dedup_key for incident in incidents] == keys
    assert incidents[0].status is Status.DETECTED


async def test_quarantined_patients_are_phi(engine: Engine, database_url: str):
    await engine.scan_catalog("test")
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO public.warroom_quarantine"
            " (source_table, row_key, row_data, reason)"
            " SELECT 'healthcare.patients', jsonb_build_object('patient_id',"
            " patient_id), to_jsonb(p), 'test' FROM healthcare.patients AS p"
            " ORDER BY patient_id LIMIT 6"
        )

    await engine.scan_catalog("test")

    column = entries_by_column(engine, "public.warroom_quarantine")["row_data"].column
    keys = [finding.dedup_key for finding in engine.governance.findings]
    assert column.category == "member_id", column.reason
    assert "'date_of_birth' (date of birth)" in (column.reason or "")
    assert keys == ["governance:public.warroom_quarantine.row_data"]


async def test_scan_keeps_contradicted_reason(engine: Engine, database_url: str):
    await execute_apart(
        database_url,
        "ALTER TABLE healthcare.patients ADD COLUMN dob_verified text",
        "UPDATE healthcare.patients SET dob_verified = "
        "CASE WHEN patient_id % 2 = 0 THEN 'yes' ELSE 'no' END",
    )

    await engine.scan_catalog("test")

    column = entries_by_column(engine, "healthcare.patients")["dob_verified"].column
    assert column.category is None
    assert column.confidence is None
    assert "so the name is not trusted" in (column.reason or "")
    assert engine.governance.findings == ()


async def test_classifying_column_clears_finding(engine: Engine, database_url: str):
    await engine.scan_catalog("test")
    await execute_apart(
        database_url,
        "ALTER TABLE healthcare.patients ADD COLUMN contact_email text",
        "UPDATE healthcare.patients SET contact_email = "
        "'patient' || patient_id || '@example.org'",
    )
    await engine.scan_catalog("test")
    assert len(engine.governance.findings) == 1

    engine.classify_column("healthcare.patients", "contact_email", "email", "dana")

    entry = entries_by_column(engine, "healthcare.patients")["contact_email"]
    assert engine.governance.findings == ()
    assert entry.classification == "email"
    assert entry.classified_by == "dana"


async def open_governance_incident(engine: Engine, database_url: str) -> int:
    await engine.scan_catalog("test")
    await execute_apart(
        database_url, "ALTER TABLE healthcare.patients ADD COLUMN fax text"
    )
    await engine.scan_catalog("test")
    await engine.poll_once()
    incidents = engine.list_incidents(kind=str(FindingKind.GOVERNANCE))
    assert len(incidents) == 1
    return incidents[0].id


async def test_remediate_governance_then_classify(engine: Engine, database_url: str):
    incident_id = await open_governance_incident(engine, database_url)

    result = await engine.remediate(incident_id, "dana")
    remediating = engine.get_incident(incident_id)
    engine.classify_column("healthcare.patients", "fax", "phone", "dana")
    for _ in range(engine.config.warroom.incidents.clear_polls):
        await engine.poll_once()
    resolved = engine.get_incident(incident_id)

    assert result.action == "none"
    assert not result.succeeded
    assert "/api/governance/catalog/classify" in result.message
    assert remediating.status is Status.REMEDIATING
    messages = [entry.message for entry in remediating.timeline]
    assert "running none" not in messages
    assert "no automatic action; resolves once the condition clears" in messages
    assert resolved.status is Status.RESOLVED


def remediating_entry(incident):
    return next(
        entry for entry in incident.timeline if entry.to_status is Status.REMEDIATING
    )


async def test_remediate_without_action_like_cpu(engine: Engine, database_url: str):
    # Every kind without a playbook action takes the same path.
    governance_id = await open_governance_incident(engine, database_url)
    cpu_id = engine.create_incident("cpu", "CPU high", "dana").id

    for incident_id in (governance_id, cpu_id):
        await engine.remediate(incident_id, "dana")

    governance = engine.get_incident(governance_id)
    cpu = engine.get_incident(cpu_id)
    assert governance.status is Status.REMEDIATING
    assert cpu.status is Status.REMEDIATING
    assert governance.escalated_at is None
    assert cpu.escalated_at is None
    # The cpu incident was reported by hand, so no poll clears it.
    assert "resolves once the condition clears" in remediating_entry(governance).message
    assert "resolve it by hand once fixed" in remediating_entry(cpu).message
    assert "investigate by hand" in cpu.timeline[-1].message


async def test_classify_rejects_unknown_column(engine: Engine):
    await engine.scan_catalog("test")

    with pytest.raises(ColumnNotFound, match="no_such_column"):
        engine.classify_column("healthcare.patients", "no_such_column", "ssn", "dana")
    with pytest.raises(ValueError, match="unknown"):
        engine.classify_column("healthcare.patients", "state", "shoe_size", "dana")


def found_in(text: str, values: set[str]) -> set[str]:
    """Return the ``values`` that occur in ``text``.

    Every substring of ``text`` as long as some value is collected once, so
    thousands of values cost a few passes over the text, not one each.
    """
    found = set()
    for width in {len(value) for value in values}:
        pieces = {text[start : start + width] for start in range(len(text) - width + 1)}
        found |= pieces & values
    return found


def csv_records(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def json_records(path: Path) -> list[dict[str, str]]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("export_format", "reader"), [("csv", csv_records), ("json", json_records)]
)
async def test_masked_export_has_no_phi(
    engine: Engine, database_url: str, export_format: str, reader
):
    source = patients(database_url)

    result = await engine.export_masked_patients(
        export_format, f"patients.{export_format}", "test"
    )

    text = result.path.read_text(encoding="utf-8")
    records = reader(result.path)
    assert result.path.parent == engine.export_directory()
    assert result.path.stat().st_mode & 0o777 == 0o600
    assert engine.export_directory().stat().st_mode & 0o777 == 0o700
    assert result.rows == len(source) == len(records) > 1000
    # Names, dates of birth and member ids cannot occur by chance in a hex
    # digest or a timestamp, so the whole file is searched for them.
    assert found_in(text, {row[1] for row in source}) == set()
    assert found_in(text, {row[2] for row in source}) == set()
    assert found_in(text, {row[3].isoformat() for row in source}) == set()
    assert found_in(text, {row[4] for row in source}) == set()
    # A ZIP is five digits, which a hex digest or a timestamp's fraction of a
    # second can contain by chance, so those cells must differ from each ZIP
    # and every other cell must not contain one.
    zips = {row[5] for row in source}
    chance_cells = {"patient_id", "member_id", "created_at"}
    other_cells = []
    for record in records:
        for name, value in record.items():
            cell = "" if value is None else str(value)
            if name in chance_cells:
                assert cell not in zips, (name, cell)
            else:
                other_cells.append(cell)
    # A line break is no digit, so no ZIP spans two cells.
    assert found_in("\n".join(other_cells), zips) == set()


async def test_masked_export_masks_by_rule(engine: Engine, database_url: str):
    # The export writes each patient_id as its keyed hash.
    secret = SECRET.encode()
    source = {
        hmac.new(secret, str(row[0]).encode(), hashlib.sha256).hexdigest(): row
        for row in patients(database_url)
    }

    result = await engine.export_masked_patients("json", "rules.json", "test")

    records = json_records(result.path)
    first = records[0]
    _, _, _, born, member, zip_code = source[first["patient_id"]]
    assert first["first_name"] == "********"
    assert first["last_name"] == "********"
    assert first["date_of_birth"] == born.isoformat()[:4] + "******"
    assert first["zip_code"] == zip_code[:3] + "**"
    assert re.fullmatch(r"20\d\d\*+", first["created_at"])
    assert HEX_DIGEST.match(first["member_id"])
    # A bare SHA-256 of the member id would be reversible by guessing.
    assert first["member_id"] != hashlib.sha256(member.encode()).hexdigest()
    assert result.masked["member_id"] == "hash"
    assert result.masked["patient_id"] == "hash"


def exported_ids(database_url: str, records: list[dict]) -> list[int]:
    """Return the patient_id of each exported record, in file order, found
    through the keyed hash the export writes in its place."""
    secret = SECRET.encode()
    by_hash = {
        hmac.new(secret, str(row[0]).encode(), hashlib.sha256).hexdigest(): row[0]
        for row in patients(database_url)
    }
    return [by_hash[record["patient_id"]] for record in records]


def rank_correlation(ids: list[int]) -> float:
    """Return the Pearson correlation of file position and patient_id rank."""
    ranks = {patient: rank for rank, patient in enumerate(sorted(ids))}
    count = len(ids)
    mean = (count - 1) / 2
    spread = sum((position - mean) ** 2 for position in range(count))
    joint = sum(
        (position - mean) * (ranks[patient] - mean)
        for position, patient in enumerate(ids)
    )
    return joint / spread


async def test_export_order_hides_patient_id(engine: Engine, database_url: str):
    result = await engine.export_masked_patients("json", "order.json", "test")

    ids = exported_ids(database_url, json_records(result.path))
    assert sorted(ids) == sorted(row[0] for row in patients(database_url))
    assert abs(rank_correlation(ids)) < 0.1


async def test_export_sorts_in_runs(engine: Engine, database_url: str, monkeypatch):
    monkeypatch.setattr(export_order, "RUN_ROWS", 1000)

    first = await engine.export_masked_patients("csv", "runs1.csv", "test")
    second = await engine.export_masked_patients("csv", "runs2.csv", "test")

    ids = exported_ids(database_url, csv_records(first.path))
    again = exported_ids(database_url, csv_records(second.path))
    assert first.rows > 3000
    assert sorted(ids) == sorted(row[0] for row in patients(database_url))
    assert abs(rank_correlation(ids)) < 0.1
    # Each export draws its own order, so two files cannot be lined up.
    assert ids != again
    files = sorted(path.name for path in engine.export_directory().iterdir())
    assert files == ["runs1.csv", "runs2.csv"]


async def test_export_race_keeps_first_file(engine: Engine):
    # Both exports check the path before either has written it.
    outcomes = await asyncio.gather(
        engine.export_masked_patients("csv", "race.csv", "first"),
        engine.export_masked_patients("csv", "race.csv", "second"),
        return_exceptions=True,
    )

    errors = [item for item in outcomes if isinstance(item, ExportPathError)]
    finished = [item for item in outcomes if not isinstance(item, BaseException)]
    assert len(errors) == 1
    assert "created while the export ran" in str(errors[0])
    assert len(finished) == 1
    assert sorted(path.name for path in engine.export_directory().iterdir()) == [
        "race.csv"
    ]
    assert len(csv_records(finished[0].path)) == finished[0].rows


async def test_export_without_secret_rejected(engine: Engine):
    engine.config.warroom.governance.hash_secret = None

    with pytest.raises(MissingHashSecret, match="WARROOM_MASK_SECRET"):
        await engine.export_masked_patients("csv", "nokey.csv", "test")

    assert not engine.export_directory().exists()


@pytest.mark.parametrize(
    "path",
    ["../outside.csv", "/tmp/outside.csv", "../state.db", "../pgdata/x.csv", "", "."],
)
async def test_export_path_outside_rejected(engine: Engine, path: str):
    with pytest.raises(ExportPathError):
        await engine.export_masked_patients("csv", path, "test")


async def test_export_path_checked_before_secret(engine: Engine):
    engine.config.warroom.governance.hash_secret = None

    with pytest.raises(ExportPathError, match="does not end in .csv"):
        await engine.export_masked_patients("csv", "patients.json", "test")


async def test_export_path_through_symlink_rejected(engine: Engine, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    engine.export_directory().mkdir()
    (engine.export_directory() / "link").symlink_to(outside, target_is_directory=True)

    with pytest.raises(ExportPathError):
        await engine.export_masked_patients("csv", "link/patients.csv", "test")

    assert list(outside.iterdir()) == []


def log_reads(database_url: str, reads: list[tuple[str, int, timedelta]]) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("DELETE FROM healthcare.phi_access_log")
        for user, patient, ago in reads:
            connection.execute(
                "INSERT INTO healthcare.phi_access_log (accessed_at, user_name, "
                "patient_id, access_type, purpose, application) "
                "VALUES (%s, %s, %s, 'view', 'treatment', 'test')",
                (now - ago, user, patient),
            )


async def test_access_log_queries(engine: Engine, database_url: str):
    minutes = timedelta(minutes=1)
    log_reads(
        database_url,
        [
            ("ana", 1, 5 * minutes),
            ("ana", 1, 4 * minutes),
            ("ana", 2, 3 * minutes),
            ("ben", 1, 2 * minutes),
            ("ben", 3, timedelta(hours=30)),
        ],
    )

    by_user = await engine.phi_reads_by_user(hours=24)
    of_ana = await engine.phi_patients_of_user("ana", hours=24)
    of_patient = await engine.phi_readers_of_patient(1, hours=24)

    assert [(u.user_name, u.reads, u.patients) for u in by_user] == [
        ("ana", 3, 2),
        ("ben", 1, 1),
    ]
    assert [(p.patient_id, p.reads) for p in of_ana] == [(2, 1), (1, 2)]
    assert [read.user_name for read in of_patient] == ["ben", "ana", "ana"]
    assert of_patient[0].accessed_at.tzinfo is not None


async def test_access_window_includes_older_reads(engine: Engine, database_url: str):
    log_reads(database_url, [("ben", 3, timedelta(hours=30))])

    day = await engine.phi_reads_by_user(hours=24)
    two_days = await engine.phi_reads_by_user(hours=48)

    assert day == []
    assert [(u.user_name, u.patients) for u in two_days] == [("ben", 1)]


async def test_access_user_with_nul(engine: Engine):
    assert await engine.phi_patients_of_user("ana\x00", hours=24) == []


async def test_access_window_rejects_zero(engine: Engine):
    with pytest.raises(ValueError, match="window"):
        await engine.phi_reads_by_user(hours=0)


async def test_lineage_without_table(engine: Engine):
    report = await engine.lineage()

    assert report.rows == []
    assert "does not exist" in report.note


async def test_lineage_reads_runs(engine: Engine, database_url: str):
    await engine.target.run_script("etl")
    empty = await engine.lineage()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO healthcare.etl_lineage (pipeline, source, target, rows_read, "
            "rows_written, rows_rejected, started_at, ended_at, duration_ms) VALUES "
            "('patient_adherence', 'healthcare.pharmacy_claims', "
            "'healthcare.patient_adherence', 10, 8, 2, now(), now(), 12.5)"
        )

    report = await engine.lineage()

    assert empty.rows == []
    assert "empty" in empty.note
    assert [(r.pipeline, r.rows_read, r.rows_rejected) for r in report.rows] == [
        ("patient_adherence", 10, 2)
    ]


async def test_export_rejects_unmasked_phi(engine: Engine):
    await engine.scan_catalog("test")
    engine.classify_column("healthcare.patients", "gender", "person_name", "dana")

    with pytest.raises(MaskingError, match="gender are PHI"):
        await engine.export_masked_patients("csv", "gender.csv", "test")

    assert not (engine.export_directory() / "gender.csv").exists()


async def test_catalog_scan_job_scans_governance(engine: Engine):
    assert engine.last_catalog_scan() is None

    _, run = engine.jobs.runner.trigger("catalog_scan", "test")
    await run

    record = engine.last_catalog_scan()
    job_run = engine.job_history("catalog_scan", 1)[0]
    assert job_run.status == "succeeded", job_run.error
    assert record is not None
    assert job_run.detail.startswith(f"catalog scan {record.id}: ")
    assert "healthcare: " in job_run.detail
