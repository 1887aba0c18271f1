"""The demo's own ETL tables open no governance finding: every job runs
once on the demo data, the catalog is scanned again, and the star schema's
PHI columns carry the shipped classifications."""

from __future__ import annotations

import asyncio

import pytest

from engine.config.models import WarroomConfig
from engine.etl import pipelines
from engine.monitor.findings import FindingKind
from engine.service import Engine
from engine.store.governance import CONFIG_ACTOR
from engine.store.jobs import RunStatus
from tests.conftest import fast_config

# Jobs whose action is a placeholder that fails until its data layer exists.
PLACEHOLDER_ACTION = "data_layer"


@pytest.fixture
def config() -> WarroomConfig:
    config = fast_config()
    # Scans run only on request, so the test decides when the catalog is read.
    config.warroom.governance.scan_interval_seconds = 0
    return config


def entry_of(engine: Engine, table: str, column: str):
    schema, name = table.split(".")
    key = (schema, name, column)
    return next(entry for entry in engine.catalog() if entry.column.key == key)


async def run_every_job(engine: Engine) -> dict[str, RunStatus]:
    statuses = {}
    for job in engine.config.jobs.jobs:
        if job.action == PLACEHOLDER_ACTION:
            continue
        _, task = engine.jobs.runner.trigger(job.name, "test")
        await task
        statuses[job.name] = engine.job_history(job.name, 1)[0].status
    return statuses


async def test_etl_tables_open_no_finding(engine: Engine):
    await engine.scan_catalog("test")

    statuses = await run_every_job(engine)
    record = await engine.scan_catalog("test")
    for _ in range(2):
        await engine.poll_once()

    failed = {
        name: status for name, status in statuses.items() if status != "succeeded"
    }
    assert failed == {}
    assert record.added > 0
    assert engine.governance.findings == ()
    assert engine.list_incidents(kind=str(FindingKind.GOVERNANCE)) == []
    for table, column in (
        ("healthcare.dim_provider", "first_name"),
        ("healthcare.dim_provider", "last_name"),
        ("healthcare.dim_patient", "member_id"),
        ("healthcare.dim_patient", "date_of_birth"),
    ):
        entry = entry_of(engine, table, column)
        assert entry.column.category is not None, (table, column)
        assert entry.classified_by == CONFIG_ACTOR, (table, column)


async def test_empty_dimension_classified(engine: Engine):
    # The ETL tables exist but hold no rows yet, as when the demo's first
    # scan runs before the first ETL job.
    await pipelines.install(engine.target)

    await engine.scan_catalog("test")

    entry = entry_of(engine, "healthcare.dim_patient", "first_name")
    assert entry.column.reason is not None
    assert entry.column.reason.endswith("no values sampled")
    assert entry.classification == "person_name"
    assert entry.classified_by == CONFIG_ACTOR
    assert engine.governance.findings == ()


async def test_first_etl_run_rescans_catalog(engine: Engine):
    engine.config.warroom.governance.scan_interval_seconds = 3600
    await engine.scan_catalog("test")
    before = engine.last_catalog_scan()
    tables = {entry.column.table_name for entry in engine.catalog()}
    assert "dim_patient" not in tables

    _, task = engine.jobs.runner.trigger("etl_dim_patient", "test")
    await task
    await engine.poll_once()
    for _ in range(100):
        if engine.last_catalog_scan().id != before.id:
            break
        await asyncio.sleep(0.1)

    entry = entry_of(engine, "healthcare.dim_patient", "member_id")
    assert engine.last_catalog_scan().id != before.id
    assert entry.classification == "member_id"
    # A second run creates nothing, so the next poll starts no scan.
    _, task = engine.jobs.runner.trigger("etl_dim_patient", "test")
    await task
    assert not engine.governance.due()
