"""The claim ingestion pipeline on the real embedded PostgreSQL: valid staged
claims are loaded, invalid ones rejected with every reason, and a second run
of the batch changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from engine.targets.sqlfiles import script_path

COLUMNS = (
    "service_date",
    "prescription_id",
    "pharmacy_id",
    "patient_id",
    "ndc",
    "quantity",
    "days_supply",
    "ingredient_cost",
    "claim_status",
    "reject_code",
)


@pytest.fixture
def connection(database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(script_path("postgres", "etl").read_text())
        yield connection


def stage(connection, batch: str, rows: list[dict]) -> list[int]:
    ids = []
    for row in rows:
        values = [row.get(column) for column in COLUMNS]
        (staging_id,) = connection.execute(
            f"INSERT INTO healthcare.claims_staging (batch_id, {', '.join(COLUMNS)})"
            f" VALUES (%s, {', '.join(['%s'] * len(COLUMNS))}) RETURNING staging_id",
            [batch, *values],
        ).fetchone()
        ids.append(staging_id)
    return ids


def good_claim(connection) -> dict:
    prescription, patient, ndc = connection.execute(
        "SELECT r.prescription_id, r.patient_id, m.ndc"
        " FROM healthcare.prescriptions AS r"
        " JOIN healthcare.medications AS m USING (medication_id)"
        " ORDER BY r.prescription_id LIMIT 1"
    ).fetchone()
    return {
        "service_date": (date.today() - timedelta(days=3)).isoformat(),
        "prescription_id": str(prescription),
        "pharmacy_id": "1",
        "patient_id": str(patient),
        "ndc": ndc,
        "quantity": "30",
        "days_supply": "30",
        "ingredient_cost": "12.50",
        "claim_status": "paid",
    }


def run(connection, batch: str) -> None:
    connection.execute("CALL healthcare.etl_claim_ingestion(%s)", [batch])


def test_ingestion_keeps_every_reject_reason(connection):
    good = good_claim(connection)
    rejected = good | {"claim_status": "rejected", "reject_code": "75"}
    bad = good | {
        "service_date": "2026-02-30",
        "ndc": "1234",
        "quantity": "5000",
        "patient_id": "999999999",
    }
    no_code = good | {"claim_status": "rejected"}
    ids = stage(connection, "b1", [good, rejected, bad, no_code])
    before = connection.execute(
        "SELECT count(*) FROM healthcare.pharmacy_claims"
    ).fetchone()[0]

    run(connection, "b1")

    claims = connection.execute(
        "SELECT s.staging_id, c.claim_status, c.reject_code, c.quantity"
        " FROM healthcare.claims_staging AS s"
        " JOIN healthcare.pharmacy_claims AS c USING (claim_id)"
        " ORDER BY s.staging_id"
    ).fetchall()
    rejects = dict(
        connection.execute(
            "SELECT staging_id, reasons FROM healthcare.claims_rejects"
        ).fetchall()
    )
    after = connection.execute(
        "SELECT count(*) FROM healthcare.pharmacy_claims"
    ).fetchone()[0]
    assert [row[:3] for row in claims] == [
        (ids[0], "paid", None),
        (ids[1], "rejected", "75"),
    ]
    assert after == before + 2
    assert rejects[ids[2]] == [
        "service_date '2026-02-30' is not a date (YYYY-MM-DD)",
        "patient '999999999' not found",
        "NDC '1234' is not 11 digits",
        "quantity missing or outside 1 to 1,000",
    ]
    assert rejects[ids[3]] == [
        "a reject code goes with a rejected claim, and only with one"
    ]


def test_implausible_dates_and_codes_rejected(connection):
    good = good_claim(connection)
    old = (date.today() - timedelta(days=366)).isoformat()
    rows = [
        good | {"service_date": "epoch"},
        good | {"service_date": "-infinity"},
        good | {"service_date": "today"},
        good | {"service_date": old},
        good | {"claim_status": "rejected", "reject_code": "ABCD"},
        good | {"claim_status": "rejected", "reject_code": "m4"},
        good | {"claim_status": "rejected", "reject_code": "M4"},
    ]
    ids = stage(connection, "b3", rows)

    run(connection, "b3")

    rejects = dict(
        connection.execute(
            "SELECT staging_id, reasons FROM healthcare.claims_rejects"
        ).fetchall()
    )
    assert rejects[ids[0]] == ["service_date 'epoch' is not a date (YYYY-MM-DD)"]
    assert rejects[ids[1]] == ["service_date '-infinity' is not a date (YYYY-MM-DD)"]
    assert rejects[ids[2]] == ["service_date 'today' is not a date (YYYY-MM-DD)"]
    assert rejects[ids[3]] == [
        f"service_date {old} is more than 365 days ago, past the timely filing limit"
    ]
    assert rejects[ids[4]] == ["reject code 'ABCD' is not 1 to 3 letters or digits"]
    assert rejects[ids[5]] == ["reject code 'm4' is not 1 to 3 letters or digits"]
    assert ids[6] not in rejects


def test_second_run_changes_nothing(connection):
    good = good_claim(connection)
    stage(connection, "b2", [good, good | {"ndc": None}])
    run(connection, "b2")
    counts = connection.execute(
        "SELECT (SELECT count(*) FROM healthcare.pharmacy_claims),"
        " (SELECT count(*) FROM healthcare.claims_rejects)"
    ).fetchone()

    run(connection, "b2")

    again = connection.execute(
        "SELECT (SELECT count(*) FROM healthcare.pharmacy_claims),"
        " (SELECT count(*) FROM healthcare.claims_rejects)"
    ).fetchone()
    lineage = connection.execute(
        "SELECT rows_read, rows_written, rows_rejected FROM healthcare.etl_lineage"
        " WHERE pipeline = 'claim_ingestion' ORDER BY run_id"
    ).fetchall()
    assert again == counts
    assert lineage == [(2, 1, 1), (0, 0, 0)]


async def test_job_loads_every_staged_batch(engine, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(script_path("postgres", "etl").read_text())
        good = good_claim(connection)
        stage(connection, "first", [good])
        stage(connection, "second", [good, good | {"quantity": "0"}])

    record, task = engine.jobs.runner.trigger("etl_claims_daily", "test")
    await task
    again, task = engine.jobs.runner.trigger("etl_claims_daily", "test")
    await task

    assert record.status == "succeeded", record.error
    assert record.rows == 2
    assert record.detail == (
        "2 batch(es): 2 claim(s) loaded, 1 rejected (see healthcare.claims_rejects)"
    )
    assert again.detail == "no staged claims to load"


async def test_failed_batch_leaves_later_ones_loaded(engine, database_url):
    # A trigger makes the insert fail in a way the checks do not foresee.
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(script_path("postgres", "etl").read_text())
        connection.execute(
            "CREATE FUNCTION pg_temp_fail() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'disk full on the claims volume'; END $$;"
            " CREATE TRIGGER fail_777 BEFORE INSERT ON healthcare.pharmacy_claims"
            " FOR EACH ROW WHEN (NEW.quantity = 777) EXECUTE FUNCTION pg_temp_fail()"
        )
        good = good_claim(connection)
        failing = stage(connection, "b-first", [good, good | {"quantity": "777"}])
        stage(connection, "b-second", [good])

    record, task = engine.jobs.runner.trigger("etl_claims_daily", "test")
    await task

    with psycopg.connect(database_url) as connection:
        staged = connection.execute(
            "SELECT batch_id, processed_at IS NOT NULL FROM healthcare.claims_staging"
            " ORDER BY staging_id"
        ).fetchall()
    assert record.status == "failed"
    assert record.error.startswith(
        "1 claim batch(es) not loaded, still staged: batch b-first: "
        "disk full on the claims volume. 1 batch(es): 1 claim(s) loaded"
    )
    assert len(failing) == 2
    assert staged == [("b-first", False), ("b-first", False), ("b-second", True)]
