"""The patient adherence pipeline (PDC) on worked cases derived from its
definition, on the real embedded PostgreSQL.

Period 2026-01-01 to 2026-06-30: 181 days. Only paid fills dated in the
period count, and the index date is the first of them. An early refill of
the same drug starts when the supply before it ends. Days covered twice
count once, and supply past the period end is cut. A treatment period under
91 days is excluded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import psycopg
import pytest

from engine.targets.sqlfiles import script_path

START, END = date(2026, 1, 1), date(2026, 6, 30)


def install(connection) -> None:
    connection.execute(script_path("postgres", "etl").read_text())


def two_drugs_of_one_class(connection) -> tuple[str, str, str]:
    """Return a drug class and the NDCs of two different drugs in it."""
    return connection.execute(
        "SELECT a.drug_class, a.ndc, b.ndc FROM healthcare.medications AS a"
        " JOIN healthcare.medications AS b"
        "   ON b.drug_class = a.drug_class AND b.drug_name <> a.drug_name"
        " ORDER BY a.medication_id, b.medication_id LIMIT 1"
    ).fetchone()


def add_patient(connection, fills) -> int:
    """Add a patient with paid fills of (ndc, service date, days supply)."""
    (patient_id,) = connection.execute(
        "INSERT INTO healthcare.patients (member_id, first_name, last_name,"
        " date_of_birth, gender, zip_code, state)"
        " VALUES ('PDC' || nextval(pg_get_serial_sequence("
        "   'healthcare.patients', 'patient_id')), 'Worked', 'Case',"
        "   '1960-01-01', 'F', '10001', 'NY') RETURNING patient_id"
    ).fetchone()
    for ndc, served, supply in fills:
        connection.execute(
            "INSERT INTO healthcare.pharmacy_claims (service_date, prescription_id,"
            " pharmacy_id, patient_id, ndc, quantity, days_supply, ingredient_cost,"
            " claim_status) VALUES (%s, 1, 1, %s, %s, %s, %s, 10, 'paid')",
            [served, patient_id, ndc, supply, supply],
        )
    return patient_id


@pytest.fixture
def connection(database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        install(connection)
        yield connection


def adherence(connection, patient_id: int):
    return connection.execute(
        "SELECT drug_class, index_date, treatment_days, covered_days, pdc"
        " FROM healthcare.patient_adherence WHERE patient_id = %s"
        " AND period_start = %s AND period_end = %s",
        [patient_id, START, END],
    ).fetchall()


def run(connection) -> None:
    connection.execute("CALL healthcare.etl_patient_adherence(%s, %s)", [START, END])


def test_worked_cases(connection):
    drug_class, first, second = two_drugs_of_one_class(connection)
    d = date
    # Early refill on Jan 21 starts Jan 31, the Mar 1 fill starts Mar 2:
    # Jan 1 to Mar 31 covered, 90 days of 181.
    overlapping = add_patient(
        connection,
        [
            (first, d(2026, 1, 1), 30),
            (first, d(2026, 1, 21), 30),
            (first, d(2026, 3, 1), 30),
        ],
    )
    # The December fill is before the period and does not count; the index
    # date is Feb 1 (150 days), and 60 of them are covered.
    before_period = add_patient(
        connection,
        [
            (first, d(2025, 12, 15), 60),
            (first, d(2026, 2, 1), 30),
            (first, d(2026, 3, 3), 30),
        ],
    )
    # 90 + 90 days from Jan 1 reach Jun 29; the Jun 15 refill starts Jun 30
    # and is cut at the period end after one day: all 181 days covered.
    past_end = add_patient(
        connection,
        [
            (first, d(2026, 1, 1), 90),
            (first, d(2026, 4, 1), 90),
            (first, d(2026, 6, 15), 90),
        ],
    )
    # First fill May 1: a 61-day treatment period is excluded.
    late_start = add_patient(
        connection, [(first, d(2026, 5, 1), 30), (first, d(2026, 6, 1), 30)]
    )
    # A switch to another drug of the class is not shifted: Jan 1 to Mar 1
    # and Feb 15 to Apr 15 cover Jan 1 to Apr 15 once, 105 days.
    switch = add_patient(
        connection, [(first, d(2026, 1, 1), 60), (second, d(2026, 2, 15), 60)]
    )

    run(connection)

    assert adherence(connection, overlapping) == [
        (drug_class, d(2026, 1, 1), 181, 90, Decimal("0.4972"))
    ]
    assert adherence(connection, before_period) == [
        (drug_class, d(2026, 2, 1), 150, 60, Decimal("0.4000"))
    ]
    assert adherence(connection, past_end) == [
        (drug_class, d(2026, 1, 1), 181, 181, Decimal("1.0000"))
    ]
    assert adherence(connection, late_start) == []
    assert adherence(connection, switch) == [
        (drug_class, d(2026, 1, 1), 181, 105, Decimal("0.5801"))
    ]


def test_second_run_changes_nothing(connection):
    _, first, _ = two_drugs_of_one_class(connection)
    patient = add_patient(
        connection, [(first, date(2026, 1, 1), 30), (first, date(2026, 3, 1), 30)]
    )
    run(connection)
    before = connection.execute(
        "SELECT *, xmin::text FROM healthcare.patient_adherence WHERE patient_id = %s",
        [patient],
    ).fetchall()

    run(connection)

    after = connection.execute(
        "SELECT *, xmin::text FROM healthcare.patient_adherence WHERE patient_id = %s",
        [patient],
    ).fetchall()
    lineage = connection.execute(
        "SELECT rows_written, rows_rejected FROM healthcare.etl_lineage"
        " WHERE pipeline = 'patient_adherence' ORDER BY run_id"
    ).fetchall()
    assert after == before
    assert lineage[-1] == (0, 0)
    assert lineage[0][0] >= 1


def test_reversed_fill_no_longer_counts(connection):
    _, first, _ = two_drugs_of_one_class(connection)
    patient = add_patient(
        connection, [(first, date(2026, 1, 1), 30), (first, date(2026, 2, 1), 30)]
    )
    run(connection)
    connection.execute(
        "UPDATE healthcare.pharmacy_claims SET claim_status = 'reversed'"
        " WHERE patient_id = %s AND service_date = '2026-02-01'",
        [patient],
    )

    run(connection)

    ((_, _, _, covered, _),) = adherence(connection, patient)
    assert covered == 30


def test_claim_without_medication_rejected(connection):
    _, first, _ = two_drugs_of_one_class(connection)
    patient = add_patient(
        connection, [(first, date(2026, 1, 1), 30), (first, date(2026, 3, 1), 30)]
    )
    # A third paid fill whose NDC is not a medication, which only
    # session_replication_role = replica lets past the foreign key.
    connection.execute("SET session_replication_role = replica")
    add_fill = (
        "INSERT INTO healthcare.pharmacy_claims (service_date, prescription_id,"
        " pharmacy_id, patient_id, ndc, quantity, days_supply, ingredient_cost,"
        " claim_status) VALUES ('2026-05-01', 1, 1, %s, '99999999999', 30, 30,"
        " 10, 'paid')"
    )
    connection.execute(add_fill, [patient])
    connection.execute("SET session_replication_role = DEFAULT")
    (paid,) = connection.execute(
        "SELECT count(*) FROM healthcare.pharmacy_claims"
        " WHERE claim_status = 'paid' AND service_date BETWEEN %s AND %s",
        [START, END],
    ).fetchone()

    run(connection)

    lineage = connection.execute(
        "SELECT rows_read, rows_rejected FROM healthcare.etl_lineage"
        " WHERE pipeline = 'patient_adherence' ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    ((_, _, _, covered, _),) = adherence(connection, patient)
    assert lineage == (paid, 1)
    assert covered == 60


async def test_job_installs_and_runs_the_pipeline(engine, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        _, first, _ = two_drugs_of_one_class(connection)
        today = datetime.now(UTC).date()
        patient = add_patient(
            connection,
            [
                (first, date.fromordinal(today.toordinal() - 120), 60),
                (first, date.fromordinal(today.toordinal() - 60), 30),
            ],
        )

    record, task = engine.jobs.runner.trigger("etl_adherence", "test")
    await task

    assert record.status == "succeeded", record.error
    assert record.rows >= 1
    assert "adherence row(s)" in record.detail
    with psycopg.connect(database_url) as connection:
        (covered, treatment) = connection.execute(
            "SELECT covered_days, treatment_days FROM healthcare.patient_adherence"
            " WHERE patient_id = %s",
            [patient],
        ).fetchone()
    assert (covered, treatment) == (90, 121)
