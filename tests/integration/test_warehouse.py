"""The star schema on the real embedded PostgreSQL. The load fills every
dimension and the fact, and a second run writes nothing. Changes upstream
reach the dimensions and the materialized view, and each claim lands in the
partition of its service month."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from engine.etl import warehouse
from engine.targets.sqlfiles import script_path


@pytest.fixture
def connection(database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        for name in ("etl", "warehouse"):
            connection.execute(script_path("postgres", name).read_text())
        yield connection


def load(connection) -> dict[str, tuple[int, int]]:
    """Run the load, and return (rows read, rows written) of each step."""
    connection.execute("CALL healthcare.etl_warehouse()")
    rows = connection.execute(
        "SELECT DISTINCT ON (pipeline) pipeline, rows_read, rows_written"
        " FROM healthcare.etl_lineage ORDER BY pipeline, run_id DESC"
    ).fetchall()
    return {pipeline: (read, written) for pipeline, read, written in rows}


def count(connection, table: str) -> int:
    return connection.execute(f"SELECT count(*) FROM healthcare.{table}").fetchone()[0]


def test_load_fills_star_once(connection):
    first = load(connection)

    second = load(connection)

    claims = count(connection, "pharmacy_claims")
    for table, source in (
        ("dim_medication", "medications"),
        ("dim_pharmacy", "pharmacies"),
        ("dim_provider", "providers"),
        ("fact_pharmacy_claims", "pharmacy_claims"),
    ):
        assert count(connection, table) == count(connection, source), table
    assert first["fact_pharmacy_claims"] == (claims, claims)
    # The view is empty after the install, so the first refresh adds every row.
    view_rows = count(connection, "claims_by_drug_class")
    assert first["claims_by_drug_class"] == (claims, view_rows)
    assert last_lineage(connection, "claims_by_drug_class")[2] == 0
    (days,) = connection.execute(
        "SELECT make_date(max(extract(year FROM service_date))::int, 12, 31)"
        " - make_date(min(extract(year FROM service_date))::int, 1, 1) + 1"
        " FROM healthcare.pharmacy_claims"
    ).fetchone()
    assert count(connection, "dim_date") == days
    (current_patients,) = connection.execute(
        "SELECT count(*) FROM healthcare.dim_patient WHERE is_current"
    ).fetchone()
    assert current_patients == count(connection, "patients")
    for step in warehouse.LOAD_STEPS:
        assert first[step][1] > 0, step
        assert second[step][1] == 0, step
    (mismatched,) = connection.execute(
        "SELECT count(*) FROM healthcare.fact_pharmacy_claims AS f"
        " JOIN healthcare.pharmacy_claims AS c USING (claim_id, service_date)"
        " JOIN healthcare.dim_patient AS p ON p.patient_key = f.patient_key"
        " JOIN healthcare.dim_medication AS m ON m.medication_key = f.medication_key"
        " JOIN healthcare.dim_pharmacy AS ph ON ph.pharmacy_key = f.pharmacy_key"
        " JOIN healthcare.dim_date AS d ON d.date_key = f.date_key"
        " JOIN healthcare.dim_provider AS pr ON pr.provider_key = f.provider_key"
        " JOIN healthcare.prescriptions AS rx"
        "   ON rx.prescription_id = c.prescription_id"
        " WHERE p.patient_id <> c.patient_id OR m.ndc <> c.ndc"
        " OR ph.pharmacy_id <> c.pharmacy_id OR d.full_date <> c.service_date"
        " OR pr.provider_id <> rx.provider_id OR f.plan_paid <> c.plan_paid"
    ).fetchone()
    assert mismatched == 0


def drug_class_view_differences(connection) -> int:
    """Rows of claims_by_drug_class and of a direct GROUP BY over the claims
    that the other lacks."""
    direct = (
        "SELECT m.drug_class, extract(year FROM c.service_date)::smallint,"
        " extract(month FROM c.service_date)::smallint, c.claim_status,"
        " count(*), sum(c.quantity), sum(c.days_supply), sum(c.ingredient_cost),"
        " sum(c.plan_paid)"
        " FROM healthcare.pharmacy_claims AS c"
        " JOIN healthcare.medications AS m ON m.ndc = c.ndc"
        " GROUP BY 1, 2, 3, 4"
    )
    view = "SELECT * FROM healthcare.claims_by_drug_class"
    (differences,) = connection.execute(
        f"SELECT count(*) FROM (({direct} EXCEPT {view})"
        f" UNION ALL ({view} EXCEPT {direct})) AS d"
    ).fetchone()
    return differences


def view_rows(connection) -> list[tuple]:
    """Return the rows of claims_by_drug_class, its four key columns first."""
    return connection.execute(
        "SELECT * FROM healthcare.claims_by_drug_class"
    ).fetchall()


def test_changed_medication_reaches_view(connection):
    load(connection)
    (medication_id, ndc) = connection.execute(
        "SELECT m.medication_id, m.ndc FROM healthcare.medications AS m"
        " WHERE EXISTS (SELECT 1 FROM healthcare.pharmacy_claims AS c"
        " WHERE c.ndc = m.ndc) ORDER BY m.medication_id LIMIT 1"
    ).fetchone()
    connection.execute(
        "UPDATE healthcare.medications"
        " SET drug_class = 'Reclassified', strength = '999 mg'"
        " WHERE medication_id = %s",
        [medication_id],
    )
    # A quarantined claim leaves the claims table, and so the fact.
    (gone,) = connection.execute(
        "DELETE FROM healthcare.pharmacy_claims WHERE claim_id ="
        " (SELECT min(claim_id) FROM healthcare.pharmacy_claims)"
        " RETURNING claim_id"
    ).fetchone()
    view_before = set(view_rows(connection))

    written = load(connection)

    view_after = set(view_rows(connection))
    keys_after = {row[:4] for row in view_after}
    removed = {row for row in view_before if row[:4] not in keys_after}
    # Rows the refresh added or changed, and rows it removed.
    view_written = len(view_after - view_before) + len(removed)
    assert written["dim_medication"][1] == 1
    assert written["fact_pharmacy_claims"][1] == 1
    assert view_written > 0
    assert written["claims_by_drug_class"][1] == view_written
    assert not connection.execute(
        "SELECT 1 FROM healthcare.fact_pharmacy_claims WHERE claim_id = %s", [gone]
    ).fetchall()
    row = connection.execute(
        "SELECT drug_class, strength, ndc FROM healthcare.dim_medication"
        " WHERE medication_id = %s",
        [medication_id],
    ).fetchone()
    assert row == ("Reclassified", "999 mg", ndc)
    (reclassified,) = connection.execute(
        "SELECT sum(claims) FROM healthcare.claims_by_drug_class"
        " WHERE drug_class = 'Reclassified'"
    ).fetchone()
    assert (
        reclassified
        == connection.execute(
            "SELECT count(*) FROM healthcare.pharmacy_claims WHERE ndc = %s", [ndc]
        ).fetchone()[0]
    )
    assert drug_class_view_differences(connection) == 0


def last_lineage(connection, pipeline: str) -> tuple[int, int, int]:
    """Return (rows read, written, rejected) of the pipeline's newest run."""
    return connection.execute(
        "SELECT rows_read, rows_written, rows_rejected FROM healthcare.etl_lineage"
        " WHERE pipeline = %s ORDER BY run_id DESC LIMIT 1",
        [pipeline],
    ).fetchone()


