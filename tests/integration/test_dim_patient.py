"""The patient dimension (type 2) on the real embedded PostgreSQL: a changed
address closes the current row and opens one new one, once."""

from __future__ import annotations

import psycopg
import pytest

from engine.targets.sqlfiles import script_path


@pytest.fixture
def connection(database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(script_path("postgres", "etl").read_text())
        yield connection


def run(connection) -> None:
    connection.execute("CALL healthcare.etl_dim_patient()")


def versions(connection, patient_id: int):
    return connection.execute(
        "SELECT zip_code, state, is_current, valid_to IS NULL"
        " FROM healthcare.dim_patient WHERE patient_id = %s ORDER BY patient_key",
        [patient_id],
    ).fetchall()


def count(connection, where: str = "true") -> int:
    return connection.execute(
        f"SELECT count(*) FROM healthcare.dim_patient WHERE {where}"
    ).fetchone()[0]


def test_address_change_adds_one_version(connection):
    run(connection)
    patients = connection.execute("SELECT count(*) FROM healthcare.patients").fetchone()
    (patient_id, zip_code, state) = connection.execute(
        "SELECT patient_id, zip_code, state FROM healthcare.patients"
        " ORDER BY patient_id LIMIT 1"
    ).fetchone()
    connection.execute(
        "UPDATE healthcare.patients SET zip_code = '99501', state = 'AK'"
        " WHERE patient_id = %s",
        [patient_id],
    )

    run(connection)
    run(connection)

    assert versions(connection, patient_id) == [
        (zip_code, state, False, False),
        ("99501", "AK", True, True),
    ]
    assert count(connection) == patients[0] + 1
    assert count(connection, "is_current") == patients[0]
    lineage = connection.execute(
        "SELECT rows_written FROM healthcare.etl_lineage"
        " WHERE pipeline = 'dim_patient' ORDER BY run_id"
    ).fetchall()
    assert lineage == [(patients[0],), (2,), (0,)]


def test_member_id_cleared_is_a_change(connection):
    (patient_id,) = connection.execute(
        "INSERT INTO healthcare.patients (member_id, first_name, last_name,"
        " date_of_birth, gender, zip_code, state)"
        " VALUES ('M1', 'Ann', 'Lee', NULL, 'F', '10001', 'NY') RETURNING patient_id"
    ).fetchone()
    run(connection)
    connection.execute(
        "UPDATE healthcare.patients SET member_id = NULL, date_of_birth = NULL"
        " WHERE patient_id = %s",
        [patient_id],
    )

    run(connection)

    assert len(versions(connection, patient_id)) == 2
    (band,) = connection.execute(
        "SELECT age_band FROM healthcare.dim_patient WHERE patient_id = %s"
        " AND is_current",
        [patient_id],
    ).fetchone()
    assert band == "unknown"


async def test_job_loads_the_dimension(engine, database_url):
    record, task = engine.jobs.runner.trigger("etl_dim_patient", "test")
    await task
    again, task = engine.jobs.runner.trigger("etl_dim_patient", "test")
    await task

    with psycopg.connect(database_url) as connection:
        (patients,) = connection.execute(
            "SELECT count(*) FROM healthcare.patients"
        ).fetchone()
    assert record.status == "succeeded", record.error
    assert record.rows == patients
    assert again.rows == 0
    assert again.detail.startswith(f"read {patients} patient(s), wrote 0 ")
