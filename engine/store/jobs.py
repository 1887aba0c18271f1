"""Job run records in the state database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from engine.store.database import Store, from_text, to_text


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    MISSED = "missed"
    SKIPPED_OVERLAP = "skipped_overlap"


# Statuses of a critical job that open an incident.
PROBLEM_STATUSES = frozenset({RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.MISSED})


@dataclass
class JobRunRecord:
    """One run of a job, or one run that did not happen (missed, overlap)."""

    id: int
    job: str
    trigger: str
    """``scheduled`` or ``manual``."""
    actor: str
    status: RunStatus
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    rows: int | None = None
    lateness_seconds: float | None = None
    detail: str = ""
    error: str | None = None

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "job": self.job,
            "trigger": self.trigger,
            "actor": self.actor,
            "status": str(self.status),
            "scheduled_at": to_text(self.scheduled_at),
            "started_at": to_text(self.started_at),
            "ended_at": to_text(self.ended_at),
            "seconds": self.seconds,
            "rows": self.rows,
            "lateness_seconds": self.lateness_seconds,
            "detail": self.detail,
            "error": self.error,
        }


class JobRunRepository:
    def __init__(self, store: Store):
        self.store = store

    def add(self, record: JobRunRecord) -> JobRunRecord:
        """Insert ``record`` and return it with its new id."""
        record.id = self.store.execute(
            "INSERT INTO job_runs (job, trigger, actor, status, scheduled_at, "
            "started_at, ended_at, rows, lateness_seconds, detail, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.job,
                record.trigger,
                record.actor,
                str(record.status),
                to_text(record.scheduled_at),
                to_text(record.started_at),
                to_text(record.ended_at),
                record.rows,
                record.lateness_seconds,
                record.detail,
                record.error,
            ),
        )
        return record

    def finish(self, record: JobRunRecord) -> None:
        self.store.execute(
            "UPDATE job_runs SET status = ?, ended_at = ?, rows = ?, detail = ?, "
            "error = ? WHERE id = ?",
            (
                str(record.status),
                to_text(record.ended_at),
                record.rows,
                record.detail,
                record.error,
                record.id,
            ),
        )

    def fail_unfinished(
        self,
        now: datetime,
        reason: str,
        running: Iterable[int] = (),
        last_seen: datetime | None = None,
    ) -> list[JobRunRecord]:
        """Mark runs still ``running`` from an earlier process as failed,
        except the ids in ``running``, which this process runs now, and
        return them as they now are.

        When that process stopped is unknown, so each run ends at the last
        moment it is known to have been running: the later of its start and
        ``last_seen`` (the earlier process's last poll), never after ``now``.
        """
        keep = set(running)
        with self.store.transaction() as store:
            rows = store.query(
                "SELECT * FROM job_runs WHERE status = ? ORDER BY id",
                (str(RunStatus.RUNNING),),
            )
            stale = [_record(row) for row in rows if row["id"] not in keep]
            for record in stale:
                seen = max(filter(None, (record.started_at, last_seen)), default=now)
                record.status = RunStatus.FAILED
                record.ended_at = min(seen, now)
                record.error = (
                    f"{reason}, at a time between "
                    f"{record.ended_at:%Y-%m-%d %H:%M:%S} UTC (when it was last "
                    f"seen running) and {now:%Y-%m-%d %H:%M:%S} UTC (this start)"
                )
                store.execute(
                    "UPDATE job_runs SET status = ?, ended_at = ?, error = ? "
                    "WHERE id = ?",
                    (
                        str(record.status),
                        to_text(record.ended_at),
                        record.error,
                        record.id,
                    ),
                )
        return stale

    def history(self, job: str, limit: int = 50) -> list[JobRunRecord]:
        """Return the newest runs of ``job`` first."""
        rows = self.store.query(
            "SELECT * FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT ?",
            (job, limit),
        )
        return [_record(row) for row in rows]

    def latest(self) -> dict[str, JobRunRecord]:
        """Return the newest run of every job that has one.

        A skipped overlap is left out: it never ran, and the run it overlapped,
        which may end after it, carries the outcome.
        """
        rows = self.store.query(
            "SELECT * FROM job_runs WHERE id IN "
            "(SELECT max(id) FROM job_runs WHERE status <> ? GROUP BY job)",
            (RunStatus.SKIPPED_OVERLAP.value,),
        )
        return {row["job"]: _record(row) for row in rows}


def _record(row: sqlite3.Row) -> JobRunRecord:
    return JobRunRecord(
        id=row["id"],
        job=row["job"],
        trigger=row["trigger"],
        actor=row["actor"],
        status=RunStatus(row["status"]),
        scheduled_at=from_text(row["scheduled_at"]),
        started_at=from_text(row["started_at"]),
        ended_at=from_text(row["ended_at"]),
        rows=row["rows"],
        lateness_seconds=row["lateness_seconds"],
        detail=row["detail"],
        error=row["error"],
    )
