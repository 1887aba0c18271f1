"""Scheduled jobs, their runs and trigger requests."""

from __future__ import annotations

from datetime import datetime

import msgspec

from engine.jobs.models import JobState
from engine.store.jobs import JobRunRecord


class JobRunOut(msgspec.Struct):
    """One run, or a run that did not happen (missed, skipped_overlap)."""

    id: int
    job: str
    trigger: str
    """scheduled or manual."""
    actor: str
    status: str
    """running, succeeded, failed, timed_out, missed or skipped_overlap."""
    scheduled_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    seconds: float | None
    rows: int | None
    lateness_seconds: float | None
    """For a missed run: how late it was when the scheduler saw it."""
    detail: str
    error: str | None


class JobOut(msgspec.Struct):
    name: str
    description: str
    cron: str
    """Standard five-field crontab, read in ``timezone``."""
    timezone: str
    action: str
    enabled: bool
    critical: bool
    timeout_seconds: float
    running: bool
    next_run_at: datetime | None
    """null for a disabled job or while the scheduler is stopped."""
    last_status: str | None
    last_run: JobRunOut | None


class JobTriggerIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str


def run_out(run: JobRunRecord) -> JobRunOut:
    return JobRunOut(
        id=run.id,
        job=run.job,
        trigger=run.trigger,
        actor=run.actor,
        status=str(run.status),
        scheduled_at=run.scheduled_at,
        started_at=run.started_at,
        ended_at=run.ended_at,
        seconds=run.seconds,
        rows=run.rows,
        lateness_seconds=run.lateness_seconds,
        detail=run.detail,
        error=run.error,
    )


def job_out(state: JobState) -> JobOut:
    last = state.last_run
    return JobOut(
        name=state.name,
        description=state.description,
        cron=state.cron,
        timezone=state.timezone,
        action=state.action,
        enabled=state.enabled,
        critical=state.critical,
        timeout_seconds=state.timeout_seconds,
        running=state.running,
        next_run_at=state.next_run_at,
        last_status=str(last.status) if last else None,
        last_run=run_out(last) if last else None,
    )
