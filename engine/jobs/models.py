"""Job states for the faces, and the errors a manual trigger raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.store.jobs import JobRunRecord

SCHEDULER = "scheduler"


class JobNotFound(LookupError):
    def __init__(self, name: str, known: list[str]):
        self.name = name
        super().__init__(
            f"job {name!r} not found in config/jobs.yaml; the jobs are "
            f"{', '.join(known) or 'none'}"
        )


class JobAlreadyRunning(RuntimeError):
    """A run of the job is in progress; runs of one job never overlap."""

    def __init__(self, name: str, running: JobRunRecord):
        self.name = name
        self.running = running
        started = running.started_at.isoformat() if running.started_at else "?"
        super().__init__(
            f"job {name!r} is already running (run {running.id}, started "
            f"{started} by {running.actor}); runs of one job never overlap, so "
            "try again when it ends"
        )


@dataclass(frozen=True)
class JobState:
    """One configured job with its next run and its newest run."""

    name: str
    description: str
    cron: str
    timezone: str
    action: str
    enabled: bool
    critical: bool
    timeout_seconds: float
    next_run_at: datetime | None
    last_run: JobRunRecord | None
    running: bool