# A claim column and a value no dimension can resolve. Each orphan claim is
# inserted with session_replication_role = replica, which skips the foreign
# keys that would otherwise reject it.
ORPHAN_CLAIMS = [
    ("patient_id", "(SELECT max(patient_id) + 1000 FROM healthcare.patients)"),
    ("pharmacy_id", "(SELECT max(pharmacy_id) + 1000 FROM healthcare.pharmacies)"),
    ("ndc", "'99999999999'"),
    (
        "prescription_id",
        "(SELECT max(prescription_id) + 1000 FROM healthcare.prescriptions)",
    ),
]


@pytest.mark.parametrize(
    ("column", "orphan_value"), ORPHAN_CLAIMS, ids=[c for c, _ in ORPHAN_CLAIMS]
)
def test_orphan_claim_counts_as_rejected(connection, column, orphan_value):
    connection.execute("SET session_replication_role = replica")
    connection.execute(
        "INSERT INTO healthcare.pharmacy_claims (service_date, prescription_id,"
        " pharmacy_id, patient_id, ndc, quantity, days_supply, ingredient_cost,"
        " claim_status, reject_code)"
        " SELECT service_date, prescription_id, pharmacy_id, patient_id, ndc,"
        " quantity, days_supply, ingredient_cost, claim_status, reject_code"
        " FROM healthcare.pharmacy_claims ORDER BY claim_id LIMIT 1"
    )
    connection.execute(
        f"UPDATE healthcare.pharmacy_claims SET {column} = {orphan_value}"
        " WHERE claim_id = (SELECT max(claim_id) FROM healthcare.pharmacy_claims)"
    )
    connection.execute("SET session_replication_role = DEFAULT")
    claims = count(connection, "pharmacy_claims")

    load(connection)
    first = last_lineage(connection, "fact_pharmacy_claims")
    load(connection)
    second = last_lineage(connection, "fact_pharmacy_claims")

    assert count(connection, "fact_pharmacy_claims") == claims - 1
    assert first == (claims, claims - 1, 1)
    assert second == (claims, 0, 1)


