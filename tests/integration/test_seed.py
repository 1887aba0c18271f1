"""Demo data load and traffic against an embedded PostgreSQL 16 from pgserver."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pgserver
import psycopg
import pytest

from engine.seed.generator import CLAIM_WINDOW_DAYS, TABLES, DemoDataGenerator
from engine.seed.identifiers import dea_check_digit, npi_is_valid
from engine.seed.loader import (
    SCHEMA_PATH,
    SEED_VERSION,
    SeedError,
    load_demo_data,
    loaded_scale,
)
from engine.seed.traffic import TRAFFIC_APPLICATION, DemoTraffic

TODAY = date(2026, 3, 15)
# Past the partitions that schema.sql creates, which end with 2026-12.
LATER_TODAY = date(2027, 1, 20)
# Foreign keys declared in schema.sql, not counting their copies on partitions.
FOREIGN_KEY_COUNT = 13


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with pgserver.get_server(tmp_path_factory.mktemp("seed-pgdata")) as pg:
        yield pg


def _create_database(server, name: str) -> str:
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.get_uri(name)


@pytest.fixture(scope="module")
def loaded(server) -> tuple[str, dict[str, int], list[tuple[str, int, int]]]:
    uri = _create_database(server, "demo")
    calls: list[tuple[str, int, int]] = []
    counts = load_demo_data(
        uri, scale=1, today=TODAY, progress=lambda *call: calls.append(call)
    )
    return uri, counts, calls


@pytest.fixture
def scratch_uri(server, request: pytest.FixtureRequest) -> str:
    return _create_database(server, request.node.name[:50])


def _count(uri: str, query: str, params: list | None = None) -> int:
    with psycopg.connect(uri) as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def _claims_by_partition(uri: str) -> dict[str, int]:
    with psycopg.connect(uri) as conn:
        rows = conn.execute(
            "SELECT tableoid::regclass::text, count(*)"
            " FROM healthcare.pharmacy_claims GROUP BY 1"
        ).fetchall()
    return dict(rows)


def test_load_returns_planned_counts(loaded) -> None:
    _uri, counts, _calls = loaded
    assert counts == DemoDataGenerator(scale=1, today=TODAY).row_counts()


def test_load_table_counts_in_database(loaded) -> None:
    uri, counts, _calls = loaded
    for table in TABLES:
        stored = _count(uri, f"SELECT count(*) FROM {table.name}")
        assert stored == counts[table.name], table.name


def test_load_scale_one_counts(loaded) -> None:
    _uri, counts, _calls = loaded
    assert counts["healthcare.pharmacy_claims"] == 30_000
    assert counts["healthcare.patients"] == 5_000
    assert counts["commerce.order_items"] == 12_000


def test_claims_in_monthly_partitions(loaded) -> None:
    uri, _counts, _calls = loaded
    partitions = _claims_by_partition(uri)
    # 120 days up to 15 March 2026 start on 16 November 2025.
    assert set(partitions) == {
        "healthcare.pharmacy_claims_2025_11",
        "healthcare.pharmacy_claims_2025_12",
        "healthcare.pharmacy_claims_2026_01",
        "healthcare.pharmacy_claims_2026_02",
        "healthcare.pharmacy_claims_2026_03",
    }
    assert sum(partitions.values()) == 30_000


def test_default_partition_empty(loaded) -> None:
    uri, _counts, _calls = loaded
    query = "SELECT count(*) FROM healthcare.pharmacy_claims_default"
    assert _count(uri, query) == 0


def test_schema_has_all_monthly_partitions(loaded) -> None:
    uri, _counts, _calls = loaded
    query = (
        "SELECT count(*) FROM pg_inherits"
        " WHERE inhparent = 'healthcare.pharmacy_claims'::regclass"
    )
    # 24 months of 2025 and 2026 plus the DEFAULT partition.
    assert _count(uri, query) == 25


def test_claims_today_present(loaded) -> None:
    uri, _counts, _calls = loaded
    query = "SELECT count(*) FROM healthcare.pharmacy_claims WHERE service_date = %s"
    assert _count(uri, query, [TODAY]) > 0
    first_day = TODAY - timedelta(days=CLAIM_WINDOW_DAYS - 1)
    assert _count(uri, query, [first_day]) > 0
    assert _count(uri, query, [first_day - timedelta(days=1)]) == 0


def test_phi_reads_end_before_today(loaded) -> None:
    # A working hour of the load day may still be ahead of the load.
    uri, _counts, _calls = loaded
    query = "SELECT count(*) FROM healthcare.phi_access_log WHERE accessed_at >= %s"
    assert _count(uri, query, [TODAY]) == 0
    assert _count(uri, query, [TODAY - timedelta(days=1)]) > 0


def test_claims_rejected_share(loaded) -> None:
    uri, _counts, _calls = loaded
    query = (
        "SELECT count(*) FROM healthcare.pharmacy_claims"
        " WHERE claim_status = 'rejected'"
    )
    assert 0.06 * 30_000 < _count(uri, query) < 0.10 * 30_000


def test_every_provider_npi_valid(loaded) -> None:
    uri, _counts, _calls = loaded
    with psycopg.connect(uri) as conn:
        npis = [row[0] for row in conn.execute("SELECT npi FROM healthcare.providers")]
    assert len(npis) == 500
    invalid = [npi for npi in npis if not npi_is_valid(npi)]
    assert invalid == []


def test_every_pharmacy_npi_valid(loaded) -> None:
    uri, _counts, _calls = loaded
    with psycopg.connect(uri) as conn:
        npis = [row[0] for row in conn.execute("SELECT npi FROM healthcare.pharmacies")]
    invalid = [npi for npi in npis if not npi_is_valid(npi)]
    assert invalid == []


def test_every_provider_dea_number_valid(loaded) -> None:
    uri, _counts, _calls = loaded
    with psycopg.connect(uri) as conn:
        rows = conn.execute(
            "SELECT dea_number, last_name, credential FROM healthcare.providers"
        ).fetchall()
    assert len(rows) == 500
    for dea, last_name, credential in rows:
        registrant = "M" if credential in ("NP", "PA") else "B"
        assert dea[:2] == registrant + last_name[0].upper(), dea
        assert dea[8] == dea_check_digit(dea[2:8]), dea


def test_controlled_medications_have_schedule(loaded) -> None:
    uri, _counts, _calls = loaded
    with psycopg.connect(uri) as conn:
        rows = conn.execute(
            "SELECT DISTINCT drug_name, dea_schedule FROM healthcare.medications"
            " WHERE dea_schedule IS NOT NULL ORDER BY drug_name"
        ).fetchall()
    assert rows == [
        ("methylphenidate", "II"),
        ("phentermine hydrochloride", "IV"),
        ("zolpidem tartrate", "IV"),
    ]


def test_schema_script_rerun_changes_nothing(loaded) -> None:
    uri, counts, _calls = loaded
    with psycopg.connect(uri) as conn, conn.transaction(force_rollback=True):
        conn.execute(SCHEMA_PATH.read_text(encoding="utf-8"))
        row = conn.execute("SELECT count(*) FROM healthcare.pharmacy_claims").fetchone()
    assert row == (counts["healthcare.pharmacy_claims"],)


def test_loaded_scale_is_one(loaded) -> None:
    uri, _counts, _calls = loaded
    assert loaded_scale(uri) == 1


def test_meta_rows_written(loaded) -> None:
    uri, _counts, _calls = loaded
    with psycopg.connect(uri) as conn:
        meta = dict(conn.execute("SELECT key, value FROM public.warroom_meta"))
    assert meta["seed_version"] == SEED_VERSION
    assert meta["scale"] == "1"
    assert "loaded_at" in meta


def test_foreign_keys_restored_and_valid(loaded) -> None:
    uri, _counts, _calls = loaded
    query = (
        "SELECT count(*) FROM pg_constraint c"
        " JOIN pg_namespace n ON n.oid = c.connamespace"
        " WHERE c.contype = 'f' AND c.conparentid = 0 AND c.convalidated"
        " AND n.nspname IN ('healthcare', 'commerce')"
    )
    assert _count(uri, query) == FOREIGN_KEY_COUNT


def test_sequences_continue_after_load(loaded) -> None:
    uri, _counts, _calls = loaded
    with psycopg.connect(uri) as conn, conn.transaction(force_rollback=True):
        row = conn.execute(
            "INSERT INTO healthcare.pharmacy_claims (service_date, prescription_id,"
            " pharmacy_id, patient_id, ndc, quantity, days_supply, ingredient_cost,"
            " claim_status)"
            " SELECT %s, p.prescription_id, 1, p.patient_id, m.ndc, p.quantity,"
            " p.days_supply, 10, 'pending'"
            " FROM healthcare.prescriptions p JOIN healthcare.medications m"
            " USING (medication_id) WHERE p.prescription_id = 1"
            " RETURNING claim_id",
            [TODAY],
        ).fetchone()
    assert row is not None
    assert row[0] == 30_001


def test_tables_analyzed(loaded) -> None:
    uri, _counts, _calls = loaded
    query = (
        "SELECT count(*) FROM pg_stat_user_tables"
        " WHERE relid = 'healthcare.prescriptions'::regclass"
        " AND last_analyze IS NOT NULL"
    )
    assert _count(uri, query) == 1


def test_progress_reports_each_table(loaded) -> None:
    _uri, counts, calls = loaded
    tables = [table.name for table in TABLES]
    assert [call[0] for call in calls if call[1] == 0] == tables
    for table in tables:
        table_calls = [(done, total) for name, done, total in calls if name == table]
        assert table_calls[-1] == (counts[table], counts[table]), table
        done_values = [done for done, _total in table_calls]
        assert done_values == sorted(done_values), table


def test_loaded_scale_none_when_empty(scratch_uri: str) -> None:
    assert loaded_scale(scratch_uri) is None


def test_load_rejects_foreign_schema(scratch_uri: str) -> None:
    with psycopg.connect(scratch_uri, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA healthcare")
        conn.execute("CREATE TABLE healthcare.keep_me (id int)")
    with pytest.raises(SeedError):
        load_demo_data(scratch_uri, today=TODAY)
    query = "SELECT count(*) FROM pg_tables WHERE schemaname = 'healthcare'"
    assert _count(scratch_uri, query) == 1
    assert loaded_scale(scratch_uri) is None


def test_failed_load_leaves_nothing(scratch_uri: str) -> None:
    def fail_in_claims(table: str, done: int, total: int) -> None:
        if table == "healthcare.pharmacy_claims" and done > 0:
            raise RuntimeError("stop the load")

    with pytest.raises(RuntimeError, match="stop the load"):
        load_demo_data(scratch_uri, today=TODAY, progress=fail_in_claims)
    query = "SELECT count(*) FROM pg_namespace WHERE nspname = 'healthcare'"
    assert _count(scratch_uri, query) == 0
    assert loaded_scale(scratch_uri) is None


async def test_reload_later_date_then_traffic(scratch_uri: str) -> None:
    first = load_demo_data(scratch_uri, today=TODAY)
    second = load_demo_data(scratch_uri, today=LATER_TODAY)
    assert second == first
    partitions = _claims_by_partition(scratch_uri)
    assert set(partitions) == {
        "healthcare.pharmacy_claims_2026_09",
        "healthcare.pharmacy_claims_2026_10",
        "healthcare.pharmacy_claims_2026_11",
        "healthcare.pharmacy_claims_2026_12",
        "healthcare.pharmacy_claims_2027_01",
    }
    assert loaded_scale(scratch_uri) == 1

    traffic = DemoTraffic(scratch_uri, cycle_seconds=0.1, seed=3)
    stop = asyncio.Event()
    task = asyncio.create_task(traffic.run(stop))
    await asyncio.sleep(1.5)
    query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
    assert _count(scratch_uri, query, [TRAFFIC_APPLICATION]) == 1
    stop.set()
    started = time.perf_counter()
    await asyncio.wait_for(task, timeout=5)
    assert time.perf_counter() - started < 1.0
    assert traffic.stats.errors == 0
    assert traffic.stats.cycles > 0
    assert traffic.stats.claims_inserted > 0
    query = "SELECT count(*) FROM healthcare.pharmacy_claims"
    assert _count(scratch_uri, query) == 30_000 + traffic.stats.claims_inserted


async def test_traffic_survives_missing_database(server) -> None:
    traffic = DemoTraffic(server.get_uri("no_such_database"), cycle_seconds=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(traffic.run(stop))
    await asyncio.sleep(1.0)
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert traffic.stats.errors >= 1
    assert traffic.stats.cycles == 0
