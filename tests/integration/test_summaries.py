"""The pharmacy fill summary, daily order summary and customer health
pipelines on the real embedded PostgreSQL: right figures, and a second run
writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from engine.targets.sqlfiles import script_path

TO = datetime.now(UTC).date()
FROM = TO - timedelta(days=29)


@pytest.fixture
def connection(database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(script_path("postgres", "etl").read_text())
        yield connection


def run(connection) -> dict[str, tuple[int, int]]:
    connection.execute("CALL healthcare.etl_summaries(%s, %s)", [FROM, TO])
    rows = connection.execute(
        "SELECT DISTINCT ON (pipeline) pipeline, rows_read, rows_written"
        " FROM healthcare.etl_lineage ORDER BY pipeline, run_id DESC"
    ).fetchall()
    return {pipeline: (read, written) for pipeline, read, written in rows}


def test_summaries_match_their_sources(connection):
    run(connection)

    pharmacy, day, fills, generic, rate = connection.execute(
        "SELECT pharmacy_id, fill_date, fills, generic_fills, generic_fill_rate"
        " FROM healthcare.pharmacy_fill_summary ORDER BY fills DESC, pharmacy_id"
        " LIMIT 1"
    ).fetchone()
    expected = connection.execute(
        "SELECT count(*), count(*) FILTER (WHERE m.is_generic)"
        " FROM healthcare.pharmacy_claims AS c"
        " JOIN healthcare.medications AS m ON m.ndc = c.ndc"
        " WHERE c.claim_status = 'paid' AND c.pharmacy_id = %s"
        " AND c.service_date = %s",
        [pharmacy, day],
    ).fetchone()
    assert (fills, generic) == expected
    assert rate == round(Decimal(generic) / fills, 4)
    (orders, summed) = connection.execute(
        "SELECT (SELECT count(*) FROM commerce.orders WHERE status <> 'cancelled'"
        "   AND ordered_at::date BETWEEN %s AND %s),"
        " (SELECT sum(orders) FROM commerce.daily_order_summary)",
        [FROM, TO],
    ).fetchone()
    assert summed == orders
    scores = connection.execute(
        "SELECT min(recency_score), max(recency_score), count(DISTINCT segment)"
        " FROM commerce.customer_health"
    ).fetchone()
    assert scores[:2] == (1, 5)
    assert scores[2] >= 3


def test_second_run_writes_nothing(connection):
    first = run(connection)

    second = run(connection)

    assert set(first) == {
        "pharmacy_fill_summary",
        "daily_order_summary",
        "customer_health",
    }
    assert all(written > 0 for _, written in first.values())
    assert {name: written for name, (_, written) in second.items()} == {
        "pharmacy_fill_summary": 0,
        "daily_order_summary": 0,
        "customer_health": 0,
    }


def test_changed_order_updates_only_its_rows(connection):
    run(connection)
    (order_id,) = connection.execute(
        "SELECT order_id FROM commerce.orders"
        " WHERE status <> 'cancelled' AND ordered_at::date BETWEEN %s AND %s"
        " ORDER BY order_id LIMIT 1",
        [FROM, TO],
    ).fetchone()
    connection.execute(
        "UPDATE commerce.orders SET total_amount = total_amount + 1000"
        " WHERE order_id = %s",
        [order_id],
    )

    written = run(connection)

    assert written["daily_order_summary"][1] == 1
    assert written["pharmacy_fill_summary"][1] == 0
    assert written["customer_health"][1] >= 1


def test_rows_without_source_deleted(connection):
    run(connection)
    # A pharmacy and day with one paid fill, and a customer whose one order
    # counts, lose their rows when the claim is reversed and the order
    # cancelled.
    pharmacy, day = connection.execute(
        "SELECT pharmacy_id, fill_date FROM healthcare.pharmacy_fill_summary"
        " WHERE fills = 1 ORDER BY pharmacy_id, fill_date LIMIT 1"
    ).fetchone()
    (customer,) = connection.execute(
        "SELECT customer_id FROM commerce.customer_health WHERE orders = 1"
        " ORDER BY customer_id LIMIT 1"
    ).fetchone()
    connection.execute(
        "UPDATE healthcare.pharmacy_claims SET claim_status = 'reversed'"
        " WHERE pharmacy_id = %s AND service_date = %s AND claim_status = 'paid'",
        [pharmacy, day],
    )
    connection.execute(
        "UPDATE commerce.orders SET status = 'cancelled' WHERE customer_id = %s",
        [customer],
    )

    written = run(connection)
    again = run(connection)

    fill_rows = connection.execute(
        "SELECT count(*) FROM healthcare.pharmacy_fill_summary"
        " WHERE pharmacy_id = %s AND fill_date = %s",
        [pharmacy, day],
    ).fetchone()[0]
    health_rows = connection.execute(
        "SELECT count(*) FROM commerce.customer_health WHERE customer_id = %s",
        [customer],
    ).fetchone()[0]
    assert fill_rows == 0
    assert health_rows == 0
    assert written["pharmacy_fill_summary"][1] == 1
    assert written["customer_health"][1] >= 1
    assert {name: count for name, (_, count) in again.items()} == {
        "pharmacy_fill_summary": 0,
        "daily_order_summary": 0,
        "customer_health": 0,
    }


def test_claim_without_medication_rejected(connection):
    run(connection)
    # The only paid fill of a pharmacy and day gets an NDC that is not a
    # medication. session_replication_role = replica skips the foreign key
    # that would reject the change.
    pharmacy, day = connection.execute(
        "SELECT pharmacy_id, fill_date FROM healthcare.pharmacy_fill_summary"
        " WHERE fills = 1 ORDER BY pharmacy_id, fill_date LIMIT 1"
    ).fetchone()
    connection.execute("SET session_replication_role = replica")
    connection.execute(
        "UPDATE healthcare.pharmacy_claims SET ndc = '99999999999'"
        " WHERE pharmacy_id = %s AND service_date = %s AND claim_status = 'paid'",
        [pharmacy, day],
    )
    connection.execute("SET session_replication_role = DEFAULT")
    (paid,) = connection.execute(
        "SELECT count(*) FROM healthcare.pharmacy_claims"
        " WHERE claim_status = 'paid' AND service_date BETWEEN %s AND %s",
        [FROM, TO],
    ).fetchone()

    run(connection)
    first = fill_summary_lineage(connection)
    run(connection)
    second = fill_summary_lineage(connection)

    (fill_rows,) = connection.execute(
        "SELECT count(*) FROM healthcare.pharmacy_fill_summary"
        " WHERE pharmacy_id = %s AND fill_date = %s",
        [pharmacy, day],
    ).fetchone()
    assert fill_rows == 0
    assert first == (paid, 1, 1)
    assert second == (paid, 0, 1)


def fill_summary_lineage(connection) -> tuple[int, int, int]:
    """Return (rows read, written, rejected) of the newest fill summary run."""
    return connection.execute(
        "SELECT rows_read, rows_written, rows_rejected FROM healthcare.etl_lineage"
        " WHERE pipeline = 'pharmacy_fill_summary' ORDER BY run_id DESC LIMIT 1"
    ).fetchone()


async def test_job_refreshes_the_summaries(engine):
    record, task = engine.jobs.runner.trigger("etl_summaries", "test")
    await task

    assert record.status == "succeeded", record.error
    assert record.rows > 0
    assert record.detail.startswith("pharmacy_fill_summary: ")
    assert "customer_health: " in record.detail