def test_orphaned_fact_claim_deleted(connection):
    load(connection)
    (claim_id,) = connection.execute(
        "SELECT min(claim_id) FROM healthcare.pharmacy_claims"
    ).fetchone()
    connection.execute("SET session_replication_role = replica")
    connection.execute(
        "UPDATE healthcare.pharmacy_claims SET patient_id = %s WHERE claim_id = %s",
        [10**9, claim_id],
    )
    connection.execute("SET session_replication_role = DEFAULT")
    claims = count(connection, "pharmacy_claims")

    load(connection)

    # The claim's fact row is deleted (one row written), and the claim is
    # rejected.
    assert last_lineage(connection, "fact_pharmacy_claims") == (claims, 1, 1)
    assert count(connection, "fact_pharmacy_claims") == claims - 1
    assert not connection.execute(
        "SELECT 1 FROM healthcare.fact_pharmacy_claims WHERE claim_id = %s",
        [claim_id],
    ).fetchall()


def test_unpopulated_view_fails_load(connection):
    connection.execute(
        "REFRESH MATERIALIZED VIEW healthcare.claims_by_drug_class WITH NO DATA"
    )

    with pytest.raises(psycopg.errors.FeatureNotSupported) as raised:
        connection.execute("CALL healthcare.etl_warehouse()")

    # docs/RUNBOOK.md quotes this message in its steps for a failed load.
    assert "CONCURRENTLY cannot be used when the materialized view is not" in str(
        raised.value
    )


