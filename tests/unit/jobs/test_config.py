"""Job config: validation of zones, crons and actions, and the shipped file."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.config import load_config
from engine.config.models import KNOWN_JOB_ACTIONS, JobConfig, JobsConfig
from engine.jobs.actions import ACTIONS
from engine.paths import CONFIG_DIR


def test_known_actions_match_registry():
    assert set(KNOWN_JOB_ACTIONS) == set(ACTIONS)


def test_defaults():
    job = JobConfig(name="nightly", cron="0 2 * * *", action="catalog_scan")

    assert job.timezone == "UTC"
    assert job.enabled is True
    assert job.critical is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"cron": "0 2 * * 9"}, "day-of-week"),
        ({"cron": "0 2 * *"}, "expected 5"),
        ({"action": "vacuum_everything"}, "unknown action"),
        ({"timeout_seconds": 0}, "greater than 0"),
        ({"retries": 3}, "Extra inputs"),
    ],
)
def test_invalid_job_rejected(fields: dict, message: str):
    values = {"name": "nightly", "cron": "0 2 * * *", "action": "catalog_scan"}

    with pytest.raises(ValidationError, match=message):
        JobConfig(**(values | fields))


def test_repeated_name_rejected():
    job = {"name": "nightly", "cron": "0 2 * * *", "action": "catalog_scan"}

    with pytest.raises(ValidationError, match="used twice: nightly"):
        JobsConfig(jobs=[job, job])


def test_shipped_jobs():
    jobs = load_config(CONFIG_DIR, environ={}).jobs.jobs
    data_layer = [job for job in jobs if job.action == "data_layer"]

    assert len(jobs) == 15
    assert data_layer
    assert not any(job.enabled for job in data_layer)
    assert {job.name for job in data_layer} == {"claims_month_end_close"}
    validation = next(job for job in jobs if job.name == "validation_run")
    assert validation.action == "validation_run"
    assert validation.critical
    # The claims load waits for a feed that writes the staging table.
    disabled = {job.name for job in jobs if not job.enabled}
    assert disabled == {job.name for job in data_layer} | {"etl_claims_daily"}
