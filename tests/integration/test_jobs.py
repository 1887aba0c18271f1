"""Job actions against the real embedded PostgreSQL, through the Engine."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from engine.incidents.models import Status
from engine.jobs.models import JobAlreadyRunning, JobNotFound
from engine.service import Engine
from engine.store.database import Store, utc_now
from engine.store.jobs import JobRunRecord, JobRunRepository, RunStatus
from engine.store.snapshots import SnapshotRepository
from engine.targets.postgres import PostgresTarget
from tests.conftest import fast_config


async def run_job(engine: Engine, name: str):
    record = engine.trigger_job(name, "alice")
    assert record.status is RunStatus.RUNNING
    await engine.jobs.runner.wait_idle()
    return engine.job_history(name, 1)[0]


async def test_statistics_maintenance_analyzes_demo_tables(engine: Engine):
    run = await run_job(engine, "statistics_maintenance")

    assert run.status is RunStatus.SUCCEEDED, run.error
    assert run.rows >= 10
    assert "healthcare, commerce" in run.detail
    analyzed = await engine.target.fetch(
        "SELECT count(*) FROM pg_stat_user_tables "
        "WHERE schemaname = 'commerce' AND last_analyze IS NOT NULL"
    )
    assert analyzed[0][0] == 3


async def test_catalog_scan_counts_schemas(engine: Engine):
    run = await run_job(engine, "catalog_scan")

    assert run.status is RunStatus.SUCCEEDED, run.error
    assert "healthcare:" in run.detail
    assert "commerce: 3 table(s)" in run.detail


async def test_health_snapshot_polls(engine: Engine):
    run = await run_job(engine, "health_snapshot")

    assert run.status is RunStatus.SUCCEEDED, run.error
    assert run.rows >= 1
    assert engine.last_poll is not None


async def test_snapshot_retention_and_cleanup_succeed(engine: Engine):
    retention = await run_job(engine, "snapshot_retention")
    cleanup = await run_job(engine, "cleanup_stale_sessions")

    assert retention.status is RunStatus.SUCCEEDED, retention.error
    assert retention.rows == 0
    assert cleanup.status is RunStatus.SUCCEEDED, cleanup.error
    assert cleanup.rows == 0


async def test_data_layer_job_fails_clearly(engine: Engine):
    run = await run_job(engine, "claims_month_end_close")

    assert run.status is RunStatus.FAILED
    assert "not available until the data layer exists" in run.error
    # The job is not critical, so its failure opens no incident.
    kinds = [incident.kind for incident in engine.open_incidents()]
    assert "job_failure" not in kinds


async def test_phi_audit_reports_heavy_readers(engine: Engine, database_url: str):
    limit = engine.config.warroom.phi_audit.max_patients
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO healthcare.phi_access_log (user_name, patient_id, "
            "access_type, purpose, application) SELECT 'bulk-reader', patient_id, "
            "'view', 'audit test', 'test' FROM healthcare.patients "
            "ORDER BY patient_id LIMIT %s",
            [limit],
        )

    run = await run_job(engine, "phi_audit_scan")

    assert run.status is RunStatus.SUCCEEDED, run.error
    assert run.rows == 1
    assert run.detail.endswith(": bulk-reader")


async def test_list_jobs_shows_schedule(engine: Engine):
    jobs = {state.name: state for state in engine.list_jobs()}

    assert len(jobs) == 15
    assert jobs["statistics_maintenance"].next_run_at is not None
    assert jobs["statistics_maintenance"].timezone == "America/New_York"
    assert jobs["etl_claims_daily"].next_run_at is None


async def test_trigger_errors(engine: Engine):
    with pytest.raises(JobNotFound):
        engine.trigger_job("nightly", "alice")

    engine.trigger_job("statistics_maintenance", "alice")
    with pytest.raises(JobAlreadyRunning):
        engine.trigger_job("statistics_maintenance", "bob")
    await engine.jobs.runner.wait_idle()


async def test_cut_off_run_restarted(database_url: str, tmp_path: Path):
    # A critical job's run that a dead process left "running" opens a
    # job_failure incident at the next start. With remediation.auto, the
    # playbook runs the job again, and the new run's success resolves it.
    state = tmp_path / "state.db"
    store = Store(state)
    cut_off = JobRunRepository(store).add(
        JobRunRecord(
            0,
            "health_snapshot",
            "scheduled",
            "scheduler",
            RunStatus.RUNNING,
            started_at=utc_now() - timedelta(minutes=10),
        )
    )
    # The dead process's last poll bounds when the run stopped.
    last_poll = utc_now() - timedelta(minutes=8)
    SnapshotRepository(store).add("test", last_poll, {})
    store.close()
    engine = Engine(
        fast_config(remediation__auto=True),
        PostgresTarget(database_url, name="test", is_local=True),
        state,
    )

    await engine.start()
    try:
        for _ in range(200):
            (incident,) = engine.incidents.repository.search(kind="job_failure")
            if incident.status is Status.RESOLVED:
                break
            await asyncio.sleep(0.1)
        runs = engine.job_history("health_snapshot")
    finally:
        await engine.stop()

    assert incident.status is Status.RESOLVED
    assert incident.root_cause.startswith(
        f"run {cut_off.id} (scheduled by scheduler): the engine stopped during the "
        "run, at a time between"
    )
    assert [(run.id, run.status) for run in runs][-1] == (
        cut_off.id,
        RunStatus.FAILED,
    )
    assert runs[-1].ended_at == last_poll
    assert incident.started_at == last_poll
    assert runs[0].status is RunStatus.SUCCEEDED
    assert runs[0].actor == "engine (auto)"