def test_load_moves_rows_out_of_default(connection):
    load(connection)
    # A claim of a month without a fact partition, already in the fact's
    # DEFAULT partition as if something other than the load wrote it there.
    (claim_id,) = connection.execute(
        "INSERT INTO healthcare.pharmacy_claims (service_date, prescription_id,"
        " pharmacy_id, patient_id, ndc, quantity, days_supply, ingredient_cost,"
        " claim_status, reject_code)"
        " SELECT '2024-01-15', prescription_id, pharmacy_id, patient_id, ndc,"
        " quantity, days_supply, ingredient_cost, claim_status, reject_code"
        " FROM healthcare.pharmacy_claims ORDER BY claim_id LIMIT 1"
        " RETURNING claim_id"
    ).fetchone()
    connection.execute("SELECT healthcare.dim_date_fill('2024-01-15', '2024-01-15')")
    connection.execute(
        "INSERT INTO healthcare.fact_pharmacy_claims"
        " SELECT %s, '2024-01-15', 20240115, patient_key, medication_key,"
        " pharmacy_key, provider_key, prescription_id, fill_number, claim_status,"
        " reject_code, quantity, days_supply, ingredient_cost, dispensing_fee,"
        " copay, plan_paid FROM healthcare.fact_pharmacy_claims"
        " ORDER BY claim_id LIMIT 1",
        [claim_id],
    )

    written = load(connection)

    assert written["fact_pharmacy_claims"][1] == 1
    assert count(connection, "fact_pharmacy_claims_default") == 0
    assert count(connection, "fact_pharmacy_claims_2024_01") == 1


def test_patient_key_follows_service_date(connection):
    load(connection)
    (patient_id, first_day, last_day) = connection.execute(
        "SELECT patient_id, min(service_date), max(service_date)"
        " FROM healthcare.pharmacy_claims GROUP BY patient_id"
        " HAVING min(service_date) < max(service_date)"
        " ORDER BY patient_id LIMIT 1"
    ).fetchone()
    connection.execute(
        "UPDATE healthcare.patients SET zip_code = '99501', state = 'AK'"
        " WHERE patient_id = %s",
        [patient_id],
    )
    connection.execute("CALL healthcare.etl_dim_patient()")
    # Date the first version before the patient's first claim and the change
    # to the start of the last claim's day (UTC), as if the dimension had
    # been loaded at those times.
    connection.execute(
        "UPDATE healthcare.dim_patient"
        " SET valid_from = %s::timestamp AT TIME ZONE 'UTC' - interval '1 day',"
        " valid_to = %s::timestamp AT TIME ZONE 'UTC'"
        " WHERE patient_id = %s AND NOT is_current",
        [first_day, last_day, patient_id],
    )
    connection.execute(
        "UPDATE healthcare.dim_patient"
        " SET valid_from = %s::timestamp AT TIME ZONE 'UTC'"
        " WHERE patient_id = %s AND is_current",
        [last_day, patient_id],
    )

    load(connection)

    keys = connection.execute(
        "SELECT f.service_date, p.zip_code FROM healthcare.fact_pharmacy_claims AS f"
        " JOIN healthcare.dim_patient AS p ON p.patient_key = f.patient_key"
        " WHERE p.patient_id = %s ORDER BY f.service_date",
        [patient_id],
    ).fetchall()
    assert keys[0][0] == first_day
    assert keys[0][1] != "99501"
    assert keys[-1] == (last_day, "99501")


async def test_partitions_hold_their_months(connection, database_url):
    from engine.targets.postgres import PostgresTarget

    target = PostgresTarget(database_url, name="test", is_local=True)
    await target.connect()
    try:
        steps = await warehouse.run_warehouse_load(target)
        analyzed = dict(await warehouse.update_statistics(target))
        partitions = await warehouse.partition_info(target)
    finally:
        await target.close()

    months = dict(
        connection.execute(
            "SELECT date_trunc('month', service_date)::date, count(*)"
            " FROM healthcare.pharmacy_claims GROUP BY 1"
        ).fetchall()
    )
    assert [step for step, _ in steps] == list(warehouse.LOAD_STEPS)
    assert analyzed["healthcare.dim_date"] == count(connection, "dim_date")
    assert analyzed["healthcare.fact_pharmacy_claims"] > 0
    by_start = {p.range_from: p for p in partitions}
    default = by_start.pop(None)
    assert default.name == "fact_pharmacy_claims_default"
    assert default.bounds == "DEFAULT"
    assert default.rows == 0
    # The estimates are exact here: ANALYZE reads every row of a partition
    # under 30,000 rows (300 times default_statistics_target, 100).
    assert {start: p.rows for start, p in by_start.items()} == months
    for start, partition in by_start.items():
        assert partition.name == f"fact_pharmacy_claims_{start:%Y_%m}"
        assert partition.range_to == date(
            start.year + start.month // 12, start.month % 12 + 1, 1
        )
        assert partition.size_bytes > 0
    located = dict(
        connection.execute(
            "SELECT tableoid::regclass::text, count(*)"
            " FROM healthcare.fact_pharmacy_claims GROUP BY 1"
        ).fetchall()
    )
    assert located == {
        f"healthcare.fact_pharmacy_claims_{start:%Y_%m}": rows
        for start, rows in months.items()
    }


# Worked days around the fiscal year start (1 July) and the turn of the
# year: (date, calendar quarter, ISO year, ISO week, day of week, weekend,
# fiscal year, fiscal quarter, fiscal month). 1 January 2027 is a Friday in
# ISO week 53 of 2026.
FISCAL_CASES = [
    (date(2026, 6, 30), 2, 2026, 27, 2, False, 2026, 4, 12),
    (date(2026, 7, 1), 3, 2026, 27, 3, False, 2027, 1, 1),
    (date(2026, 9, 30), 3, 2026, 40, 3, False, 2027, 1, 3),
    (date(2026, 10, 1), 4, 2026, 40, 4, False, 2027, 2, 4),
    (date(2026, 12, 31), 4, 2026, 53, 4, False, 2027, 2, 6),
    (date(2027, 1, 1), 1, 2026, 53, 5, False, 2027, 3, 7),
    (date(2027, 1, 3), 1, 2026, 53, 7, True, 2027, 3, 7),
    (date(2027, 4, 1), 2, 2027, 13, 4, False, 2027, 4, 10),
]


def test_dim_date_fiscal_calendar(connection):
    (added,) = connection.execute(
        "SELECT healthcare.dim_date_fill('2026-06-30', '2027-04-01')"
    ).fetchone()
    (again,) = connection.execute(
        "SELECT healthcare.dim_date_fill('2026-06-30', '2027-04-01')"
    ).fetchone()

    assert added == 276
    assert again == 0
    for case in FISCAL_CASES:
        row = connection.execute(
            "SELECT full_date, calendar_quarter, iso_year, iso_week, day_of_week,"
            " is_weekend, fiscal_year, fiscal_quarter, fiscal_month"
            " FROM healthcare.dim_date WHERE date_key = %s",
            [int(f"{case[0]:%Y%m%d}")],
        ).fetchone()
        assert row == case
    names = connection.execute(
        "SELECT month_name, day_name FROM healthcare.dim_date"
        " WHERE full_date = '2027-01-03'"
    ).fetchone()
    assert names == ("January", "Sunday")


async def test_job_loads_the_warehouse(engine):
    record, task = engine.jobs.runner.trigger("etl_warehouse", "test")
    await task

    assert record.status == "succeeded", record.error
    assert record.rows > 0
    assert record.detail.startswith("dim_patient: ")
    assert "fact_pharmacy_claims: " in record.detail
    assert "statistics updated on " in record.detail


async def test_job_reports_rejected_claims(engine, database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SET session_replication_role = replica")
        connection.execute(
            "UPDATE healthcare.pharmacy_claims SET patient_id = %s"
            " WHERE claim_id = (SELECT min(claim_id) FROM healthcare.pharmacy_claims)",
            [10**9],
        )

    record, task = engine.jobs.runner.trigger("etl_warehouse", "test")
    await task

    assert record.status == "succeeded", record.error
    assert "fact_pharmacy_claims: " in record.detail
    assert " row(s), 1 rejected; claims_by_drug_class: " in record.detail
